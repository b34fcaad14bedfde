# Not linked: a GOT-relative load (assembled with -mrelax-relocations=no, so it is
# R_X86_64_GOTPCREL, type 9) at .rela.text offset 0x3. kexkit has no GOT: refused.

	.section .note.GNU-stack,"",@progbits

	.text
	movq	target@GOTPCREL(%rip), %rax
	ret
	.data
	.globl	target
target:
	.quad	0
