# Install and export rules of the SDK: the CMake package TitanSDK.
#
#   <prefix>/include/titan/...                 the headers
#   <prefix>/lib/libtitan_sdk.so*              the library
#   <prefix>/lib/cmake/TitanSDK/               TitanSDKConfig.cmake, ...Version,
#                                              TitanSDKTargets*.cmake, TitanPlugin.cmake
#
# Included from plugin-sdk/CMakeLists.txt after the titan_sdk target exists.
include(CMakePackageConfigHelpers)

set(TITAN_SDK_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/TitanSDK"
    CACHE STRING "Where TitanSDKConfig.cmake is installed, relative to the prefix")
mark_as_advanced(TITAN_SDK_INSTALL_CMAKEDIR)

install(TARGETS titan_sdk EXPORT TitanSDKTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_CURRENT_LIST_DIR}/../include/titan DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT TitanSDKTargets
  NAMESPACE titan::
  FILE TitanSDKTargets.cmake
  DESTINATION ${TITAN_SDK_INSTALL_CMAKEDIR})

set(_titan_pkg_dir "${PROJECT_BINARY_DIR}/cmake/TitanSDK")
configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/TitanSDKConfig.cmake.in
  ${_titan_pkg_dir}/TitanSDKConfig.cmake
  INSTALL_DESTINATION ${TITAN_SDK_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_BINDIR)
# 0.x: a minor release may break the API, so only the same minor matches.
write_basic_package_version_file(
  ${_titan_pkg_dir}/TitanSDKConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${_titan_pkg_dir}/TitanSDKConfig.cmake
  ${_titan_pkg_dir}/TitanSDKConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/TitanPlugin.cmake
  DESTINATION ${TITAN_SDK_INSTALL_CMAKEDIR})
unset(_titan_pkg_dir)
