; i386 trampoline boot stub: kexkit_trampoline_boot(struct kexkit_trampoline *), cdecl.
;
; Contract on entry: 32-bit protected mode, ring 0, paging off or an identity map
; covering the trampoline, its parameter block and move list and every range the moves
; touch (a multiboot loader's state qualifies). Nothing else: not the caller's GDT or
; stack, which may lie in a destination, nor its IDT (interrupts go off and stay off).
;
; Sequence: own GDT (flat code 0x10, data 0x18, as the kernel's 32-bit entry wants) ->
; own stack -> kexkit_trampoline_main (checks, moves, digest; halts on any failure) ->
; paging off -> registers from kexkit_tramp_entry_i386 (the purgatory's EntryI386
; layout, offsets generated from purgatory-abi.h) -> eip = code32_start
; [x86 boot protocol, 32-bit boot: esi = boot_params, ebx = ebp = edi = 0].
;
; Absolute addressing (R_386_32): i386 has no PC-relative data references, and the
; library is built -fno-pic for a firmware's static link at its run address.

bits 32
%include "kexkit-abi-offsets.inc"
%include "handoff.inc"

extern kexkit_trampoline_main
global kexkit_trampoline_boot:function
global kexkit_tramp_entry_i386:data ENTRY32_SIZE
global kexkit_tramp_stack_top

section .text
kexkit_trampoline_boot:
	cli
	cld
	mov	eax, [esp + 4]		; the parameter block, before the stack goes away
	lgdt	[gdt_desc]
	jmp	dword 0x10:.flat_cs	; reload CS from our GDT
.flat_cs:
	KK_FLAT_DATA_SEGMENTS ecx
	mov	esp, stack_top
	push	eax
	call	kexkit_trampoline_main	; returns only when the kernel may be entered
	add	esp, 4
	; Paging off, as the 32-bit entry requires: a no-op when it already is, and safe
	; under the identity map the contract asks for otherwise [Intel SDM 3A 9.9.1].
	mov	eax, cr0
	and	eax, 0x7fffffff
	mov	cr0, eax
	xor	eax, eax
	mov	cr3, eax

	KK_HANDOFF32 kexkit_tramp_entry_i386

section .data
align 16
	KK_FLAT_GDT32

align 16
kexkit_tramp_entry_i386:
	times ENTRY32_SIZE db 0

section .bss
align 16
	resb	16384
stack_top:
kexkit_tramp_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
