/* Golden object for the ppc64 relocation tests: every relocation type kexkit applies,
 * assembled for ELFv2 little-endian and ELFv1 big-endian (the same source, cpp picks
 * the ABI). KK_LOW: also the types that only fit a low base (ADDR32, ADDR16_HI/HA). */
#if defined(_CALL_ELF) && _CALL_ELF == 2
	.abiversion 2
#define ELFV2 1
#endif

/* A function: ELFv2 global entry (REL16_HA/LO against .TOC.) + .localentry; ELFv1
 * descriptor in .opd (ADDR64 + TOC). */
	.macro	FUNC name
#ifdef ELFV2
	.text
	.globl	\name
	.type	\name, @function
\name:
0:	addis	2, 12, .TOC.-0b@ha
	addi	2, 2, .TOC.-0b@l
	.localentry \name, .-\name
#else
	.section ".opd", "aw"
	.balign	8
	.globl	\name
\name:
	.quad	.L.\name, .TOC.@tocbase, 0
	.text
	.type	\name, @function
.L.\name:
#endif
	.endm

	FUNC	func_a
	mflr	0
	bl	func_b			/* REL24 (local entry / via .opd) */
	nop
	bl	func_static		/* REL24 to a local function */
	nop
	addis	3, 2, data_x@toc@ha	/* TOC16_HA */
	addi	3, 3, data_x@toc@l	/* TOC16_LO */
	addis	5, 2, data_y@toc@ha
	ld	5, data_y@toc@l(5)	/* TOC16_LO_DS */
	ld	6, .Ltoc_entry@toc(2)	/* TOC16_DS */
	addi	7, 2, .Ltoc_entry@toc	/* TOC16 */
	addis	8, 2, data_x@toc@h	/* TOC16_HI */
	lis	9, data_x@highest	/* ADDR16_HIGHEST */
	ori	9, 9, data_x@higher	/* ADDR16_HIGHER */
	lis	9, data_z@highesta	/* ADDR16_HIGHESTA */
	addi	9, 9, data_z@highera	/* ADDR16_HIGHERA */
	ori	9, 9, data_x@l		/* ADDR16_LO */
	ld	10, data_y@l(9)		/* ADDR16_LO_DS */
	oris	9, 9, data_z@high	/* ADDR16_HIGH */
	addis	9, 9, data_z@higha	/* ADDR16_HIGHA */
#ifdef KK_LOW
	oris	9, 9, data_x@h		/* ADDR16_HI */
	addis	10, 0, data_z@ha	/* ADDR16_HA */
#endif
	bcl	20, 31, 1f
1:	mflr	11
	addis	11, 11, data_z-1b@ha	/* REL16_HA */
	addi	11, 11, data_z-1b@l	/* REL16_LO */
	addis	12, 11, data_z-1b@h	/* REL16_HI */
	beq	0, cold_label		/* REL14 (another section) */
	bne+	0, cold_label		/* REL14_BRTAKEN */
	bne-	0, cold_label		/* REL14_BRNTAKEN */
	mtlr	0
	b	func_b			/* REL24, tail call */

	FUNC	func_b
	addis	3, 2, data_z@toc@ha
	lwz	3, data_z@toc@l(3)
	blr

	.text
	.type	func_static, @function
func_static:
	li	3, 0
	blr

	.section .text.cold, "ax", @progbits
	.balign	4
cold_label:
	blr

	.section .rodata, "a", @progbits
	.balign	8
ro_table:
	.quad	func_a			/* ADDR64 (a descriptor in ELFv1) */
	.quad	cold_label + 4		/* ADDR64 + addend */

	.data
	.balign	8
	.globl	data_x
data_x:	.quad	0x1122334455667788
data_y:	.quad	data_x + 3		/* ADDR64 */
	.quad	data_x - .		/* REL64 */
	.quad	.TOC.@tocbase		/* TOC */
	.long	ro_table - .		/* REL32 */
	.long	data_x - .		/* REL32 backwards */
#ifdef KK_LOW
	.long	data_x + 8		/* ADDR32 */
	.long	0
#endif
	.balign	8
data_z:	.quad	0x8899aabbccddeeff
	.quad	data_z + 0x8000		/* ADDR64 (carry into the upper half) */

	.section .toc, "aw"
	.balign	8
.Ltoc_entry:
	.quad	data_x			/* ADDR64 in the TOC */
	.quad	func_b

	.bss
	.balign	16
scratch: .space	64

	.section .note.GNU-stack, "", @progbits
