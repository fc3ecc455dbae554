# titan_add_plugin(NAME SOURCES src...) builds NAME.so (no "lib" prefix)
# against the SDK, with hidden visibility, into the plugin output directory.
function(titan_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "titan_add_plugin(${name}): give SOURCES")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE titan::sdk)
  if(NOT ARG_OUTPUT_DIRECTORY)
    if(DEFINED TITAN_PLUGIN_OUTPUT_DIRECTORY)
      set(ARG_OUTPUT_DIRECTORY ${TITAN_PLUGIN_OUTPUT_DIRECTORY})
    else()
      set(ARG_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    endif()
  endif()
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  # Report undefined symbols when the plugin links, not when a host loads it.
  target_link_options(${name} PRIVATE -Wl,--no-undefined)
endfunction()
