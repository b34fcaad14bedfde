# Golden object: position-independent x86_64 code and data (R_X86_64_PC32, PLT32,
# PC64, 64), linked above 4 GiB, where only these types can be used.

	.section .note.GNU-stack,"",@progbits

	.text
	.p2align 4
	.globl	high_entry
high_entry:
	call	high_helper                 # R_X86_64_PLT32
	lea	high_table(%rip), %rax      # R_X86_64_PC32 -> .rodata
	lea	high_bss+0x100(%rip), %rbx  # R_X86_64_PC32 -> .bss
	mov	high_counter(%rip), %rcx    # R_X86_64_PC32 -> .data
	movabs	$high_table + 8, %rdx       # R_X86_64_64
	ret
	.p2align 4
	.globl	high_helper
high_helper:
	lea	high_entry(%rip), %rax
	ret

	.data
	.p2align 3
	.globl	high_counter
high_counter:
	.quad	high_entry                  # R_X86_64_64
	.quad	high_bss + 0x40             # R_X86_64_64 -> .bss
	.quad	high_entry - .              # R_X86_64_PC64
	.long	high_table - .              # R_X86_64_PC32
	.long	0

	.bss
	.p2align 12
	.globl	high_bss
high_bss:
	.skip	0x2000

	.section .rodata,"a",@progbits
	.p2align 4
	.globl	high_table
high_table:
	.quad	high_helper                 # R_X86_64_64
	.quad	high_bss - .                # R_X86_64_PC64
	.long	high_counter - . + 4        # R_X86_64_PC32
	.long	high_entry - .
