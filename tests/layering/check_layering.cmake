# cmake -DBUILD_DIR=<dir> -P check_layering.cmake
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target layering_probe_allowed
                RESULT_VARIABLE allowed_rc OUTPUT_VARIABLE allowed_out ERROR_VARIABLE allowed_out)
if(NOT allowed_rc EQUAL 0)
  message(FATAL_ERROR "the allowed probe (core includes core) failed to build:\n${allowed_out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target layering_probe_forbidden
                RESULT_VARIABLE forbidden_rc OUTPUT_VARIABLE forbidden_out ERROR_VARIABLE forbidden_out)
if(forbidden_rc EQUAL 0)
  message(FATAL_ERROR "core compiled an include of an api header: layering is not enforced")
endif()
if(NOT forbidden_out MATCHES "api/http_server.h: No such file or directory")
  message(FATAL_ERROR "the forbidden probe failed for another reason than the include:\n${forbidden_out}")
endif()
message(STATUS "layering enforced: core cannot include api headers")
