# kexkit CMake package: the firmware trampoline libraries [docs/trampoline.md].
#
#   find_package(kexkit 0.1 REQUIRED [COMPONENTS trampoline_i386 ...])
#
# Imported targets, one per architecture installed (each carries the include directory
# with kexkit/trampoline.h and kexkit/x86-boot-params.h):
#   kexkit::trampoline_x86_64  kexkit::trampoline_i386
#   kexkit::trampoline_ppc64le kexkit::trampoline_ppc64
#   kexkit::trampoline   the one for the consumer's CMAKE_SYSTEM_PROCESSOR, if installed
# Variables:
#   kexkit_TRAMPOLINE_ARCHES         the architectures installed
#   KEXKIT_INCLUDE_DIR               <prefix>/include
#   KEXKIT_TRAMPOLINE_LINKER_SCRIPT  linker script fragment to INCLUDE (optional use)
#   KEXKIT_LDSCRIPT_DIR              its directory (for -L, so INCLUDE finds it)
get_filename_component(_kexkit_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

set(kexkit_TRAMPOLINE_ARCHES "")
foreach(_kexkit_arch IN ITEMS x86_64 i386 ppc64le ppc64)
  set(_kexkit_lib "${_kexkit_prefix}/lib/kexkit/${_kexkit_arch}/libkexkit-trampoline.a")
  if(EXISTS "${_kexkit_lib}")
    list(APPEND kexkit_TRAMPOLINE_ARCHES ${_kexkit_arch})
    if(NOT TARGET kexkit::trampoline_${_kexkit_arch})
      add_library(kexkit::trampoline_${_kexkit_arch} STATIC IMPORTED)
      set_target_properties(kexkit::trampoline_${_kexkit_arch} PROPERTIES
        IMPORTED_LOCATION "${_kexkit_lib}"
        IMPORTED_LINK_INTERFACE_LANGUAGES "C"
        INTERFACE_INCLUDE_DIRECTORIES "${_kexkit_prefix}/include")
    endif()
  endif()
endforeach()

set(_kexkit_own "")
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|amd64|AMD64)$")
  set(_kexkit_own x86_64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(i.86|x86)$")
  set(_kexkit_own i386)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(ppc64le|powerpc64le)$")
  set(_kexkit_own ppc64le)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(ppc64|powerpc64)$")
  set(_kexkit_own ppc64)
endif()
if(_kexkit_own AND TARGET kexkit::trampoline_${_kexkit_own} AND NOT TARGET kexkit::trampoline)
  add_library(kexkit::trampoline INTERFACE IMPORTED)
  set_target_properties(kexkit::trampoline PROPERTIES
    INTERFACE_LINK_LIBRARIES kexkit::trampoline_${_kexkit_own})
endif()

set(KEXKIT_INCLUDE_DIR "${_kexkit_prefix}/include")
set(KEXKIT_LDSCRIPT_DIR "${_kexkit_prefix}/lib/kexkit/ldscripts")
set(KEXKIT_TRAMPOLINE_LINKER_SCRIPT "${KEXKIT_LDSCRIPT_DIR}/kexkit-trampoline.ld")

foreach(_kexkit_comp IN LISTS kexkit_FIND_COMPONENTS)
  if(TARGET kexkit::${_kexkit_comp})
    set(kexkit_${_kexkit_comp}_FOUND TRUE)
  else()
    set(kexkit_${_kexkit_comp}_FOUND FALSE)
    if(kexkit_FIND_REQUIRED_${_kexkit_comp})
      set(kexkit_FOUND FALSE)
      set(kexkit_NOT_FOUND_MESSAGE
          "kexkit: no ${_kexkit_comp} under ${_kexkit_prefix} (installed: ${kexkit_TRAMPOLINE_ARCHES})")
    endif()
  endif()
endforeach()
unset(_kexkit_arch)
unset(_kexkit_lib)
unset(_kexkit_own)
unset(_kexkit_comp)
