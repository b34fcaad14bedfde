# Golden object: every x86_64 relocation type kexkit applies, assembled by GNU as and
# linked both by kexkit and by GNU ld (link-golden.sh); the two images must be equal.
# Linked at low bases only: R_X86_64_32 and R_X86_64_32S need addresses below 2 GiB.
#
# gas emits .text, .data and .bss first in the section table, so .rodata and
# .kk.tail come after NOBITS .bss in header order: the layout must still place them
# before it (PROGBITS-like first, then NOBITS).

	.section .note.GNU-stack,"",@progbits

	.text
	.p2align 4
	.globl	entry
	.type	entry, @function
entry:
	call	helper                      # R_X86_64_PLT32 (gas uses PLT32 for calls)
	call	helper@PLT                  # R_X86_64_PLT32
	lea	table(%rip), %rax           # R_X86_64_PC32 -> .rodata
	lea	counter+8(%rip), %rbx       # R_X86_64_PC32 -> .bss, addend
	mov	$message, %ecx              # R_X86_64_32
	mov	$table+16, %rdx             # R_X86_64_32S
	movabs	$pointers, %rsi             # R_X86_64_64
	mov	scratch(,%rax,8), %rdi      # R_X86_64_32S (absolute disp32)
	mov	tail_word(%rip), %r8d       # R_X86_64_PC32 -> .kk.tail
	.reloc	., R_X86_64_NONE, table     # R_X86_64_NONE: changes nothing
	nop
	jmp	far_label                   # R_X86_64_PC32 (other section)
	.size	entry, . - entry

	.p2align 4
	.globl	helper
helper:
	lea	entry(%rip), %rax
	ret

	.data
	.p2align 3
	.globl	message
message:
	.asciz	"kexkit golden x86_64"
	.p2align 3
	.globl	pointers
pointers:
	.quad	table                       # R_X86_64_64
	.quad	counter + 0x20              # R_X86_64_64 -> .bss
	.quad	message + 1
	.quad	undefined_weak + 5          # R_X86_64_64 against an undefined weak: 0 + A
	.long	helper                      # R_X86_64_32
	.long	scratch - 0x10              # R_X86_64_32, negative addend
	.reloc	., R_X86_64_32S, tail_word + 2
	.long	0                           # R_X86_64_32S (via .reloc)
	.long	entry - .                   # R_X86_64_PC32 data
	.quad	far_label - .               # R_X86_64_PC64
	.weak	undefined_weak

	.bss
	.p2align 6
	.globl	counter
counter:
	.skip	64
	.globl	scratch
scratch:
	.skip	4096

	.section .rodata,"a",@progbits
	.p2align 5
	.globl	table
table:
	.quad	entry                       # R_X86_64_64 -> .text
	.quad	helper + 3
	.long	message                     # R_X86_64_32
	.long	message - .                 # R_X86_64_PC32
	.quad	scratch - .                 # R_X86_64_PC64 -> .bss
	.quad	entry - . - 0x1000          # R_X86_64_PC64, negative
	.long	pointers + 0x7f             # R_X86_64_32
	.long	0xdeadbeef

	.section .kk.tail,"ax",@progbits
	.p2align 4
far_label:
	call	entry                       # R_X86_64_PLT32 backwards across sections
	ret
	.p2align 2
tail_word:
	.long	0x12345678

	# Not SHF_ALLOC: its relocations must be ignored (debug-info-like).
	.section .kk.notes,"",@progbits
	.quad	entry
	.long	table - .
