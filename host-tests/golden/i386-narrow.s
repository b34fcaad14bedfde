# Golden object: the 16- and 8-bit i386 relocations (R_386_16, PC16, 8, PC8), REL
# format, linked at base 0x80 so absolute 8-bit values fit below 256.

	.section .note.GNU-stack,"",@progbits

	.text
	.p2align 4
	.globl	start386
start386:
	movw	$word386, %ax               # R_386_16 -> .data
	jecxz	near386                     # R_386_PC8 (rel8 only), addend -1 in place
	movb	$byte386, %cl               # R_386_8
	ret

	.data
	.p2align 2
	.globl	word386
word386:
	.word	start386                    # R_386_16 -> .text
	.word	near386 - .                 # R_386_PC16 -> .rodata
	.word	start386 - . + 0x10         # R_386_PC16, backwards
	.byte	near386 - .                 # R_386_PC8
	.byte	start386 - .                # R_386_PC8, negative
	.globl	byte386
byte386:
	.byte	word386 + 3                 # R_386_8
	.byte	scratch386 + 1              # R_386_8 -> .bss
	.word	scratch386 + 0x20           # R_386_16 -> .bss

	.bss
	.p2align 3
	.globl	scratch386
scratch386:
	.skip	40

	.section .rodata,"a",@progbits
	.p2align 3
	.globl	near386
near386:
	.word	byte386                     # R_386_16
	.word	word386 - .                 # R_386_PC16
	.byte	byte386 - .                 # R_386_PC8
	.byte	0xa5
