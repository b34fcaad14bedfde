; Multiboot v1 header and entry [Multiboot Specification 0.6.96, 3.1 and 3.2].
;
; The loader (QEMU's -kernel, GRUB's `multiboot`) enters _start in 32-bit protected mode
; with paging off and interrupts off, eax = 0x2BADB002, ebx = the multiboot information
; structure, and no stack. The stub takes its own and calls stub_main(magic, info),
; which never returns (it hands off to the trampoline, or halts).

bits 32
extern stub_main
global _start:function

%include "multiboot.inc"

section .text
_start:
	cli
	cld
	mov	esp, stack_top
	push	ebx
	push	eax
	call	stub_main
.halt:
	cli
	hlt
	jmp	.halt

section .bss
align 16
	resb	65536			; the planner alone wants ~24 KiB
stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
