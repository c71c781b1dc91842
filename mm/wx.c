/*
 * W^X by faults, for loaders without IMAGE_DLLCHARACTERISTICS_NX_COMPAT (GRUB 2.06,
 * shim's own loader, systemd-stub 252): they write code into EfiLoaderCode pages and
 * run it. Such pages (PT_FLIP, a software bit of the descriptor) are never writable and
 * executable at once: an instruction fetch makes one read-only-executable, after the
 * cache maintenance new code needs; a write makes it read-write, execute-never again.
 *
 * A store whose target shares its page with the store instruction would livelock (the
 * fetch wants X, the store wants W, each fault undoes the other). GRUB's modules do
 * that: each one's text and data are one allocation. Such a store runs out of line
 * instead: the page goes read-write, a copy of the instruction runs from a trampoline
 * page of EFI-lite's (read-only-executable) followed by a BRK, and the BRK puts the page
 * back to read-only-executable and returns after the original instruction. No store
 * reads the PC, so the copy does what the original would.
 *
 * Only a store-exclusive cannot run that way (the exception between its load-exclusive
 * and it may clear the monitor, so it could fail forever): its page becomes RWX, which
 * needs SCTLR.WXN off. WXN is off while any RWX page exists, and only those pages are
 * both; every other mapping stays W^X by its descriptor.
 */
#include "log.h"
#include "mmu.h"
#include "pages.h"
#include "wx.h"

#define PAGE 4096ULL
#define ESR_EC(esr)   ((unsigned)((esr) >> 26) & 0x3f)
#define EC_IABT_CUR   0x21      /* instruction abort, same EL */
#define EC_DABT_CUR   0x25      /* data abort, same EL */
#define EC_BRK        0x3c      /* BRK instruction */
#define ESR_WNR       (1u << 6) /* the data abort was a write (also DC IVAC, atomics) */
#define ESR_FNV       (1u << 10)/* FAR not valid */
#define FSC_PERM(esr) (((esr) & 0x3c) == 0x0c)
#define WX_BRK_IMM    0x5758    /* "WX" */
#define A64_BRK(imm)  (0xd4200000u | (imm) << 5)
/* STXR, STLXR, STXP, STLXP: load/store exclusive, o2 = 0, L = 0 */
#define IS_STORE_EXCLUSIVE(i) (((i) & 0x3fc00000u) == 0x08000000u)

#define SLOTS 256               /* trampolines of two instructions: the copy, BRK */

static struct wx_stats stats;
static uint32_t *tramp;         /* SLOTS * 8 bytes in a page of its own */
static uint64_t slot_elr[SLOTS];
static uint32_t slot_insn[SLOTS];

int wx_mark(uint64_t base, uint64_t size)
{
	/* Allocated here, not in the abort handler: a legacy image has started. */
	if (!tramp && !(tramp = page_alloc(1)))
		return -1;
	return mmu_set_prot(base, size, PT_R | PT_W | PT_FLIP);
}

/* The RWX pages in [base, base+size) are about to become something else: the last one
 * gone turns WXN back on. */
void wx_unflip(uint64_t base, uint64_t size)
{
	if (stats.rwx_now)
		for (uint64_t a = base; a < base + size; a += PAGE)
			if ((mmu_get_prot(a) & (PT_FLIP | PT_W | PT_X)) == (PT_FLIP | PT_W | PT_X) &&
			    !--stats.rwx_now)
				mmu_set_wxn(true);
}

/* Freed: plain read-write, execute-never, as all free RAM is. */
void wx_release(uint64_t base, uint64_t size)
{
	wx_unflip(base, size);
	mmu_set_prot(base, size, PT_R | PT_W);
}

