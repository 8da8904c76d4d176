# Compiler flags shared by every target of the project.
include(CheckSymbolExists)

add_compile_options(-Wall -Wextra -Wpedantic)
# POSIX 2008 plus the GNU extensions glibc hides otherwise (ppoll, eventfd).
add_compile_definitions(_GNU_SOURCE)

if(INTR_SANITIZE)
	add_compile_options(-fsanitize=${INTR_SANITIZE} -fno-omit-frame-pointer
		-fno-sanitize-recover=all)
	add_link_options(-fsanitize=${INTR_SANITIZE})
endif()
if(INTR_COVERAGE)
	add_compile_options(--coverage)
	add_link_options(--coverage)
endif()

find_package(Threads REQUIRED)
