// greeter_client ENDPOINT NAME: prints what greet(NAME) answers.
#include <iostream>

#include "greeter.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: greeter_client ENDPOINT NAME\n";
    return 2;
  }
  try {
    auto greeter = titan::connect<Greeter>(argv[1]);
    std::cout << greeter.greet(std::string(argv[2])).get() << std::endl;
    return 0;
  } catch (const titan::Error& e) {
    std::cerr << "greeter_client: " << e.what() << '\n';
    return 1;
  }
}
