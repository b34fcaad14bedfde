# Freestanding ppc64le purgatory (ELFv2, little-endian): Debian's powerpc64le cross GCC,
# no libc. The entry code is a .S file preprocessed and assembled by the same GCC.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(CMAKE_C_COMPILER powerpc64le-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER powerpc64le-linux-gnu-g++)
set(CMAKE_ASM_COMPILER powerpc64le-linux-gnu-gcc)
set(CMAKE_LINKER powerpc64le-linux-gnu-ld)
# Nothing links against a libc here, so CMake's test programs must not try to.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
