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

/*
 * sctlr_set_wxn(el, on): SCTLR_ELx.WXN, bit 19. TLB entries may hold the permissions
 * WXN implied, so they go too.
 */
	.globl	sctlr_set_wxn
sctlr_set_wxn:
	cmp	x0, #1
	b.ne	1f
	mrs	x2, sctlr_el1
	bfi	x2, x1, #19, #1
	msr	sctlr_el1, x2
	b	2f
1:	mrs	x2, sctlr_el2
	bfi	x2, x1, #19, #1
	msr	sctlr_el2, x2
2:	isb
	b	tlb_flush_all

/*
 * icache_sync_page(addr): instructions written through the data side into the 4 KiB
 * page at addr become visible to fetches: clean the D-cache to the point of
 * unification, invalidate the I-cache, by the line sizes CTR_EL0 gives (its IDC and
 * DIC bits say when a step is not needed).
 */
	.globl	icache_sync_page
icache_sync_page:
	mrs	x3, ctr_el0
	add	x2, x0, #4096
	tbnz	x3, #28, 2f		/* IDC */
	ubfx	x4, x3, #16, #4		/* DminLine: log2 of words */
	mov	x5, #4
	lsl	x5, x5, x4
	mov	x1, x0
1:	dc	cvau, x1
	add	x1, x1, x5
	cmp	x1, x2
	b.lo	1b
2:	dsb	ish
	tbnz	x3, #29, 4f		/* DIC */
	and	x4, x3, #0xf		/* IminLine */
	mov	x5, #4
	lsl	x5, x5, x4
	mov	x1, x0
3:	ic	ivau, x1
	add	x1, x1, x5
	cmp	x1, x2
	b.lo	3b
	dsb	ish
4:	isb
	ret
