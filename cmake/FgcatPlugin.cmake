# fgcat_add_plugin(<name> [OUTPUT_DIRECTORY <dir>] <sources>...)
#
# Builds a service-area plugin for fgcat: a MODULE library named <name>.so
# (no "lib" prefix), compiled with hidden visibility so that only the entry
# point marked FGCAT_EXPORT is exported, against the plugin SDK header
# (target fgcat::plugin).  Used for the built-in plugins, the test plugins,
# and, installed with the CMake package, by plugin authors out of tree.
function(fgcat_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "" ${ARGN})
  add_library(${name} MODULE ${ARG_UNPARSED_ARGUMENTS})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  endif()
  target_link_libraries(${name} PRIVATE fgcat::plugin)
endfunction()
