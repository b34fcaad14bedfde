# Freestanding x86_64 purgatory: Debian's native x86_64 GCC and binutils, no libc.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER x86_64-linux-gnu-g++)
set(CMAKE_LINKER x86_64-linux-gnu-ld)
set(CMAKE_ASM_NASM_COMPILER nasm)
set(CMAKE_ASM_NASM_OBJECT_FORMAT elf64)
# Nothing links against a libc here, so CMake's test programs must not try to.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
