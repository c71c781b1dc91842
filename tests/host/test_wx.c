/* mm/wx.c over a fake set of page permissions on real memory: which aborts flip which
 * pages, that a store into its own page runs from a trampoline and comes back after
 * it, that a page is never writable and executable but for a store-exclusive's, that the
 * I-cache is synced before a page becomes executable, and when WXN is on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <stdlib.h>
#include "mmu.h"
#include "pages.h"
#include "wx.h"

#define PAGES 16
static uint8_t ram[PAGES * 4096] __attribute__((aligned(4096)));
#define BASE  ((uint64_t)ram)
#define PG(n) (BASE + (n) * 4096ULL)

static uint32_t *tramp;                 /* the one page_alloc gives */
static unsigned tramp_prot = PT_R | PT_W, tramp_writes;
static unsigned prot[PAGES];
static bool synced[PAGES];              /* I-cache synced since the page was last W */
static bool wxn = true, fail_next_set;
static unsigned nr_wxn_changes;

void *page_alloc(size_t pages)
{
	assert_int_equal(pages, 1);
	assert_null(tramp);                     /* once */
	tramp = aligned_alloc(4096, 4096);
	return memset(tramp, 0, 4096);
}

unsigned mmu_get_prot(uint64_t addr)
{
	assert_true(addr >= BASE && addr < PG(PAGES));
	return prot[(addr - BASE) / 4096];
}

int mmu_set_prot(uint64_t base, uint64_t size, unsigned p)
{
	if (fail_next_set) {
		fail_next_set = false;
		return -1;
	}
	if (base == (uint64_t)tramp) {          /* EFI-lite's own page: never W+X */
		assert_int_equal(size, 4096);
		assert_true(p == (PT_R | PT_W) || p == (PT_R | PT_X));
		tramp_writes += p & PT_W ? 1 : 0;
		tramp_prot = p;
		return 0;
	}
	for (uint64_t a = base; a < base + size; a += 4096) {
		unsigned i = (a - BASE) / 4096;

		assert_true(a >= BASE && a < PG(PAGES));
		if (p & PT_X)           /* new code must be visible to fetches first */
			assert_true(synced[i] || !(prot[i] & PT_W));
		if ((p & PT_W) && (p & PT_X))
			assert_true((p & PT_FLIP) && !wxn);     /* only with WXN off */
		if (p & PT_W && !(p & PT_X))
			synced[i] = false;
		prot[i] = p;
	}
	return 0;
}

void mmu_set_wxn(bool on)
{
	assert_int_not_equal(on, wxn);
	wxn = on;
	nr_wxn_changes++;
}

void mmu_sync_icache(uint64_t addr)
{
	assert_int_equal(addr & 0xfff, 0);
	if (addr != (uint64_t)tramp)
		synced[(addr - BASE) / 4096] = true;
}

void log_msg(int level, const char *fmt, ...)
{
}

/* ESR values: EC, IL, and the ISS bits the handler reads. */
#define IABT(fsc)        ((0x21ULL << 26) | (1 << 25) | (fsc))
#define DABT(fsc, write) ((0x25ULL << 26) | (1 << 25) | ((write) ? 1 << 6 : 0) | (fsc))
#define BRK(imm)         ((0x3cULL << 26) | (1 << 25) | (imm))
#define PERM3 0x0f
#define PERM2 0x0e
#define TRANS3 0x07

static struct wx_stats before;

static int setup(void **state)
{
	memset(prot, 0, sizeof(prot));
	memset(ram, 0, sizeof(ram));
	memset(synced, 0, sizeof(synced));
	for (unsigned i = 0; i < PAGES; i++)
		prot[i] = PT_R | PT_W;
	assert_int_equal(wx_mark(PG(0), 8 * 4096), 0);
	before = *wx_stats();
	return 0;
}

static int teardown(void **state)
{
	wx_release(PG(0), PAGES * 4096);
	assert_true(wxn);
	return 0;
}

