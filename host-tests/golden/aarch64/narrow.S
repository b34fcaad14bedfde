/*
 * The absolute relocations whose value must fit 16 or 32 bits, or below a MOVW group:
 * linked at a low base (host-tests/aarch64.cmake), where GNU ld accepts them.
 */
	.text
	.globl	kk_narrow
kk_narrow:
	movz	x0, #:abs_g0:kk_target			/* MOVW_UABS_G0 */
	movz	x1, #:abs_g1:kk_target			/* MOVW_UABS_G1 */
	movk	x1, #:abs_g0_nc:kk_target
	movz	x2, #:abs_g2:kk_target			/* MOVW_UABS_G2 */
	ret

	.data
	.balign	8
	.globl	kk_target
kk_target:
	.word	kk_narrow				/* ABS32 */
	.word	kk_target + 4				/* ABS32 */
	.hword	kk_narrow				/* ABS16 */
	.hword	kk_target + 2				/* ABS16 */

	.section .note.GNU-stack, "", %progbits
