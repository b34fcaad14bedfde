/*
 * ppc64 trampoline boot stub, ELFv2 (ppc64le) and ELFv1 (ppc64 big-endian) alike:
 * kexkit_trampoline_boot(r3 = struct kexkit_trampoline *).
 *
 * Contract on entry: real mode (MSR[IR] = MSR[DR] = 0), 64-bit mode, hypervisor or
 * supervisor state, one CPU running this code (secondaries parked by the firmware).
 * Nothing else: r2 and r1 are computed here, so neither the caller's TOC nor its stack
 * needs to survive the moves.
 *
 * Sequence: external interrupts off -> r2 = .TOC., r1 = own stack (both PC-relative) ->
 * kexkit_trampoline_main (checks, moves, digest; halts on failure) -> r3 = FDT,
 * r4 = kernel entry, r5 = 0, r8/r9 = OPAL base/entry (the purgatory's EntryPpc64
 * layout, offsets generated from purgatory-abi.h) -> kernel. A little-endian build
 * clears MSR[LE] and enters with rfid, as the purgatory does: the kernel starts
 * big-endian and switches itself [head_64.S FIXUP_ENDIAN].
 */
#include "kexkit-abi-offsets.h"

#if defined(_CALL_ELF) && _CALL_ELF == 2
	.abiversion 2
#define KK_FRAME 32		/* ELFv2 minimal frame */
#else
#define KK_FRAME 112		/* ELFv1: 48-byte header + 64-byte parameter area */
#endif
#define KK_STACK_SIZE 16384
#define KK_MSR_LE 1

	.text
	.balign	4
#if defined(_CALL_ELF) && _CALL_ELF == 2
	.globl	kexkit_trampoline_boot
	.type	kexkit_trampoline_boot, @function
kexkit_trampoline_boot:
#else
	/* ELFv1: C callers reach a function through its descriptor. */
	.section ".opd", "aw"
	.balign	8
	.globl	kexkit_trampoline_boot
	.type	kexkit_trampoline_boot, @function
kexkit_trampoline_boot:
	.quad	.L.kexkit_trampoline_boot, .TOC.@tocbase, 0
	.previous
.L.kexkit_trampoline_boot:
#endif
	li	%r0, 0
	mtmsrd	%r0, 1			/* MSR[EE] = MSR[RI] = 0 */
	mr	%r31, %r3		/* the parameter block (non-volatile) */
	bcl	20, 31, 1f		/* r30 = runtime address of 1: */
1:	mflr	%r30
	addis	%r2, %r30, (.TOC. - 1b)@ha
	addi	%r2, %r2, (.TOC. - 1b)@l
	addis	%r1, %r2, kexkit_tramp_stack_top@toc@ha
	addi	%r1, %r1, kexkit_tramp_stack_top@toc@l
	li	%r0, 0
	stdu	%r0, -KK_FRAME(%r1)	/* back chain 0: the end of the stack walk */
	mr	%r3, %r31
	bl	kexkit_trampoline_main
	nop

	addis	%r10, %r2, kexkit_tramp_entry_ppc64@toc@ha
	addi	%r10, %r10, kexkit_tramp_entry_ppc64@toc@l
	ld	%r3, ENTRYPPC_fdt(%r10)
	ld	%r4, ENTRYPPC_kernel(%r10)
	ld	%r8, ENTRYPPC_opal_base(%r10)
	ld	%r9, ENTRYPPC_opal_entry(%r10)
	li	%r5, 0
#ifdef __LITTLE_ENDIAN__
	mfmsr	%r11
	li	%r12, KK_MSR_LE
	andc	%r11, %r11, %r12
	mtsrr0	%r4
	mtsrr1	%r11
	rfid
#else
	mtctr	%r4
	bctr
#endif

	.data
	.balign	8
	.globl	kexkit_tramp_entry_ppc64
	.type	kexkit_tramp_entry_ppc64, @object
	.size	kexkit_tramp_entry_ppc64, ENTRYPPC_SIZE
kexkit_tramp_entry_ppc64:
	.space	ENTRYPPC_SIZE

	.bss
	.balign	16
	.space	KK_STACK_SIZE
	.globl	kexkit_tramp_stack_top
kexkit_tramp_stack_top:

	.section .note.GNU-stack, "", @progbits
