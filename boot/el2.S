/*
 * The EL2 side of a boot entered at EL2 (see boot/head.S): the stub that holds EL2 while
 * the firmware runs at EL1 on the baked tables, and el2_rise, which takes the firmware up
 * to EL2 on its run-time tables.
 */
#include "layout.h"
#include "arch.h"
#include "asm.h"
#include "baked.h"

/*
 * EL2 while the firmware runs at EL1: one service, el2_rise (HVC with x0 = the run-time
 * table base, x1 = TCR_EL2, x2 = the exception stack): turn the EL2 MMU on with those
 * tables and continue after the HVC at EL2 (on SP_EL0, the same stack). Registers only:
 * the EL2 MMU is off here. Anything else that reaches EL2 is reported at EL1. It lives
 * in page 0 beside the reset code (the linker script): with the MMU off it needs no
 * mapping, and that page's 2 KiB-aligned upper half was padding. The SCTLR write and
 * what follows it run on the run-time tables, which leave page 0 unmapped, so that
 * part (el2_mmu_on) is in .text.
 */
	.section .text.el2stub, "ax"
	.balign	2048
	.globl	el2_stub_vectors
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
	b	el2_mmu_on
	.irp	slot, 9, 10, 11, 12, 13, 14, 15
	.org	el2_stub_vectors + \slot * 0x80
	b	el2_unexpected
	.endr
	.org	el2_stub_vectors + 0x800

	.text
/* The end of the HVC: from the EL2 MMU on, registers only still. */
	.globl	el2_mmu_on
el2_mmu_on:
	msr	sctlr_el2, x9
	mov_l	x9, SCTLR_EL1_RES1	/* EL1's MMU is no longer ours */
	msr	sctlr_el1, x9
	mov	x9, #SPSR_EL2T
	msr	spsr_el2, x9
	isb
	eret

/* el2_rise(root, tcr, exc_stack): through the stub above. */
	.globl	el2_rise
el2_rise:
	dsb	ishst			/* the tables are visible to the EL2 walker */
	hvc	#0
	ret
