// One 16-byte stub per IDT vector. Each pushes a dummy error code where the CPU pushes
// none (SDM Vol. 3A 7.13: vectors 8, 10-14, 17, 21, 29 and 30 push one), then the vector,
// so interrupt_dispatch() always sees the same frame layout.
	.text
	.code64
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	pushq $vec
	.else
	pushq $0
	pushq $vec
	.endif
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi  // 176 bytes pushed in all: RSP is 16-byte aligned for the call
	cld
	call interrupt_dispatch
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp  // vector and error code
	iretq
