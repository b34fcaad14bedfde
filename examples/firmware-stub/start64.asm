; Multiboot v1 header and entry for the x86_64 build [Multiboot Specification 0.6.96].
;
; The loader enters _start in 32-bit protected mode, paging off, eax = 0x2BADB002,
; ebx = the multiboot information. This entry maps the first 4 GiB 1:1 with 2 MiB pages,
; enters long mode [Intel SDM 3A 9.8.5] and calls stub_main(magic, info) in 64-bit
; code, which hands off through the x86_64 trampoline (whose contract is long mode with
; an identity map of everything it touches). The page tables live in .bss, inside the
; stub's keep-out range, so no move can overwrite them while they are in use.

bits 32
extern stub_main
global _start:function

%include "multiboot.inc"

section .text
_start:
	cli
	cld
	mov	esp, stack_top
	mov	ebp, eax		; magic and info survive in ebp/ebx
	; PML4[0] -> PDPT; PDPT[0..3] -> PD[0..3]; PD entries: 2 MiB pages over 4 GiB.
	mov	eax, pdpt
	or	eax, 3			; present, writable
	mov	[pml4], eax
	xor	ecx, ecx
.pdpt:
	mov	eax, ecx
	shl	eax, 12
	add	eax, pd
	or	eax, 3
	mov	[pdpt + ecx * 8], eax
	inc	ecx
	cmp	ecx, 4
	jne	.pdpt
	xor	ecx, ecx
.pd:
	mov	eax, ecx
	shl	eax, 21
	or	eax, 0x83		; present, writable, 2 MiB page
	mov	[pd + ecx * 8], eax
	inc	ecx
	cmp	ecx, 2048
	jne	.pd
	mov	eax, pml4
	mov	cr3, eax
	mov	eax, cr4
	or	eax, 1 << 5		; PAE
	mov	cr4, eax
	mov	ecx, 0xc0000080		; IA32_EFER
	rdmsr
	or	eax, 1 << 8		; LME
	wrmsr
	mov	eax, cr0
	or	eax, (1 << 31) | 1	; PG, PE
	mov	cr0, eax
	lgdt	[gdt_desc]
	jmp	0x08:long_mode

bits 64
long_mode:
	mov	eax, 0x10
	mov	ds, eax
	mov	es, eax
	mov	ss, eax
	mov	fs, eax
	mov	gs, eax
	mov	rsp, stack_top
	mov	edi, ebp		; magic
	mov	esi, ebx		; multiboot information (below 4 GiB)
	call	stub_main
.halt:
	cli
	hlt
	jmp	.halt

section .data
align 16
gdt:
	dq	0
	dq	0x00af9b000000ffff	; 0x08: 64-bit flat code
	dq	0x00cf93000000ffff	; 0x10: flat data
gdt_end:
align 4
	dw	0
gdt_desc:
	dw	gdt_end - gdt - 1
	dd	gdt

section .bss
alignb 4096
pml4:	resb	4096
pdpt:	resb	4096
pd:	resb	4 * 4096
alignb 16
	resb	65536			; the planner alone wants ~24 KiB
stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
