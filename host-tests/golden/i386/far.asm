; Golden object: the constructs of the i386 purgatory entry (entry32.asm) that only
; hand-written code produces: lgdt through an absolute descriptor, a far jump
; (ptr16:32, R_386_32 on the offset), an indirect jump through an absolute address, and
; data words that hold absolute addresses of symbols in another object (compiled.cc).

bits 32
extern golden_entry, golden_counter, golden_names
global golden_far_target, golden_far_start

section .text
golden_far_start:
	lgdt	[desc]			; R_386_32 (disp32)
	jmp	dword 0x10:.reloaded	; R_386_32 in ptr16:32
.reloaded:
	mov	esp, stack_top		; R_386_32 -> .bss
	push	dword 3
	call	golden_entry		; R_386_PC32 -> other object
	jmp	[vector + 4]		; R_386_32, addend 4

golden_far_target:
	inc	dword [golden_counter]	; R_386_32 -> other object's .bss
	ret

section .data align=16
gdt:
	dq	0, 0
	dq	0x00cf9b000000ffff
	dq	0x00cf93000000ffff
gdt_end:
	dw	0
desc:
	dw	gdt_end - gdt - 1
	dd	gdt			; R_386_32 -> own .data
vector:
	dd	golden_far_start
	dd	golden_far_target
	dd	golden_names + 8	; R_386_32 -> other object's .data, addend

section .bss align=16
	resb	512
stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
