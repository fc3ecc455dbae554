# consumer_out_of_tree: installs this build into a fresh prefix and builds and
# runs tests/consumer (an out-of-tree plugin and client) against it.
add_test(NAME consumer_out_of_tree
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/consumer/run.sh ${PROJECT_BINARY_DIR})
set_tests_properties(consumer_out_of_tree PROPERTIES
  TIMEOUT 300
  LABELS slow
  ENVIRONMENT "CMAKE=${CMAKE_COMMAND}")
