// A perfectly loadable shared library that is not a Titan plugin: it exports
// a function but no `titan_plugin` descriptor.
extern "C" int no_descriptor_answer() { return 42; }
