/*
 * Reset vector. QEMU enters here at EL1, EL2 (virtualization=on) or EL3 (secure=on)
 * with the MMU and caches off. Everything before the SCTLR write only touches system
 * registers: no load or store, not even a literal load, happens with the MMU off, so
 * nothing in memory can be incoherent with the host's cached view of it (the point of
 * efilite: KVM then needs no cache maintenance to the point of coherency).
 *
 * The translation tables are baked into flash at build time (mm/mkbaked.c) in the EL1
 * format. Entered at EL2, we drop to EL1 with its MMU already on and come back up to EL2
 * once the run-time tables exist (el2_rise below), so the kernel is still entered at EL2.
 * Entered at EL3 (not supported), we drop to secure EL1 just to say so and power off.
 */
#include "layout.h"
#include "arch.h"
#include "asm.h"
#include "baked.h"

	.section .text.head, "ax"
	.globl	_start
_start:
	mrs	x20, cntpct_el0		/* when we started, for the boot-stage report */
	mrs	x19, CurrentEL
	adr	x0, el1_entry
	mov	x1, #SPSR_EL1H
	cmp	x19, #(2 << 2)
	b.eq	from_el2
	b.hi	from_el3

el1_entry:
	mov_q	x0, BAKED_MAIR
	msr	mair_el1, x0
	mov_q	x0, BAKED_TCR
	msr	tcr_el1, x0
	adr_l	x0, __pgtables_start + BAKED_ROOT
	msr	ttbr0_el1, x0
	mov	x0, #CPACR_FPEN
	msr	cpacr_el1, x0
	tlbi	vmalle1
	dsb	nsh
	isb
	mov_q	x0, SCTLR_EL1_RES1 | SCTLR_ON
	msr	sctlr_el1, x0
	isb
	b	mmu_on

from_el2:
	msr	elr_el2, x0
	msr	spsr_el2, x1
	mov	x0, #HCR_EL2_RW
	msr	hcr_el2, x0
	msr	vttbr_el2, xzr
	mov	x0, #CPTR_EL2_RES1
	msr	cptr_el2, x0
	mov	x0, #CNTHCTL_EL1PCEN
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mov_q	x0, SCTLR_EL2_RES1
	msr	sctlr_el2, x0
	adr	x0, el2_stub_vectors
	msr	vbar_el2, x0
	isb
	eret

from_el3:
	msr	elr_el3, x0
	msr	spsr_el3, x1
	mov	x0, #SCR_EL3_RW
	msr	scr_el3, x0
	msr	cptr_el3, xzr
	isb
	eret

/*
 * EL2 while the firmware runs at EL1: one service, el2_rise (HVC with x0 = the run-time
 * table base, x1 = TCR_EL2, x2 = the exception stack): turn the EL2 MMU on with those
 * tables and continue after the HVC at EL2 (on SP_EL0, the same stack). Registers only:
 * the EL2 MMU is off here. Anything else that reaches EL2 is reported at EL1. This is
 * not in page 0 with the reset code: the instructions after the SCTLR write run on the
 * run-time tables, which leave page 0 unmapped.
 */
	.section .text.el2stub, "ax"
	.balign	2048
el2_stub_vectors:
el2_unexpected:				/* slot 0; every slot but one comes here */
	mrs	x0, esr_el2
	mrs	x1, elr_el2
	adr_l	x9, el2_unexpected_report
	msr	elr_el2, x9
	mov	x9, #SPSR_EL1H
	msr	spsr_el2, x9
	eret
	.irp	slot, 1, 2, 3, 4, 5, 6, 7
	.org	el2_stub_vectors + \slot * 0x80
	b	el2_unexpected
	.endr
	.org	el2_stub_vectors + 0x400	/* lower EL, AArch64, synchronous */
	mrs	x9, esr_el2
	ubfx	x9, x9, #26, #6
	cmp	x9, #0x16		/* HVC */
	b.ne	el2_unexpected
	msr	ttbr0_el2, x0
	msr	tcr_el2, x1
	mov	sp, x2
	mov_l	x9, BAKED_MAIR
	msr	mair_el2, x9
	adr_l	x9, exception_vectors
	msr	vbar_el2, x9
	tlbi	alle2
	dsb	nsh
	isb
	mov_l	x9, SCTLR_EL2_RES1 | SCTLR_ON
	msr	sctlr_el2, x9
	mov_l	x9, SCTLR_EL1_RES1	/* EL1's MMU is no longer ours */
	msr	sctlr_el1, x9
	mov	x9, #SPSR_EL2T
	msr	spsr_el2, x9
	isb
	eret
	.irp	slot, 9, 10, 11, 12, 13, 14, 15
	.org	el2_stub_vectors + \slot * 0x80
	b	el2_unexpected
	.endr
	.org	el2_stub_vectors + 0x800

	/* MMU and caches are on from here: memory may be used. */
	.text
mmu_on:
	adr_l	x0, exception_vectors
	msr	vbar_el1, x0
	isb
	/* Exceptions run on SP_ELx (their own stack), the firmware on SP_EL0, so a
	 * stack overflow into the guard page can still be reported. */
	mov_q	x0, EXC_STACK_TOP
	mov	sp, x0
	msr	spsel, #0
	mov_q	x0, STACK_TOP
	mov	sp, x0
	mov	x29, xzr
	mov	x30, xzr

	adr_l	x0, __data_start
	adr_l	x1, __data_lma
	adr_l	x2, __data_end
1:	cmp	x0, x2
	b.hs	2f
	ldp	x3, x4, [x1], #16
	stp	x3, x4, [x0], #16
	b	1b
2:	adr_l	x2, __bss_end
3:	cmp	x0, x2
	b.hs	4f
	stp	xzr, xzr, [x0], #16
	b	3b
4:	lsr	x0, x19, #2
	mov	x1, x20
	bl	efilite_main
	b	.

/* el2_rise(root, tcr, exc_stack): see the EL2 stub above. */
	.globl	el2_rise
el2_rise:
	dsb	ishst			/* the tables are visible to the EL2 walker */
	hvc	#0
	ret
