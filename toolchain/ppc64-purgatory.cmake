# Freestanding ppc64 big-endian purgatory (ELFv1, function descriptors): Debian's
# powerpc64 cross GCC, no libc. The entry code is a .S file preprocessed and assembled
# by the same GCC.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR ppc64)
set(CMAKE_C_COMPILER powerpc64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER powerpc64-linux-gnu-g++)
set(CMAKE_ASM_COMPILER powerpc64-linux-gnu-gcc)
set(CMAKE_LINKER powerpc64-linux-gnu-ld)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
