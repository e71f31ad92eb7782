# find_package(EdgeLstm) for an unpacked `./build.sh dist` archive (or any tree with lib/libedgelstm.so and
# include/edgelstm.h): the imported target EdgeLstm::edgelstm. Paths are taken relative to this file
# (lib/cmake/EdgeLstm/), so the archive works wherever it is unpacked.
get_filename_component(_edgelstm_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET EdgeLstm::edgelstm)
  add_library(EdgeLstm::edgelstm SHARED IMPORTED)
  set_target_properties(EdgeLstm::edgelstm PROPERTIES
    IMPORTED_LOCATION "${_edgelstm_prefix}/lib/libedgelstm.so"
    # The NativeAOT library has no soname: link it as -ledgelstm, not by its path.
    IMPORTED_NO_SONAME TRUE
    INTERFACE_INCLUDE_DIRECTORIES "${_edgelstm_prefix}/include")
endif()
unset(_edgelstm_prefix)
