; Golden object from the other assembler the purgatory uses (nasm -f elf64): RELA
; relocations as nasm encodes them (section-symbol relative for local labels).

default rel
global nasm64_entry, nasm64_helper, nasm64_data, nasm64_table, nasm64_bss

section .text
nasm64_entry:
	call	nasm64_helper               ; R_X86_64_PC32 (nasm: no PLT32 unless asked)
	call	nasm64_helper wrt ..plt     ; R_X86_64_PLT32
	lea	rax, [nasm64_table]         ; R_X86_64_PC32 -> .rodata
	lea	rbx, [nasm64_bss + 0x18]    ; R_X86_64_PC32 -> .bss
	mov	rcx, nasm64_data            ; R_X86_64_64 (mov r64, imm64)
	mov	edx, nasm64_data            ; R_X86_64_32
	ret

; In its own section: nasm cannot emit a PLT call within one section.
section .kk.text exec align=16
nasm64_helper:
	ret

section .data align=16
nasm64_data:
	dq	nasm64_entry                ; R_X86_64_64
	dq	nasm64_bss + 8
	dd	nasm64_table                ; R_X86_64_32
	dd	nasm64_table - $            ; R_X86_64_PC32
	dq	nasm64_helper - $           ; R_X86_64_PC64
	dw	nasm64_data                 ; R_X86_64_16
	db	nasm64_table - $            ; R_X86_64_PC8

section .rodata align=32
nasm64_table:
	dq	nasm64_helper               ; R_X86_64_64
	dd	nasm64_data - $ + 4         ; R_X86_64_PC32
	dw	nasm64_bss - $              ; R_X86_64_PC16

section .bss align=64
nasm64_bss:
	resb	256

section .note.GNU-stack noalloc noexec nowrite progbits
