# modelhost_module(NAME <module> [DEPS <module>...] [LIBS <external targets>...])
#
# Declares the library target `modelhost_<module>` from the sources in
# src/<module>/ and enforces the layering of shared/DESIGN.md twice over:
#   1. DEPS may only name modules that the table below allows, or configure fails;
#   2. each module's headers are reachable as "<module>/x.h" only through an
#      include root that holds that one module, so a source file that includes a
#      header of a module its target does not link fails to compile.

set(MODELHOST_ALLOWED_DEPS_core "")
set(MODELHOST_ALLOWED_DEPS_data "core")
set(MODELHOST_ALLOWED_DEPS_nn "core")
set(MODELHOST_ALLOWED_DEPS_model "data;nn;core")
set(MODELHOST_ALLOWED_DEPS_store "core")
set(MODELHOST_ALLOWED_DEPS_jobs "model;store;data;nn;core")
set(MODELHOST_ALLOWED_DEPS_serve "model;store;core")
set(MODELHOST_ALLOWED_DEPS_api "jobs;serve;store;model;core")
set(MODELHOST_ALLOWED_DEPS_cli "api;jobs;serve;store;model;data;nn;core")

# The include root of one module: <build>/module_roots/<module>/<module> -> src/<module>.
function(modelhost_module_include_root module out_var)
  set(root "${CMAKE_BINARY_DIR}/module_roots/${module}")
  if(NOT EXISTS "${root}/${module}")
    file(MAKE_DIRECTORY "${root}")
    file(CREATE_LINK "${PROJECT_SOURCE_DIR}/src/${module}" "${root}/${module}" SYMBOLIC)
  endif()
  set(${out_var} "${root}" PARENT_SCOPE)
endfunction()

function(modelhost_module)
  cmake_parse_arguments(ARG "" "NAME" "DEPS;LIBS" ${ARGN})
  if(NOT DEFINED MODELHOST_ALLOWED_DEPS_${ARG_NAME})
    message(FATAL_ERROR "modelhost_module: '${ARG_NAME}' is not a module of DESIGN.md")
  endif()
  foreach(dep IN LISTS ARG_DEPS)
    if(NOT dep IN_LIST MODELHOST_ALLOWED_DEPS_${ARG_NAME})
      message(FATAL_ERROR "modelhost_module: module '${ARG_NAME}' may not depend on '${dep}' "
                          "(allowed: ${MODELHOST_ALLOWED_DEPS_${ARG_NAME}})")
    endif()
  endforeach()

  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cc")
  list(FILTER sources EXCLUDE REGEX "/main\\.cc$")
  set(target "modelhost_${ARG_NAME}")
  add_library(${target} STATIC ${sources})
  modelhost_module_include_root(${ARG_NAME} root)
  target_include_directories(${target} PUBLIC "${root}")
  foreach(dep IN LISTS ARG_DEPS)
    target_link_libraries(${target} PUBLIC "modelhost_${dep}")
  endforeach()
  target_link_libraries(${target} PUBLIC ${ARG_LIBS})
endfunction()
