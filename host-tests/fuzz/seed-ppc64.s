# A small ppc64 object for the linker fuzzer's seeds: the relocation kinds the
# purgatory emits (REL24 calls, TOC16_HA/LO, REL16_HA/LO, ADDR64, ADDR32, ADDR16_*),
# assembled at test time by the cross assemblers (seeds.sh), in both byte orders.
	.abiversion 2
	.section .text
	.globl kexkit_start
	.type kexkit_start, @function
kexkit_start:
0:	addis 2, 12, .TOC.-0b@ha
	addi 2, 2, .TOC.-0b@l
	.localentry kexkit_start, .-kexkit_start
	bl helper
	nop
	addis 3, 2, kexkit_params@toc@ha
	addi 3, 3, kexkit_params@toc@l
	ld 4, value@toc@l(2)
	lis 5, kexkit_params@highest
	ori 5, 5, kexkit_params@higher
	lis 6, kexkit_params@h
	ori 6, 6, kexkit_params@l
	b kexkit_start
	.size kexkit_start, .-kexkit_start

	.type helper, @function
helper:
	blr
	.size helper, .-helper

	.section .data
	.balign 8
	.globl kexkit_params
	.type kexkit_params, @object
kexkit_params:
	.quad helper
	.long helper
	.space 344 - 12
	.size kexkit_params, 344
value:
	.quad kexkit_params + 16

	.section .toc, "aw"
	.balign 8
	.quad value
