/*
 * W^X by faults, for loaders without IMAGE_DLLCHARACTERISTICS_NX_COMPAT (GRUB 2.06,
 * shim's own loader, systemd-stub 252): they write code into EfiLoaderCode pages and
 * run it. Such pages (PT_FLIP, a software bit of the descriptor) are never writable and
 * executable at once: an instruction fetch makes one read-only-executable, after the
 * cache maintenance new code needs; a write makes it read-write, execute-never again.
 *
 * A store whose target shares its page with the store instruction would livelock (the
 * fetch wants X, the store wants W, each fault undoes the other). GRUB's modules do
 * that: each one's text and data are one allocation. Such a page is made RWX, which
 * needs SCTLR.WXN off: it is off while any RWX page exists, and only those pages are
 * both; every other mapping stays W^X by its descriptor.
 */
#include "log.h"
#include "mmu.h"
#include "wx.h"

#define PAGE 4096ULL
#define ESR_EC(esr)   ((unsigned)((esr) >> 26) & 0x3f)
#define EC_IABT_CUR   0x21      /* instruction abort, same EL */
#define EC_DABT_CUR   0x25      /* data abort, same EL */
#define ESR_WNR       (1u << 6) /* the data abort was a write (also DC IVAC, atomics) */
#define ESR_FNV       (1u << 10)/* FAR not valid */
#define FSC_PERM(esr) (((esr) & 0x3c) == 0x0c)

static struct wx_stats stats;

int wx_mark(uint64_t base, uint64_t size)
{
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

/* The store at elr writes the page it runs from. */
static int make_rwx(uint64_t page, uint64_t elr)
{
	if (!stats.rwx_made)
		info("EFI-lite: W^X: the store at %#llx writes the page it runs from: that page and any "
		     "other like it become RWX, with SCTLR.WXN off while one exists",
		     (unsigned long long)elr);
	if (!stats.rwx_now++)
		mmu_set_wxn(false);
	stats.rwx_made++;
	mmu_sync_icache(page);
	return mmu_set_prot(page, PAGE, PT_R | PT_W | PT_X | PT_FLIP);
}

/* The abort hit page, a flip page with protection prot: the protection that lets the
 * faulting access go on, or 0 when the abort is not the flip's to handle. */
static unsigned next_prot(uint64_t esr, uint64_t page, uint64_t elr, unsigned prot)
{
	if (ESR_EC(esr) == EC_IABT_CUR)
		return prot & PT_X ? 0 : PT_R | PT_X | PT_FLIP;
	if (!(esr & ESR_WNR) || (prot & PT_W))
		return 0;
	if ((elr & ~(PAGE - 1)) == page)
		return PT_R | PT_W | PT_X | PT_FLIP;
	return PT_R | PT_W | PT_FLIP;
}

bool wx_abort(uint64_t esr, uint64_t far, uint64_t elr)
{
	uint64_t page = far & ~(PAGE - 1);
	unsigned prot, next;

	if ((ESR_EC(esr) != EC_IABT_CUR && ESR_EC(esr) != EC_DABT_CUR) || !FSC_PERM(esr) ||
	    (esr & ESR_FNV))
		return false;
	prot = mmu_get_prot(page);
	/* An unaligned store across a page boundary may report the page it could write. */
	if (ESR_EC(esr) == EC_DABT_CUR && (prot & PT_W) && (far & (PAGE - 1)) >= PAGE - 64) {
		page += PAGE;
		prot = mmu_get_prot(page);
	}
	if (!(prot & PT_FLIP))
		return false;
	next = next_prot(esr, page, elr, prot);
	if (!next)
		return false;
	if (next & PT_W && next & PT_X)
		return !make_rwx(page, elr);
	if (next & PT_X) {
		mmu_sync_icache(page);  /* before it can be fetched from */
		stats.to_x++;
	} else {
		stats.to_w++;
	}
	/* A block is split here: a table page is the only thing this may allocate. */
	return !mmu_set_prot(page, PAGE, next);
}

const struct wx_stats *wx_stats(void)
{
	return &stats;
}
