# kexkit_i386_libssl_root(<var>): a folder holding libssl-dev:i386 unpacked
# (<var>/usr/include/openssl, <var>/usr/include/i386-linux-gnu/openssl,
# <var>/usr/lib/i386-linux-gnu/libcrypto.a), for the i386 guest loader's static link.
#
# Why unpacked and not installed: libssl-dev is Multi-Arch: same, so libssl-dev:i386
# installs only at exactly the amd64 version, and Debian's i386 and amd64 indexes are
# not always in step (bookworm-security i386 lagged behind here); installing would then
# mean moving the host's own OpenSSL. Unpacking also keeps the host's amd64 /usr/include
# off the cross compiler's search path.
#
# Order: the cache variable KEXKIT_I386_SSL_ROOT when set; else an earlier unpack in
# $KEXKIT_CACHE/i386/libssl-root (default /var/cache/kexkit); else apt-get download +
# dpkg-deb -x there (adding the i386 dpkg architecture first if it is missing, as
# scripts/lib/fetch-kernel.sh does for the i386 guest). What can go wrong: no network
# to Debian's mirror, or apt has no libssl-dev:i386 candidate; both stop the configure
# with the command that failed.
function(kexkit_i386_libssl_root out)
  if(KEXKIT_I386_SSL_ROOT)
    set(root ${KEXKIT_I386_SSL_ROOT})
  else()
    if(DEFINED ENV{KEXKIT_CACHE})
      set(cache $ENV{KEXKIT_CACHE})
    else()
      set(cache /var/cache/kexkit)
    endif()
    set(root ${cache}/i386/libssl-root)
  endif()
  set(lib ${root}/usr/lib/i386-linux-gnu/libcrypto.a)
  if(NOT EXISTS ${lib} AND NOT KEXKIT_I386_SSL_ROOT)
    # Toolchain files run again for every try_compile: the stamp (libcrypto.a) makes
    # this happen once.
    set(dl ${cache}/i386/libssl-download)
    file(MAKE_DIRECTORY ${dl})
    execute_process(COMMAND dpkg --print-foreign-architectures OUTPUT_VARIABLE foreign)
    if(NOT foreign MATCHES "(^|\n)i386(\n|$)")
      message(STATUS "kexkit: dpkg --add-architecture i386 && apt-get update")
      execute_process(COMMAND dpkg --add-architecture i386)
      execute_process(COMMAND apt-get update -q OUTPUT_QUIET)
    endif()
    message(STATUS "kexkit: apt-get download libssl-dev:i386 into ${dl}")
    execute_process(COMMAND apt-get download -q libssl-dev:i386
                    WORKING_DIRECTORY ${dl} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    file(GLOB debs ${dl}/libssl-dev_*_i386.deb)
    list(SORT debs)
    list(POP_BACK debs deb)
    if(NOT rc EQUAL 0 OR NOT deb)
      message(FATAL_ERROR "kexkit: 'apt-get download libssl-dev:i386' failed in ${dl}; "
                          "unpack libssl-dev:i386 with dpkg-deb -x yourself and pass "
                          "-DKEXKIT_I386_SSL_ROOT=<folder>")
    endif()
    execute_process(COMMAND dpkg-deb -x ${deb} ${root} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "kexkit: dpkg-deb -x ${deb} ${root} failed")
    endif()
  endif()
  if(NOT EXISTS ${lib})
    message(FATAL_ERROR "kexkit: no ${lib} (KEXKIT_I386_SSL_ROOT=${root})")
  endif()
  set(${out} ${root} PARENT_SCOPE)
endfunction()
