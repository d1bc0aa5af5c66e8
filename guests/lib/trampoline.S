// 16-bit real-mode start-up code for application processors. It is copied to
// AP_TRAMPOLINE_BASE; a SIPI starts the AP at CS = base >> 4, IP = 0, so it only uses
// CS-relative data and absolute far jumps into the kernel image.
#include "layout.h"

	.section .rodata.trampoline, "a"
	.code16
	.globl ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl trampoline_gdtr - ap_trampoline_start
	mov %cr0, %eax
	or $1, %eax  // CR0.PE
	mov %eax, %cr0
	ljmpl $0x08, $ap_entry32
	.balign 8
trampoline_gdtr:  // lgdtl with a 32-bit operand loads the full 32-bit base
	.word 31
	.long gdt
ap_trampoline_end:
