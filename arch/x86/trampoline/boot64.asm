; x86_64 trampoline boot stub: kexkit_trampoline_boot(rdi = struct kexkit_trampoline *).
;
; Contract on entry: 64-bit mode, ring 0, an identity map covering the trampoline, its
; parameter block and move list, and every range the moves touch. Nothing else: not the
; caller's stack or GDT, which may well lie in a destination, nor its IDT (interrupts
; go off first and stay off).
;
; Sequence: own stack -> own GDT (flat code 0x10, data 0x18, what the kernel's 64-bit
; entry wants [x86 boot protocol, 64-bit boot]) -> kexkit_trampoline_main (checks,
; moves, digest; halts on any failure) -> registers from kexkit_tramp_entry_x86_64 (the
; purgatory's EntryX86_64 layout, offsets generated from purgatory-abi.h) -> rip.
;
; Position independent: rip-relative references only, and the GDT base is stored at
; run time, so a firmware may link the library anywhere (even as PIE).

bits 64
default rel
%include "kexkit-abi-offsets.inc"
%include "handoff.inc"

extern kexkit_trampoline_main
global kexkit_trampoline_boot:function
global kexkit_tramp_entry_x86_64:data ENTRY64_SIZE
global kexkit_tramp_stack_top

section .text
kexkit_trampoline_boot:
	cli
	cld
	lea	rsp, [stack_top]
	lea	rax, [gdt]
	mov	[gdt_desc + 2], rax
	lgdt	[gdt_desc]
	KK_FLAT_DATA_SEGMENTS eax
	KK_RELOAD_CS64
	call	kexkit_trampoline_main	; rdi is still the parameter block
	KK_HANDOFF64 kexkit_tramp_entry_x86_64

section .data
align 16
; Accessed bits preset (0x9b/0x93) so loading a selector never writes the GDT.
gdt:
	dq	0
	dq	0
	dq	0x00af9b000000ffff	; 0x10: 64-bit flat code
	dq	0x00cf93000000ffff	; 0x18: flat data
gdt_end:
align 8
	times 6 db 0			; puts the 8-byte base below on an 8-byte boundary
gdt_desc:
	dw	gdt_end - gdt - 1
	dq	0			; base: stored at run time (position independence)

align 16
kexkit_tramp_entry_x86_64:
	times ENTRY64_SIZE db 0

section .bss
align 16
	resb	16384
stack_top:
kexkit_tramp_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
