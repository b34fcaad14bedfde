/* Golden object for the absolute branch and 16-bit relocations that only fit a base
 * below 64 KiB (ADDR16, ADDR16_DS, ADDR24, ADDR14), both ABIs. */
#if defined(_CALL_ELF) && _CALL_ELF == 2
	.abiversion 2
#endif
	.text
	.globl	start
start:
	li	3, target		/* ADDR16 */
	ld	4, dword(0)		/* ADDR16_DS */
	ba	target			/* ADDR24 */
	bca	12, 2, target		/* ADDR14 */
	bca+	12, 2, target		/* ADDR14_BRTAKEN */
	bca-	12, 2, target		/* ADDR14_BRNTAKEN */
	blr

	.data
	.balign	8
dword:	.quad	0x0102030405060708
	.section .text.far, "ax", @progbits
	.balign	4
target:	blr

	.section .note.GNU-stack, "", @progbits
