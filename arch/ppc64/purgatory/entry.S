/*
 * ppc64 purgatory entry, ELFv2 (ppc64le) and ELFv1 (ppc64 big-endian) alike.
 *
 * Contract on entry [Linux arch/powerpc/kexec: kexec_sequence]: MMU off (real mode),
 * external interrupts off, 64-bit mode, the old kernel's byte order. The old kernel
 * has copied the first 0x100 bytes at kexkit_start to real address 0 and sent every
 * secondary CPU to 0x60 with r3 = its physical id; the master CPU comes here with
 * r3 = its physical id, r4 = the entry address, r5 = 0.
 *
 * The loader copies the *new kernel's* first 0x100 bytes over that head, keeping only
 * the first instruction (the branch to `master`) [kexec-tools kexec-elf-ppc64.c]: the
 * secondaries then wait in the new kernel's own __secondary_hold loop at 0x60 until it
 * releases them, and the kernel finds its first 0x100 bytes already at 0. Word 0x5c
 * (__run_at_load) comes from the kernel too; the loader sets it to 1 for a capture
 * kernel that must run where it was loaded.
 *
 * Sequence: r2 = .TOC. and r1 = our own stack, both computed PC-relatively (the blob
 * runs wherever kexkit linked it) -> kexkit_purgatory_main (verify, backup) -> write
 * the boot CPU id into the FDT header -> r3 = FDT, r4 = kernel entry, r5 = 0 (r8/r9 =
 * OPAL base/entry on powernv) -> kernel. A little-endian purgatory clears MSR[LE] and
 * enters with rfid: the kernel starts big-endian and switches itself [head_64.S
 * FIXUP_ENDIAN].
 */
#include "kexkit-abi-offsets.h"

#if defined(_CALL_ELF) && _CALL_ELF == 2
	.abiversion 2
#define KK_FRAME 32		/* ELFv2 minimal frame: back chain .. TOC save */
#else
#define KK_FRAME 112		/* ELFv1: 48-byte header + 64-byte parameter area */
#endif
#define KK_STACK_SIZE 16384
#define KK_FDT_BOOT_CPUID 28	/* struct fdt_header.boot_cpuid_phys [DTSpec 5.2] */
#define KK_MSR_LE 1

	.text
	.balign 256
	.globl	kexkit_start
kexkit_start:
	b	master
	.org	kexkit_start + 0x5c	/* the kernel's __run_at_load */
	.long	0
	.org	kexkit_start + 0x60	/* secondaries: the loader puts the kernel's code here */
	b	.
	.org	kexkit_start + 0x100	/* end of the region copied to real address 0 */
	.size	kexkit_start, 0x100

master:
	or	%r1, %r1, %r1		/* low SMT priority while the digest runs */
	mr	%r31, %r3		/* boot CPU's physical id (non-volatile) */
	bcl	20, 31, 1f		/* r30 = runtime address of 1: */
1:	mflr	%r30
	addis	%r2, %r30, (.TOC. - 1b)@ha
	addi	%r2, %r2, (.TOC. - 1b)@l
	ld	%r1, .Lstack_top@toc(%r2)
	li	%r0, 0
	stdu	%r0, -KK_FRAME(%r1)	/* back chain 0: the end of the stack walk */
	bl	kexkit_purgatory_main
	nop
	or	%r3, %r3, %r3		/* normal priority again */

	/* Give the secondaries time to reach the kernel's hold loop at 0x60 before the
	 * new kernel starts [kexec-tools v2wrap.S]. */
	lis	%r6, 1
	mtctr	%r6
2:	bdnz	2b

	addis	%r10, %r30, (kexkit_entry_ppc64 - 1b)@ha
	addi	%r10, %r10, (kexkit_entry_ppc64 - 1b)@l
	ld	%r3, ENTRYPPC_fdt(%r10)
	ld	%r4, ENTRYPPC_kernel(%r10)
	ld	%r8, ENTRYPPC_opal_base(%r10)
	ld	%r9, ENTRYPPC_opal_entry(%r10)
	li	%r5, 0
	li	%r6, KK_FDT_BOOT_CPUID
#ifdef __LITTLE_ENDIAN__
	stwbrx	%r31, %r3, %r6		/* FDT fields are big-endian */
	mfmsr	%r11
	li	%r12, KK_MSR_LE
	andc	%r11, %r11, %r12
	mtsrr0	%r4
	mtsrr1	%r11
	rfid				/* big-endian from the kernel's first instruction */
#else
	stwx	%r31, %r3, %r6
	mtctr	%r4
	bctr
#endif

	.section .toc, "aw"
.Lstack_top:
	.quad	kexkit_stack_top

	.data
	.balign	8
	.globl	kexkit_entry_ppc64
	.type	kexkit_entry_ppc64, @object
	.size	kexkit_entry_ppc64, ENTRYPPC_SIZE
kexkit_entry_ppc64:
	.space	ENTRYPPC_SIZE

	.bss
	.balign	16
	.globl	kexkit_stack_top
kexkit_stack:
	.space	KK_STACK_SIZE
kexkit_stack_top:

	.section .note.GNU-stack, "", @progbits
