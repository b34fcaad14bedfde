# Freestanding arm64 purgatory (little-endian, LP64): Debian's aarch64 cross GCC, no
# libc. The entry code is a .S file preprocessed and assembled by the same GCC.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_LINKER aarch64-linux-gnu-ld)
# Nothing links against a libc here, so CMake's test programs must not try to.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
