# cmake -DBUILD_DIR=… -DTARGET=… [-DMISSING=header] -P check_layering.cmake
# Builds one layering case: without MISSING it must compile; with MISSING it
# must fail, and on exactly that include.
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT MISSING)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${TARGET} includes only its own and lower layers but did not compile:\n${output}")
  endif()
  return()
endif()
if(status EQUAL 0)
  message(FATAL_ERROR "${TARGET} compiled, so its layer can include ${MISSING}")
endif()
string(FIND "${output}" "${MISSING}: No such file or directory" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${TARGET} failed, but not because ${MISSING} is out of reach:\n${output}")
endif()
message(STATUS "${TARGET}: ${MISSING} is out of reach, as it must be")
