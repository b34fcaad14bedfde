# Freestanding i386 purgatory: Debian's i686 cross GCC (gcc-i686-linux-gnu).
# The cross compiler rather than -m32 on the host GCC: gcc-multilib conflicts with
# Debian's other cross compilers, which the ppc64 targets need on the same machine.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_COMPILER i686-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER i686-linux-gnu-g++)
set(CMAKE_LINKER i686-linux-gnu-ld)
set(CMAKE_ASM_NASM_COMPILER nasm)
set(CMAKE_ASM_NASM_OBJECT_FORMAT elf32)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