static void expect_counts(uint64_t x, uint64_t w, uint64_t ool, uint64_t made, uint64_t now)
{
	const struct wx_stats *s = wx_stats();

	assert_int_equal(s->to_x - before.to_x, x);
	assert_int_equal(s->to_w - before.to_w, w);
	assert_int_equal(s->out_of_line - before.out_of_line, ool);
	assert_int_equal(s->rwx_made - before.rwx_made, made);
	assert_int_equal(s->rwx_now, now);
}

static void test_mark_makes_rw_flip_pages(void **state)
{
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(prot[i], PT_R | PT_W | PT_FLIP);
	assert_int_equal(prot[8], PT_R | PT_W);
	assert_non_null(tramp);
}

/* Code in page 1 writes page 2, then page 1 is rewritten and run again. */
static void test_fetch_and_write_flip(void **state)
{
	assert_true(wx_abort(IABT(PERM3), PG(1) + 0x10, PG(1) + 0x10));
	assert_int_equal(prot[1], PT_R | PT_X | PT_FLIP);
	assert_true(synced[1]);
	/* a store from page 1 into page 2: page 2 is writable already, no fault; a store
	 * by the firmware into page 1 (its code rewritten): back to RW */
	assert_true(wx_abort(DABT(PERM3, 1), PG(1) + 4, 0x12340));
	assert_int_equal(prot[1], PT_R | PT_W | PT_FLIP);
	assert_false(synced[1]);
	assert_true(wx_abort(IABT(PERM3), PG(1), PG(1)));
	assert_int_equal(prot[1], PT_R | PT_X | PT_FLIP);
	expect_counts(2, 1, 0, 0, 0);
	assert_true(wxn);
}

static void put_insn(uint64_t at, uint32_t insn)
{
	*(uint32_t *)at = insn;
}

/* The store at PG(3)+8 writes PG(3)+0x800: it runs from a trampoline, the page RW, and
 * the BRK after it puts the page back to RX and resumes after the store. */
static void test_store_into_own_page_runs_out_of_line(void **state)
{
	uint64_t at = PG(3) + 8, slot, resume;

	put_insn(at, 0xb9000001);                               /* str w1, [x0] */
	assert_true(wx_abort(IABT(PERM3), PG(3), PG(3)));
	slot = wx_abort(DABT(PERM3, 1), PG(3) + 0x800, at);
	assert_true(slot >= (uint64_t)tramp && slot < (uint64_t)tramp + 4096);
	assert_int_equal(slot & 7, 0);
	assert_int_equal(*(uint32_t *)slot, 0xb9000001);        /* the copy... */
	assert_int_equal(*(uint32_t *)(slot + 4), 0xd42aeb00);  /* ... then brk #0x5758 */
	assert_int_equal(tramp_prot, PT_R | PT_X);
	assert_int_equal(prot[3], PT_R | PT_W | PT_FLIP);
	assert_true(wxn);
	resume = wx_abort(BRK(0x5758), 0, slot + 4);
	assert_int_equal(resume, at + 4);
	assert_int_equal(prot[3], PT_R | PT_X | PT_FLIP);
	assert_true(synced[3]);
	expect_counts(2, 1, 1, 0, 0);
	/* the same store again: the trampoline is not rewritten */
	unsigned writes = tramp_writes;

	assert_int_equal(wx_abort(DABT(PERM3, 1), PG(3) + 0x804, at), slot);
	assert_int_equal(wx_abort(BRK(0x5758), 0, slot + 4), at + 4);
	assert_int_equal(tramp_writes, writes);
	/* a BRK that is not ours, or not after a slot's copy */
	assert_int_equal(wx_abort(BRK(0x1234), 0, slot + 4), 0);
	assert_int_equal(wx_abort(BRK(0x5758), 0, slot), 0);
	assert_int_equal(wx_abort(BRK(0x5758), 0, PG(3) + 4), 0);
	assert_true(wxn);
}

