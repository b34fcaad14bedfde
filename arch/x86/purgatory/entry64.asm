; x86_64 purgatory entry.
;
; Contract on entry (kexec_load, x86_64): 64-bit mode, paging on with an identity map
; of RAM, interrupts off. Nothing else is relied on: not the old kernel's GDT, not its
; stack, and not any return address it may or may not have pushed (a 2025 change to the
; kernel's relocate_kernel_64.S stopped pushing the kexec-jump return address, and
; kexec-tools' purgatory, which read 0(%rsp) at entry, faulted).
;
; Sequence: own stack -> own GDT (flat code 0x10, data 0x18, as the boot protocol
; wants at the kernel's entry) -> kexkit_purgatory_main (verify, backup) -> load the
; registers from kexkit_entry_x86_64 -> jump to rip [x86 boot protocol, 64-bit boot].
; With entry32 set, leave long mode and enter the kernel's 32-bit entry instead.

bits 64
default rel
%include "kexkit-abi-offsets.inc"
%include "handoff.inc"

extern kexkit_purgatory_main
global kexkit_start:function
global kexkit_entry_x86_64:data ENTRY64_SIZE
global kexkit_stack_top

section .text
kexkit_start:
	cli
	cld
	lea	rsp, [stack_top]
	lgdt	[gdt_desc]
	KK_FLAT_DATA_SEGMENTS eax
	KK_RELOAD_CS64
	call	kexkit_purgatory_main
	cmp	qword [kexkit_entry_x86_64 + ENTRY64_entry32], 0
	jne	enter32

	KK_HANDOFF64 kexkit_entry_x86_64

; --entry-32bit: long mode -> 32-bit protected mode, paging off [Intel SDM 3A 9.8.5.4].
; The loader keeps the purgatory below 4 GiB for this path, so the code keeps running
; at the same (identity-mapped) addresses once paging is off.
enter32:
	lea	rax, [.compat]
	push	qword 0x08		; 32-bit code segment (compatibility mode)
	push	rax
	o64 retf
bits 32
.compat:
	mov	eax, cr0
	and	eax, 0x7fffffff		; CR0.PG off: leaves long mode
	mov	cr0, eax
	mov	ecx, 0xc0000080		; IA32_EFER
	rdmsr
	and	eax, ~0x100		; LME off
	wrmsr
	; CR4 as a 32-bit boot loader leaves it: the kernel's 32-bit entry builds 4-level
	; tables and ORs PAE in itself, so PAE and LA57 (which the old kernel may have kept
	; [relocate_kernel_64.S]) must be off; MCE may stay.
	mov	eax, cr4
	and	eax, 0x40		; keep CR4.MCE only
	mov	cr4, eax
	; Reload GDT with a 32-bit flat code at 0x10, as code32_start expects.
	call	.here
.here:
	pop	ebp			; ebp = runtime address of .here (no rip-relative in 32-bit)
	lea	eax, [ebp + (gdt32 - .here)]
	mov	[ebp + (gdt32_desc - .here) + 2], eax
	lgdt	[ebp + (gdt32_desc - .here)]
	lea	eax, [ebp + (.flat32 - .here)]
	push	dword 0x10
	push	eax
	retf
.flat32:
	KK_FLAT_DATA_SEGMENTS eax
	lea	eax, [ebp + (kexkit_entry_x86_64 - .here)]
	mov	esi, [eax + ENTRY64_rsi]
	mov	ecx, [eax + ENTRY64_entry32]
	xor	ebx, ebx
	xor	ebp, ebp
	xor	edi, edi
	jmp	ecx
bits 64

section .data
align 16
; Accessed bits preset (0x9b/0x93) so loading a selector never writes the GDT.
gdt:
	dq	0
	dq	0x00cf9b000000ffff	; 0x08: 32-bit flat code (compatibility mode hop)
	dq	0x00af9b000000ffff	; 0x10: 64-bit flat code
	dq	0x00cf93000000ffff	; 0x18: flat data
gdt_end:
gdt32:
	dq	0
	dq	0
	dq	0x00cf9b000000ffff	; 0x10: 32-bit flat code (code32_start contract)
	dq	0x00cf93000000ffff	; 0x18: flat data
gdt32_end:
align 8
gdt_desc:
	dw	gdt_end - gdt - 1
	dq	gdt			; absolute: an R_X86_64_64 the kexkit linker fills in
align 8
gdt32_desc:
	dw	gdt32_end - gdt32 - 1
	dd	0			; filled at run time (32-bit code has no rip-relative)

align 16
kexkit_entry_x86_64:
	times ENTRY64_SIZE db 0

section .bss
align 16
stack:
	resb	16384
stack_top:
kexkit_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