/* The store-exclusive at elr writes the page it runs from. */
static uint64_t make_rwx(uint64_t page, uint64_t elr)
{
	if (!stats.rwx_made)
		info("EFI-lite: W^X: the store-exclusive at %#llx writes the page it runs from: "
		     "that page and any other like it become RWX, with SCTLR.WXN off while one "
		     "exists", (unsigned long long)elr);
	if (!stats.rwx_now++)
		mmu_set_wxn(false);
	stats.rwx_made++;
	mmu_sync_icache(page);
	return mmu_set_prot(page, PAGE, PT_R | PT_W | PT_X | PT_FLIP) ? 0 : elr;
}

static uint64_t flip(uint64_t page, unsigned prot, uint64_t resume)
{
	if (prot & PT_X) {
		mmu_sync_icache(page);  /* before it can be fetched from */
		stats.to_x++;
	} else {
		stats.to_w++;
	}
	/* A block is split here: a table page is the only thing this may allocate. */
	return mmu_set_prot(page, PAGE, prot) ? 0 : resume;
}

/* The store at elr writes its own page: run a copy of it from a trampoline, with the
 * page read-write; the BRK after the copy comes back to from_trampoline. */
static uint64_t out_of_line(uint64_t page, uint64_t elr)
{
	uint32_t insn = *(volatile uint32_t *)elr;      /* readable: the page is RX */
	unsigned i = (elr >> 2) % SLOTS;
	uint32_t *slot = tramp + 2 * i;

	if (IS_STORE_EXCLUSIVE(insn))
		return make_rwx(page, elr);
	if (slot_elr[i] != elr || slot_insn[i] != insn) {
		if (mmu_set_prot((uint64_t)tramp, PAGE, PT_R | PT_W))
			return 0;
		slot[0] = insn;
		slot[1] = A64_BRK(WX_BRK_IMM);
		mmu_sync_icache((uint64_t)tramp);
		if (mmu_set_prot((uint64_t)tramp, PAGE, PT_R | PT_X))
			return 0;
		slot_elr[i] = elr;
		slot_insn[i] = insn;
	}
	stats.out_of_line++;
	return flip(page, PT_R | PT_W | PT_FLIP, (uint64_t)slot);
}

/* The BRK after a trampoline's copy: the store is done, on after the original. */
static uint64_t from_trampoline(uint64_t esr, uint64_t elr)
{
	uint64_t off = elr - (uint64_t)tramp, orig;

	if (!tramp || (esr & 0xffff) != WX_BRK_IMM || off >= SLOTS * 8 || (off & 7) != 4)
		return 0;
	orig = slot_elr[off / 8];
	return flip(orig & ~(PAGE - 1), PT_R | PT_X | PT_FLIP, orig + 4);
}

uint64_t wx_abort(uint64_t esr, uint64_t far, uint64_t elr)
{
	uint64_t page = far & ~(PAGE - 1);
	unsigned prot;

	if (ESR_EC(esr) == EC_BRK)
		return from_trampoline(esr, elr);
	if ((ESR_EC(esr) != EC_IABT_CUR && ESR_EC(esr) != EC_DABT_CUR) || !FSC_PERM(esr) ||
	    (esr & ESR_FNV))
		return 0;
	prot = mmu_get_prot(page);
	/* An unaligned store across a page boundary may report the page it could write. */
	if (ESR_EC(esr) == EC_DABT_CUR && (prot & PT_W) && (far & (PAGE - 1)) >= PAGE - 64) {
		page += PAGE;
		prot = mmu_get_prot(page);
	}
	if (!(prot & PT_FLIP))
		return 0;
	if (ESR_EC(esr) == EC_IABT_CUR)
		return prot & PT_X ? 0 : flip(page, PT_R | PT_X | PT_FLIP, elr);
	if (!(esr & ESR_WNR) || (prot & PT_W))
		return 0;
	if ((elr & ~(PAGE - 1)) == page)
		return out_of_line(page, elr);
	return flip(page, PT_R | PT_W | PT_FLIP, elr);
}

const struct wx_stats *wx_stats(void)
{
	return &stats;
}