/* A store-exclusive into its own page gets RWX (WXN off), until the page is freed. */
static void test_store_exclusive_into_own_page_makes_rwx(void **state)
{
	unsigned changes = nr_wxn_changes;

	put_insn(PG(3) + 4, 0x88037c01);                        /* stxr w3, w1, [x0] */
	put_insn(PG(5) + 0xffc, 0x88237c01);                    /* stlxp w3, w1, w0, [x0] */
	assert_true(wx_abort(IABT(PERM3), PG(3), PG(3)));
	assert_int_equal(wx_abort(DABT(PERM3, 1), PG(3) + 0x800, PG(3) + 4), PG(3) + 4);
	assert_int_equal(prot[3], PT_R | PT_W | PT_X | PT_FLIP);
	assert_false(wxn);
	/* a second such page: WXN stays off, and comes back with the last one freed */
	assert_true(wx_abort(IABT(PERM3), PG(5), PG(5)));
	assert_true(wx_abort(DABT(PERM3, 1), PG(5) + 0xff8, PG(5) + 0xffc));
	expect_counts(2, 0, 0, 2, 2);
	wx_release(PG(3), 4096);
	assert_false(wxn);
	assert_int_equal(prot[3], PT_R | PT_W);
	wx_release(PG(4), 2 * 4096);
	assert_true(wxn);
	expect_counts(2, 0, 0, 2, 0);
	assert_int_equal(nr_wxn_changes - changes, 2);
}

/* An executable page written by code elsewhere goes RW, never RWX. */
static void test_store_from_elsewhere_is_never_rwx(void **state)
{
	assert_true(wx_abort(IABT(PERM2), PG(6), PG(6)));       /* a block's fault, too */
	assert_true(wx_abort(DABT(PERM3, 1), PG(6) + 8, PG(7) + 0xffc));
	assert_int_equal(prot[6], PT_R | PT_W | PT_FLIP);
	assert_true(wxn);
}

static void test_the_rest_is_not_ours(void **state)
{
	unsigned saved[PAGES];

	assert_true(wx_abort(IABT(PERM3), PG(2), PG(2)));
	memcpy(saved, prot, sizeof(prot));
	assert_false(wx_abort(IABT(PERM3), PG(8), PG(8)));              /* not a flip page */
	assert_false(wx_abort(DABT(PERM3, 1), PG(9), 0x1000));
	assert_false(wx_abort(IABT(TRANS3), PG(1), PG(1)));             /* not a permission fault */
	assert_false(wx_abort(DABT(PERM3, 0), PG(2), 0x1000));          /* a read */
	assert_false(wx_abort(IABT(PERM3), PG(2), PG(2)));              /* RX already: no loop */
	assert_false(wx_abort(DABT(PERM3, 1), PG(1), 0x1000));          /* RW already */
	assert_false(wx_abort(DABT(PERM3, 1) | (1 << 10), PG(2), 0x1000));   /* FnV */
	assert_false(wx_abort((0x20ULL << 26) | PERM3, PG(1), PG(1)));  /* from a lower EL */
	assert_false(wx_abort((0x24ULL << 26) | (1 << 6) | PERM3, PG(2), 0x1000));
	assert_false(wx_abort(0x00ULL << 26, PG(1), PG(1)));            /* undefined insn */
	assert_memory_equal(saved, prot, sizeof(prot));
}

/* An unaligned store across into an executable flip page may report the page before. */
static void test_store_across_a_page_boundary(void **state)
{
	assert_true(wx_abort(IABT(PERM3), PG(2), PG(2)));
	assert_true(wx_abort(DABT(PERM3, 1), PG(1) + 0xffc, 0x1000));
	assert_int_equal(prot[2], PT_R | PT_W | PT_FLIP);
	assert_int_equal(prot[1], PT_R | PT_W | PT_FLIP);
	/* not near the end: the page FAR names is the one */
	assert_true(wx_abort(IABT(PERM3), PG(2), PG(2)));
	assert_false(wx_abort(DABT(PERM3, 1), PG(1) + 0x800, 0x1000));
}

/* No table for a split: the abort is reported as the crash it then is. */
static void test_failed_change_is_a_crash(void **state)
{
	fail_next_set = true;
	assert_false(wx_abort(IABT(PERM3), PG(4), PG(4)));
	assert_int_equal(prot[4], PT_R | PT_W | PT_FLIP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mark_makes_rw_flip_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_and_write_flip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_into_own_page_runs_out_of_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_exclusive_into_own_page_makes_rwx, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_from_elsewhere_is_never_rwx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_rest_is_not_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_across_a_page_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_change_is_a_crash, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
