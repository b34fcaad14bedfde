# Golden object: the 32-bit i386 relocations (R_386_32, PC32, PLT32, NONE), REL
# format: every addend sits in the place, where kexkit must read it back.
# gas puts .text, .data and .bss first; .rodata and .kk.tail follow NOBITS .bss in
# header order.

	.section .note.GNU-stack,"",@progbits

	.text
	.p2align 4
	.globl	entry32
	.type	entry32, @function
entry32:
	call	helper32                    # R_386_PC32
	call	helper32@PLT                # R_386_PLT32
	movl	$message32, %eax            # R_386_32
	movl	table32+8, %ebx             # R_386_32 (disp32)
	leal	counter32+4, %ecx           # R_386_32 -> .bss, addend 4 in place
	.reloc	., R_386_NONE, table32      # R_386_NONE
	nop
	jmp	tail32                      # R_386_PC32 -> .kk.tail
	.size	entry32, . - entry32
	.p2align 4
	.globl	helper32
helper32:
	ret

	.data
	.p2align 2
	.globl	message32
message32:
	.asciz	"kexkit golden i386"
	.p2align 2
pointers32:
	.long	table32                     # R_386_32
	.long	counter32 + 0x20            # R_386_32 -> .bss
	.long	message32 + 1
	.long	undefined_weak32 + 5        # R_386_32 against an undefined weak
	.long	entry32 - .                 # R_386_PC32
	.long	scratch32 - . - 0x100       # R_386_PC32, negative addend
	.weak	undefined_weak32

	.bss
	.p2align 5
	.globl	counter32
counter32:
	.skip	32
	.globl	scratch32
scratch32:
	.skip	0x1000

	.section .rodata,"a",@progbits
	.p2align 4
	.globl	table32
table32:
	.long	entry32                     # R_386_32 -> .text
	.long	helper32 + 3
	.long	message32 - .               # R_386_PC32
	.long	scratch32 - .               # R_386_PC32 -> .bss
	.long	pointers32 + 0x7f           # R_386_32

	.section .kk.tail,"ax",@progbits
	.p2align 4
tail32:
	call	entry32                     # R_386_PC32 backwards across sections
	ret
