# fgcat_add_plugin(<name> [OUTPUT_DIRECTORY <dir>] <sources>...
#                  [DATA <files>...])
#
# Builds a service-area plugin for fgcat: a MODULE library named <name>.so
# (no "lib" prefix), compiled with hidden visibility so that only the entry
# point marked FGCAT_EXPORT is exported, against the plugin SDK headers
# (target fgcat::plugin).  Used for the built-in plugins, the test plugins,
# and, installed with the CMake package, by plugin authors out of tree.
#
# DATA files (e.g. offerings.json) are copied into the plugin's data
# directory, <dir>/<name>/ beside <name>.so, whenever they change, so the
# plugin finds them in the build tree (host->data_dir, add_offerings_file).
# Install them beside the installed plugin yourself:
#   install(FILES offerings.json DESTINATION "${FGCAT_PLUGIN_INSTALL_DIR}/<name>")
function(fgcat_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "DATA" ${ARGN})
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
  if(ARG_DATA)
    if(ARG_OUTPUT_DIRECTORY)
      set(data_dir "${ARG_OUTPUT_DIRECTORY}/${name}")
    else()
      set(data_dir "${CMAKE_CURRENT_BINARY_DIR}/${name}")
    endif()
    set(copies "")
    foreach(file IN LISTS ARG_DATA)
      get_filename_component(src "${file}" ABSOLUTE)
      get_filename_component(base "${file}" NAME)
      add_custom_command(OUTPUT "${data_dir}/${base}"
        COMMAND "${CMAKE_COMMAND}" -E make_directory "${data_dir}"
        COMMAND "${CMAKE_COMMAND}" -E copy "${src}" "${data_dir}/${base}"
        DEPENDS "${src}" VERBATIM)
      list(APPEND copies "${data_dir}/${base}")
    endforeach()
    add_custom_target(${name}_data ALL DEPENDS ${copies})
    add_dependencies(${name} ${name}_data)
  endif()
endfunction()
