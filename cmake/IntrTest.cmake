# intr_add_test(NAME SOURCES... [LABELS l...] [TIMEOUT s] [LIBS libs...])
#
# One executable per test file, registered with ctest under its labels.
# Tests link the static library, so they can reach the internal test seams
# (src/core/testhooks.h, src/platform/posix/posix_sys.h) of the same code
# that ships. Each case inside runs in its own process (tests/lib/runner.h).
function(intr_add_test name)
	cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LABELS;LIBS" ${ARGN})
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 120)
	endif()
	add_executable(${name} ${T_SOURCES})
	target_include_directories(${name} PRIVATE
		${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
	target_link_libraries(${name} PRIVATE intr_static intr_testlib ${T_LIBS})
	add_test(NAME ${name} COMMAND ${name})
	set_tests_properties(${name} PROPERTIES
		LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()
