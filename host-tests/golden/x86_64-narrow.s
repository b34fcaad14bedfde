# Golden object: the 16- and 8-bit x86_64 relocations (R_X86_64_16, PC16, 8, PC8),
# linked at a low base (0x1000) so absolute 16-bit values fit; 8-bit absolute values
# use negative addends to land below 256. Relocations cross .text/.data/.rodata/.bss.

	.section .note.GNU-stack,"",@progbits

	.text
	.p2align 4
	.globl	start16
start16:
	movw	$word_data, %ax             # R_X86_64_16 -> .data
	movw	$scratch + 2, %bx           # R_X86_64_16 -> .bss
	jrcxz	near_target                 # R_X86_64_PC8 (rel8 only) -> .rodata
	movb	$byte_data - 0x1000, %cl    # R_X86_64_8, addend -0x1000
	ret

	.data
	.p2align 2
	.globl	word_data
word_data:
	.word	start16                     # R_X86_64_16 -> .text
	.word	near_target - .             # R_X86_64_PC16 -> .rodata
	.word	start16 - . + 0x10          # R_X86_64_PC16, backwards
	.byte	near_target - .             # R_X86_64_PC8
	.byte	start16 - .                 # R_X86_64_PC8, negative
	.globl	byte_data
byte_data:
	.byte	word_data - 0x1000 + 3      # R_X86_64_8
	.byte	scratch - 0x1000            # R_X86_64_8 -> .bss
	.reloc	., R_X86_64_16, scratch + 0x20
	.word	0                           # R_X86_64_16 via .reloc

	.bss
	.p2align 4
	.globl	scratch
scratch:
	.skip	48

	.section .rodata,"a",@progbits
	.p2align 3
	.globl	near_target
near_target:
	.word	byte_data                   # R_X86_64_16
	.word	word_data - .               # R_X86_64_PC16
	.byte	byte_data - .               # R_X86_64_PC8
	.byte	0x5a
