/*
 * Reset vector. QEMU enters here at EL1, EL2 (virtualization=on) or EL3 (secure=on)
 * with the MMU and caches off. Everything before the SCTLR write only touches system
 * registers: no load or store, not even a literal load, happens with the MMU off, so
 * nothing in memory can be incoherent with the host's cached view of it (the point of
 * efilite: KVM then needs no cache maintenance to the point of coherency).
 *
 * The translation tables are baked into flash at build time (mm/mkbaked.c) in the EL1
 * format. Entered at EL2, we drop to EL1 with its MMU already on and come back up to EL2
 * once the run-time tables exist (el2_rise, boot/el2.S), so the kernel is still entered at EL2.
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
