/*
 * Every R_AARCH64_* relocation kexkit's linker applies, referenced across sections so
 * that the assembler must leave a relocation for the linker (host-tests/aarch64.cmake
 * links it with GNU ld; unit/arm64_link_test.cc compares kexkit's link byte for byte).
 * The absolute forms that only fit a low address (ABS32, ABS16, checked MOVW) are in
 * narrow.S.
 */
	.text
	.globl	kk_start
	.type	kk_start, %function
kk_start:
	adrp	x0, kk_data				/* ADR_PREL_PG_HI21 */
	add	x0, x0, :lo12:kk_data			/* ADD_ABS_LO12_NC */
	adrp	x1, :pg_hi21_nc:kk_bytes		/* ADR_PREL_PG_HI21_NC */
	add	x1, x1, :lo12:kk_bytes + 3
	ldrb	w2, [x1, :lo12:kk_bytes + 1]		/* LDST8_ABS_LO12_NC */
	ldrh	w2, [x1, :lo12:kk_half]			/* LDST16_ABS_LO12_NC */
	ldr	w2, [x1, :lo12:kk_word]			/* LDST32_ABS_LO12_NC */
	ldr	x2, [x1, :lo12:kk_dword]		/* LDST64_ABS_LO12_NC */
	ldr	q2, [x1, :lo12:kk_quad]			/* LDST128_ABS_LO12_NC */
	str	x2, [x1, :lo12:kk_dword + 8]
	adr	x3, kk_other + 4			/* ADR_PREL_LO21 */
	ldr	x4, kk_literal				/* LD_PREL_LO19 */
	b.eq	kk_other				/* CONDBR19 */
	cbz	x5, kk_other + 8			/* CONDBR19 */
	tbz	x5, #3, kk_other			/* TSTBR14 */
	tbnz	w5, #31, kk_other + 12			/* TSTBR14 */
	bl	kk_other				/* CALL26 */
	movz	x6, #:abs_g3:kk_data			/* MOVW_UABS_G3 */
	movk	x6, #:abs_g2_nc:kk_data			/* MOVW_UABS_G2_NC */
	movk	x6, #:abs_g1_nc:kk_data			/* MOVW_UABS_G1_NC */
	movk	x6, #:abs_g0_nc:kk_data + 0x1234	/* MOVW_UABS_G0_NC */
	b	kk_other + 16				/* JUMP26 */
	.size	kk_start, . - kk_start

	.section .text.other, "ax", %progbits
	.balign	16
	.globl	kk_other
	.type	kk_other, %function
kk_other:
	nop
	nop
	nop
	nop
	ret
	bl	kk_start				/* CALL26, backwards */
	b.ne	kk_start
	.size	kk_other, . - kk_other

	.section .rodata, "a", %progbits
	.balign	8
kk_literal:
	.quad	0x1122334455667788

	.data
	.balign	16
	.globl	kk_data
kk_data:
	.quad	kk_start				/* ABS64 */
	.quad	kk_other + 0x10				/* ABS64 */
	.quad	kk_other - .				/* PREL64 */
	.word	kk_start - .				/* PREL32 */
	.word	kk_literal - . + 2			/* PREL32 */
	.hword	kk_other - .				/* PREL16 */
	.balign	16
kk_bytes:
	.byte	1, 2, 3, 4
kk_half:
	.hword	0x5566
	.balign	4
kk_word:
	.word	0x778899aa
	.balign	8
kk_dword:
	.quad	0, 0
	.balign	16
kk_quad:
	.quad	1, 2

	.bss
	.balign	16
	.globl	kk_bss
kk_bss:
	.space	64

	.section .note.GNU-stack, "", %progbits
