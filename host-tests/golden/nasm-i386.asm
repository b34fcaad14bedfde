; Golden object from nasm -f elf32: REL relocations, addends in the place.

global nasm32_entry, nasm32_helper, nasm32_data, nasm32_table, nasm32_bss

section .text
nasm32_entry:
	call	nasm32_helper               ; R_386_PC32
	call	nasm32_helper wrt ..plt     ; R_386_PLT32
	mov	eax, nasm32_table           ; R_386_32
	mov	ebx, [nasm32_bss + 0x18]    ; R_386_32 (disp32)
	ret

; In its own section: nasm cannot emit a PLT call within one section.
section .kk.text exec align=16
nasm32_helper:
	ret

section .data align=16
nasm32_data:
	dd	nasm32_entry                ; R_386_32
	dd	nasm32_bss + 8
	dd	nasm32_table - $            ; R_386_PC32
	dw	nasm32_data                 ; R_386_16
	dw	nasm32_table - $            ; R_386_PC16
	db	nasm32_table - $            ; R_386_PC8
	db	nasm32_data                 ; R_386_8 (linked at a base below 256)

section .rodata align=32
nasm32_table:
	dd	nasm32_helper               ; R_386_32
	dd	nasm32_data - $ + 4         ; R_386_PC32

section .bss align=64
nasm32_bss:
	resb	256

section .note.GNU-stack noalloc noexec nowrite progbits
