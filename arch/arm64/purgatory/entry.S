/*
 * arm64 purgatory entry.
 *
 * Contract on entry [Linux arch/arm64/kernel/relocate_kernel.S, cpu-reset.S
 * cpu_soft_restart]: MMU off, D-cache and I-cache off (SCTLR_ELx.{M,C,I} = 0), DAIF
 * masked, at EL1, or at EL2 when the old kernel owned it (the hyp stub's
 * HVC_SOFT_RESTART, or a VHE kernel). Through kexec_load x0 is 0 (only kexec_file sets
 * arch.dtb_mem), x1-x3 are 0, and SP is whatever the old kernel left (a virtual address
 * at EL1, junk at EL2), so nothing is taken from the registers: the loader patched the
 * DTB and kernel addresses into kexkit_entry_arm64, and the stack is our own.
 *
 * Sequence: SP = our stack (PC-relative: the blob runs wherever kexkit linked it) ->
 * kexkit_purgatory_main (verify) -> x0 = DTB, x1 = x2 = x3 = 0 -> the Image's load
 * address [Documentation/arch/arm64/booting.rst, "Call the kernel image"]. The MMU and
 * D-cache stay off, as the boot protocol wants them; the purgatory writes nothing into
 * the kernel, the initrd or the DTB, so there is no cache maintenance to do.
 */
#include "kexkit-abi-offsets.h"

#define KK_STACK_SIZE 16384

	.text
	.balign	8
	.globl	kexkit_start
	.type	kexkit_start, %function
kexkit_start:
	adrp	x9, kexkit_stack_top
	add	x9, x9, :lo12:kexkit_stack_top
	mov	sp, x9
	mov	x29, xzr		/* frame chain ends here */
	mov	x30, xzr
	bl	kexkit_purgatory_main

	adrp	x9, kexkit_entry_arm64
	add	x9, x9, :lo12:kexkit_entry_arm64
	ldr	x17, [x9, #ENTRYARM64_kernel]
	ldr	x0, [x9, #ENTRYARM64_dtb]
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	br	x17
	.size	kexkit_start, . - kexkit_start

	.data
	.balign	8
	.globl	kexkit_entry_arm64
	.type	kexkit_entry_arm64, %object
	.size	kexkit_entry_arm64, ENTRYARM64_SIZE
kexkit_entry_arm64:
	.space	ENTRYARM64_SIZE

	.bss
	.balign	16
	.globl	kexkit_stack_top
kexkit_stack:
	.space	KK_STACK_SIZE
kexkit_stack_top:

	.section .note.GNU-stack, "", %progbits
