# Not linked by ld: relocations that must overflow, at known places.
#   .rela.text offset 0x4: R_X86_64_PC32 to an absolute symbol at 6 GiB; out of range
#     from a low base or from one above 8 GiB, in range from 0x1_2345_6000.
#   .rela.data offset 0x8: R_X86_64_32 to .data; out of range above 4 GiB.

	.section .note.GNU-stack,"",@progbits

	.text
	nop
	lea	far_abs(%rip), %rax
	ret
	.globl	far_abs
	.set	far_abs, 0x180000000

	.data
	.quad	0
	.long	data_word
data_word:
	.long	0
