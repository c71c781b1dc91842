/* Switching translation tables while running on them. */
#include "asm.h"

/*
 * mmu_switch(ttbr, tcr): install new EL1 tables that map this code identically.
 * Break-before-make holds because between the TTBR write and the TLB invalidation
 * nothing but instruction fetches happens, and this code's pages have the same size,
 * address and attributes in the old and the new tables, so no lookup can hit two
 * entries; data addresses are touched only once the old entries are gone.
 * Both tables start their walk at level 1, so the old T0SZ with the new root (or the
 * other way round, as TCR may be cached in the TLB) still finds this code: the new
 * root's first four entries cover what the old four-entry root did.
 */
	.text
	.globl	mmu_switch
mmu_switch:
	dsb	ishst			/* the new tables are visible to the walker */
	msr	ttbr0_el1, x0
	msr	tcr_el1, x1
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ret

/*
 * tlb_flush_all(el): drop every TLB entry of the current regime after a live change. A
 * change may turn a table into a block or back, leaving entries for many addresses:
 * live changes are rare (image sections, memory attributes), so no finer aim is worth it.
 */
	.globl	tlb_flush_all
tlb_flush_all:
	dsb	ishst
	cmp	x0, #1
	b.ne	1f
	tlbi	vmalle1
	b	2f
1:	tlbi	alle2
2:	dsb	nsh
	isb
	ret
