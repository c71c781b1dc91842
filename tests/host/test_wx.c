/* mm/wx.c over a fake set of page permissions: which aborts flip which pages, that a
 * page is never writable and executable but for a store into its own page, that the
 * I-cache is synced before a page becomes executable, and when WXN is on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "mmu.h"
#include "wx.h"

#define BASE  0x40000000ULL
#define PAGES 16
#define PG(n) (BASE + (n) * 4096ULL)

static unsigned prot[PAGES];
static bool synced[PAGES];              /* I-cache synced since the page was last W */
static bool wxn = true, fail_next_set;
static unsigned nr_wxn_changes;

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
	synced[(addr - BASE) / 4096] = true;
}

void log_msg(int level, const char *fmt, ...)
{
}

/* ESR values: EC, IL, and the ISS bits the handler reads. */
#define IABT(fsc)        ((0x21ULL << 26) | (1 << 25) | (fsc))
#define DABT(fsc, write) ((0x25ULL << 26) | (1 << 25) | ((write) ? 1 << 6 : 0) | (fsc))
#define PERM3 0x0f
#define PERM2 0x0e
#define TRANS3 0x07

static struct wx_stats before;

static int setup(void **state)
{
	memset(prot, 0, sizeof(prot));
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

static void expect_counts(uint64_t x, uint64_t w, uint64_t made, uint64_t now)
{
	const struct wx_stats *s = wx_stats();

	assert_int_equal(s->to_x - before.to_x, x);
	assert_int_equal(s->to_w - before.to_w, w);
	assert_int_equal(s->rwx_made - before.rwx_made, made);
	assert_int_equal(s->rwx_now, now);
}

static void test_mark_makes_rw_flip_pages(void **state)
{
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(prot[i], PT_R | PT_W | PT_FLIP);
	assert_int_equal(prot[8], PT_R | PT_W);
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
	expect_counts(2, 1, 0, 0);
	assert_true(wxn);
}

static void test_store_into_own_page_makes_rwx(void **state)
{
	unsigned changes = nr_wxn_changes;

	assert_true(wx_abort(IABT(PERM3), PG(3), PG(3)));
	assert_true(wx_abort(DABT(PERM3, 1), PG(3) + 0x800, PG(3) + 0x8));
	assert_int_equal(prot[3], PT_R | PT_W | PT_X | PT_FLIP);
	assert_false(wxn);
	/* a second such page: WXN stays off, and comes back with the last one freed */
	assert_true(wx_abort(IABT(PERM3), PG(5), PG(5)));
	assert_true(wx_abort(DABT(PERM3, 1), PG(5) + 0xff8, PG(5) + 0xffc));
	expect_counts(2, 0, 2, 2);
	wx_release(PG(3), 4096);
	assert_false(wxn);
	assert_int_equal(prot[3], PT_R | PT_W);
	wx_release(PG(4), 2 * 4096);
	assert_true(wxn);
	expect_counts(2, 0, 2, 0);
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
		cmocka_unit_test_setup_teardown(test_store_into_own_page_makes_rwx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_from_elsewhere_is_never_rwx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_rest_is_not_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_across_a_page_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_change_is_a_crash, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
