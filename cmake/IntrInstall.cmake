# Install rules: header, both libraries, intr.pc and a CMake package config.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(FILES ${PROJECT_SOURCE_DIR}/include/intr.h
	DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS intr intr_static EXPORT intrTargets
	LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
	ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
	RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
	INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT intrTargets NAMESPACE intr::
	DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/intr)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/intrConfig.cmake.in
	${PROJECT_BINARY_DIR}/intrConfig.cmake
	INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/intr)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/intrConfigVersion.cmake
	COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/intrConfig.cmake
	${PROJECT_BINARY_DIR}/intrConfigVersion.cmake
	DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/intr)

# intr.pc finds its prefix from where it lies (${pcfiledir}), so the tree can
# be installed anywhere (cmake --install --prefix DIR) and moved afterwards.
foreach(d LIBDIR INCLUDEDIR)
	if(IS_ABSOLUTE "${CMAKE_INSTALL_${d}}")
		set(INTR_PC_${d} "${CMAKE_INSTALL_${d}}")
	else()
		set(INTR_PC_${d} "\${prefix}/${CMAKE_INSTALL_${d}}")
	endif()
endforeach()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
	set(INTR_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
	file(RELATIVE_PATH INTR_PC_PREFIX
		"/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
	string(REGEX REPLACE "/$" "" INTR_PC_PREFIX "${INTR_PC_PREFIX}")
	set(INTR_PC_PREFIX "\${pcfiledir}/${INTR_PC_PREFIX}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/intr.pc.in
	${PROJECT_BINARY_DIR}/intr.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/intr.pc
	DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
