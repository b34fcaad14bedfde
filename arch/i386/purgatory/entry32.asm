; i386 purgatory entry.
;
; Contract on entry (kexec_load, i386) [arch/x86/kernel/relocate_kernel_32.S,
; identity_mapped]: 32-bit protected mode with paging OFF (CR0.PG clear, CR3 = 0), CR4
; cleared when the CPU has one, EFLAGS = 0 (interrupts off), all general registers zero,
; and esp inside the old kernel's control page. The GDTR still holds the old kernel's
; GDT at a *virtual* address, which means nothing with paging off: no segment register
; may be loaded before our own lgdt. Nothing else is relied on, not even the stack.
;
; Sequence: own GDT (flat code 0x10, data 0x18, as the boot protocol wants at the
; kernel's 32-bit entry) -> own stack -> kexkit_purgatory_main (verify, backup) -> load
; the registers from kexkit_entry_i386 -> jump to eip = code32_start
; [x86 boot protocol, 32-bit boot: esi = boot_params, ebx = ebp = edi = 0; the loader
; leaves them zero in the block].
;
; Position: every address below is absolute (R_386_32). i386 has no PC-relative data
; addressing, and the kexkit linker lays the blob out at the physical address it runs
; at, so link-time absolute relocations are exact and need no call/pop.

bits 32
%include "kexkit-abi-offsets.inc"
%include "handoff.inc"

extern kexkit_purgatory_main
global kexkit_start:function
global kexkit_entry_i386:data ENTRY32_SIZE
global kexkit_stack_top

section .text
kexkit_start:
	cli
	cld
	lgdt	[gdt_desc]
	jmp	dword 0x10:.flat_cs	; reload CS from our GDT
.flat_cs:
	KK_FLAT_DATA_SEGMENTS eax
	mov	esp, stack_top
	call	kexkit_purgatory_main	; cdecl, no arguments; returns only on success

	KK_HANDOFF32 kexkit_entry_i386

section .data
align 16
	KK_FLAT_GDT32

align 16
kexkit_entry_i386:
	times ENTRY32_SIZE db 0

section .bss
align 16
stack:
	resb	16384
stack_top:
kexkit_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
