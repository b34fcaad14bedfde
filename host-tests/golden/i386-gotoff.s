# Not linked: an i386 GOT-relative load (R_386_GOTOFF, type 9) at .rel.text offset
# 0x2. kexkit has no GOT: refused while reading the REL addend.

	.section .note.GNU-stack,"",@progbits

	.text
	movl	target@GOTOFF(%ebx), %eax
	ret
	.data
	.globl	target
target:
	.long	0
