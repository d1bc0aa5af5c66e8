// Multiboot v1 entry: 32-bit protected mode -> identity-mapped long mode -> C.
// Also the 32-bit half of the AP start-up path (the 16-bit half is trampoline.S).
#include "layout.h"

#define MB_HEADER_MAGIC 0x1BADB002
#define MB_HEADER_FLAGS 0x00000003  // bit 0: page-align modules, bit 1: memory info

#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_CODE64 0x18

#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define PTE_PRESENT 0x1
#define PTE_WRITE 0x2
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_LARGE 0x80

// Multiboot spec 3.1.1: magic, flags, checksum, 32-bit aligned within the first 8 KiB.
	.section .multiboot, "a"
	.balign 4
	.long MB_HEADER_MAGIC
	.long MB_HEADER_FLAGS
	.long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

// Paging on with PAE and the 4-level tables, EFER.LME set, then a far jump into the
// 64-bit code segment (Intel SDM Vol. 3A 10.8.5, "Initializing IA-32e Mode").
.macro ENTER_LONG_MODE target
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0
	ljmp $SEL_CODE64, $\target
.endm

.macro LOAD_DATA_SEGMENTS
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
.endm

	.section .text.boot, "ax"
	.code32
	.globl multiboot_entry
multiboot_entry:
	// Multiboot spec 3.2: EAX = 0x2BADB002, EBX = info; flat CS/DS, no stack, no GDT we may keep.
	cli
	cld
	mov %eax, %edx
	mov %ebx, %esi
	lgdt gdt_descriptor
	ljmp $SEL_CODE32, $1f
1:	LOAD_DATA_SEGMENTS
	// Zero .bss ourselves rather than trusting every loader to honour p_memsz.
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov %edx, boot_magic
	mov %esi, boot_info_addr

	// PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages = 0..4 GiB.
	mov $pdpt, %eax
	or $(PTE_PRESENT | PTE_WRITE), %eax
	mov %eax, pml4
	mov $page_dirs, %eax
	or $(PTE_PRESENT | PTE_WRITE), %eax
	mov $pdpt, %edi
	mov $4, %ecx
2:	mov %eax, (%edi)
	add $4096, %eax
	add $8, %edi
	loop 2b
	mov $page_dirs, %edi
	mov $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
	mov $2048, %ecx
3:	mov %eax, (%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 3b
	// 3-4 GiB holds only MMIO (PCI window, IOAPIC, LAPIC, testdev): map it uncached.
	mov $(page_dirs + 3 * 4096), %edi
	mov $512, %ecx
4:	orl $(PTE_PCD | PTE_PWT), (%edi)
	add $8, %edi
	loop 4b

	ENTER_LONG_MODE bsp_entry64

	// APs arrive here from trampoline.S in protected mode with our GDT loaded.
	.globl ap_entry32
ap_entry32:
	LOAD_DATA_SEGMENTS
	ENTER_LONG_MODE ap_entry64

	.code64
bsp_entry64:
	LOAD_DATA_SEGMENTS
	mov $bsp_stack_top, %rsp
	xor %ebp, %ebp
	call guest_start
5:	cli
	hlt
	jmp 5b

ap_entry64:
	LOAD_DATA_SEGMENTS
	mov ap_stack_top(%rip), %rsp
	xor %ebp, %ebp
	call ap_start
6:	cli
	hlt
	jmp 6b

	.section .rodata
	.balign 16
	.globl gdt
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff  // SEL_CODE32: base 0, limit 4 GiB, execute/read, D=1
	.quad 0x00cf92000000ffff  // SEL_DATA: base 0, limit 4 GiB, read/write
	.quad 0x00af9a000000ffff  // SEL_CODE64: L=1, D=0 (SDM Vol. 3A 5.2.1)
gdt_end:
	.balign 8
	.globl gdt_descriptor
gdt_descriptor:
	.word gdt_end - gdt - 1
	.long gdt

	.section .bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
page_dirs:
	.skip 4 * 4096
	.balign 16
	.skip BSP_STACK_SIZE
bsp_stack_top:
	.globl boot_magic, boot_info_addr
boot_magic:	.skip 4
boot_info_addr:	.skip 4
