/* Objects kexkit's ppc64 linker must refuse, one per KK_CASE (assembled several times):
 *   1 REL24 out of range   2 TOC16_DS misaligned   3 TOC16 overflow
 *   4 GOT16_DS (no GOT)    5 ADDR16_LO_DS misaligned */
#if defined(_CALL_ELF) && _CALL_ELF == 2
	.abiversion 2
#endif
	.text
	.globl	start
start:
#if KK_CASE == 1
	bl	far
#elif KK_CASE == 2
	ld	3, odd@toc(2)
#elif KK_CASE == 3
	addi	3, 2, far@toc
#elif KK_CASE == 4
	ld	3, odd@got(2)
#elif KK_CASE == 5
	ld	3, odd@l(3)
#endif
	blr

	.section .toc, "aw"
	.balign	8
	.byte	0, 0
odd:	.short	0		/* in reach of r2, but not a multiple of 4 */
	.long	0
	/* Undefined weak: S = 0, out of REL24 (+-32 MiB) and TOC16 reach of a base at
	 * 64 MiB (kexkit refuses objects over 16 MiB, so no far-away section will do). */
	.weak	far

	.section .note.GNU-stack, "", @progbits
