/* Host unit tests for mm/pgtable.c, part 1: what it encodes without tables.
 *   1. leaf attributes (pt_leaf_attrs / pt_leaf_prot), both regimes, all prot combos
 *   2. geometry (pt_start_level / pt_root_entries)
 *   3. TCR (pt_tcr) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <cmocka.h>
#include "util.h"

#include "pgtable.h"
#include "pgtable_harness.h"

/* ------------------------------------------------------------------------------------ */
/* 1. Leaf attributes                                                                   */
/* ------------------------------------------------------------------------------------ */


/* The architectural descriptor bits, spelled out field by field. */
static uint64_t expected_attrs(enum pt_regime regime, unsigned p)
{
	uint64_t d = 1ULL << 0;                  /* valid */
	unsigned attrindx = (p & PT_DEVICE) ? 1 : (p & PT_NC) ? 2 : 0;

	d |= (uint64_t)attrindx << 2;            /* AttrIndx[2:0], bits 4:2 */
	if (!(p & PT_DEVICE))
		d |= 3ULL << 8;                  /* SH = inner shareable */
	if (!(p & PT_W))
		d |= 1ULL << 7;                  /* AP[2]: read-only */
	d |= 1ULL << 10;                         /* AF */
	if (regime == PT_EL1) {
		/* AP[1] = 0: no EL0 access */
		d |= 1ULL << 54;                 /* UXN always */
		if (!(p & PT_X))
			d |= 1ULL << 53;         /* PXN */
	} else {
		d |= 1ULL << 6;                  /* AP[1] is RES1 at EL2 */
		if (!(p & PT_X))
			d |= 1ULL << 54;         /* XN; bit 53 is RES0 */
	}
	return d;
}

static void check_attrs_regime(enum pt_regime regime)
{
	unsigned p, nvalid = 0;

	for (p = 0; p <= PROT_ALL; p++) {
		uint64_t d = pt_leaf_attrs(regime, p);

		if (!prot_valid(p)) {
			if (d)
				fail_msg("regime %d prot %#x invalid but attrs %#" PRIx64, regime, p, d);
			continue;
		}
		nvalid++;
		if (d != expected_attrs(regime, p))
			fail_msg("regime %d prot %#x: attrs %#" PRIx64 ", want %#" PRIx64,
				 regime, p, d, expected_attrs(regime, p));
		/* No output address bits, not a table/page, not contiguous, global. */
		assert_int_equal(d & PT_ADDR_MASK, 0);
		assert_int_equal(d & PT_TABLE, 0);
		assert_int_equal(d & (1ULL << 52), 0);
		assert_int_equal(d & (1ULL << 11), 0);
		/* The individual rules, stated once more as the brief gives them. */
		assert_true(d & PT_AF);
		assert_int_equal(!!(d & PT_AP_RO), !(p & PT_W));
		if (regime == PT_EL1) {
			assert_int_equal(d & PT_AP_1, 0);
			assert_true(d & PT_UXN);
			assert_int_equal(!!(d & PT_PXN), !(p & PT_X));
		} else {
			assert_true(d & PT_AP_1);
			assert_int_equal(d & PT_PXN, 0);
			assert_int_equal(!!(d & PT_UXN), !(p & PT_X));
		}
		if (p & PT_DEVICE)
			assert_int_equal((d >> 2) & 7, PT_IDX_DEVICE);
		else {
			assert_int_equal((d >> 2) & 7, (p & PT_NC) ? PT_IDX_NC : PT_IDX_NORMAL);
			assert_int_equal(d & (3ULL << 8), PT_SH_IS);
		}
	}
	/* R, R|W, R|X, each Normal WB or NC (6), plus Device R and R|W (2). */
	assert_int_equal(nvalid, 8);
}

static void test_leaf_attrs_el1(void **state)
{
	check_attrs_regime(PT_EL1);
}

static void test_leaf_attrs_el2(void **state)
{
	check_attrs_regime(PT_EL2);
}

static void test_leaf_attrs_invalid_combos(void **state)
{
	static const unsigned bad[] = {
		0, PT_W, PT_X, PT_W | PT_X, PT_DEVICE, PT_NC,          /* no R */
		PT_R | PT_W | PT_X, PT_R | PT_W | PT_X | PT_NC,        /* W+X */
		PT_R | PT_DEVICE | PT_X, PT_R | PT_DEVICE | PT_NC,     /* Device with X or NC */
		PT_R | PT_W | PT_DEVICE | PT_NC,
	};
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(pt_leaf_attrs(PT_EL1, bad[i]), 0);
		assert_int_equal(pt_leaf_attrs(PT_EL2, bad[i]), 0);
	}
}

/* PT_FLIP (a legacy loader's code page, mm/wx.c) is a software bit on top of the same
 * encoding; only with it may a page be W+X (the livelock fallback), never Device. */
static void test_leaf_attrs_flip(void **state)
{
	enum pt_regime r;
	unsigned p;

	for (r = PT_EL1; r <= PT_EL2; r++) {
		for (p = 0; p <= PROT_ALL; p++) {
			uint64_t a = pt_leaf_attrs(r, p | PT_FLIP);

			if (!(p & PT_R) || (p & PT_DEVICE)) {
				assert_int_equal(a, 0);
				continue;
			}
			if (prot_valid(p))
				assert_int_equal(a, pt_leaf_attrs(r, p) | PT_SW_FLIP);
			else    /* R|W|X: writable, and executable unless WXN */
				assert_int_equal(a, (pt_leaf_attrs(r, p & ~PT_X) | PT_SW_FLIP) &
						    ~(r == PT_EL1 ? PT_PXN : PT_UXN));
			assert_int_equal(pt_leaf_prot(r, a | PT_TABLE), p | PT_FLIP);
		}
		assert_int_equal(pt_leaf_attrs(r, PT_R | PT_W | PT_X), 0);
	}
}

static void test_leaf_attrs_mair_indices(void **state)
{
	/* The AttrIndx values select the MAIR bytes the header documents. */
	assert_int_equal((MAIR_VALUE >> (8 * PT_IDX_NORMAL)) & 0xff, 0xff);  /* Normal WB RA/WA */
	assert_int_equal((MAIR_VALUE >> (8 * PT_IDX_DEVICE)) & 0xff, 0x04);  /* Device-nGnRE */
	assert_int_equal((MAIR_VALUE >> (8 * PT_IDX_NC)) & 0xff, 0x44);      /* Normal NC */
	assert_int_equal((MAIR_VALUE >> 24) & 0xff, 0x00);                   /* Device-nGnRnE */
}

static void test_leaf_prot_inverse(void **state)
{
	enum pt_regime r;
	unsigned p;

	for (r = PT_EL1; r <= PT_EL2; r++) {
		for (p = 0; p <= PROT_ALL; p++) {
			uint64_t a = pt_leaf_attrs(r, p);

			if (!prot_valid(p))
				continue;
			/* as a block and as a page, with an output address */
			assert_int_equal(pt_leaf_prot(r, a), p);
			assert_int_equal(pt_leaf_prot(r, a | PT_TABLE | 0x123456789000ULL), p);
			assert_int_equal(pt_leaf_prot(r, a | 0x0000ffffc0000000ULL), p);
		}
		assert_int_equal(pt_leaf_prot(r, 0), 0);
		/* invalid descriptors: no protection, whatever else is set */
		assert_int_equal(pt_leaf_prot(r, pt_leaf_attrs(r, PT_R | PT_W) & ~PT_VALID), 0);
	}
}

/* ------------------------------------------------------------------------------------ */
/* 2. Geometry                                                                          */
/* ------------------------------------------------------------------------------------ */

static void test_start_level_spot_values(void **state)
{
	static const struct { unsigned va_bits, level, entries; } t[] = {
		{ 25, 2, 16 }, { 29, 2, 256 }, { 30, 2, 512 },
		{ 31, 1, 2 }, { 32, 1, 4 }, { 36, 1, 64 }, { 39, 1, 512 },
		{ 40, 0, 2 }, { 42, 0, 8 }, { 44, 0, 32 }, { 48, 0, 512 },
	};
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(pt_start_level(t[i].va_bits), t[i].level);
		assert_int_equal(pt_root_entries(t[i].va_bits), t[i].entries);
	}
}

static void test_start_level_all_va_bits(void **state)
{
	unsigned vb;

	/* Level l translates VA bits [12 + 9*(3-l) + 8 : 12 + 9*(3-l)]; the walk starts at the
	 * lowest-numbered level needed, i.e. the highest l whose top bit is >= va_bits - 1. */
	for (vb = 25; vb <= 48; vb++) {
		unsigned level = 3, shift;

		while (12 + 9 * (3 - level) + 9 < vb)
			level--;
		shift = 12 + 9 * (3 - level);
		assert_int_equal(pt_start_level(vb), level);
		assert_int_equal(pt_root_entries(vb), 1u << (vb - shift));
		/* The root covers exactly the VA space: entries * (size per entry) == 2^va_bits. */
		assert_true((uint64_t)pt_root_entries(vb) * level_size(level) == 1ULL << vb);
		assert_in_range(pt_root_entries(vb), 2, 512);
	}
}

/* The last root entry is the one the top of the space uses, for every va_bits. */
static void test_root_entries_match_map(void **state)
{
	unsigned vb;

	for (vb = 25; vb <= 48; vb++) {
		struct host *h = host_new(PT_EL1, vb, false);
		uint64_t top = 1ULL << vb;
		unsigned n = pt_root_entries(vb);
		uint64_t *root = h->pool[0];
		unsigned i;

		assert_int_equal(do_map(h, top - SZ_4K, 0x1000, SZ_4K, PT_R), 0);
		for (i = 0; i < 512; i++)
			assert_int_equal(!!root[i], i == n - 1);
		expect_leaf(h, top - SZ_4K, 3, 0x1000, PT_R);
		assert_int_equal(do_map(h, top, 0x1000, SZ_4K, PT_R), -1);
		host_free(h);
	}
}

/* ------------------------------------------------------------------------------------ */
/* 3. TCR                                                                               */
/* ------------------------------------------------------------------------------------ */

static uint64_t tcr_common(unsigned va_bits)
{
	return (uint64_t)(64 - va_bits)      /* T0SZ, bits 5:0 */
	       | (1ULL << 8)                 /* IRGN0 = 01 WB RA WA */
	       | (1ULL << 10)                /* ORGN0 = 01 */
	       | (3ULL << 12);               /* SH0 = inner shareable; TG0 (15:14) = 00: 4 KiB */
}

static void test_tcr_el1(void **state)
{
	unsigned vb, pr;

	for (vb = 25; vb <= 48; vb++) {
		for (pr = 0; pr <= 7; pr++) {
			uint64_t t = pt_tcr(PT_EL1, vb, pr);
			unsigned ips = pr > 5 ? 5 : pr;

			assert_int_equal(t, tcr_common(vb) | (1ULL << 23) | ((uint64_t)ips << 32));
			assert_int_equal(t & 0x3f, 64 - vb);
			assert_int_equal((t >> 14) & 3, 0);          /* TG0 = 4 KiB */
			assert_int_equal((t >> 8) & 3, 1);
			assert_int_equal((t >> 10) & 3, 1);
			assert_int_equal((t >> 12) & 3, 3);
			assert_true(t & (1ULL << 23));               /* EPD1 */
			assert_int_equal((t >> 32) & 7, ips);         /* IPS */
			assert_int_equal((t >> 16) & 7, 0);           /* T1SZ unused */
			assert_int_equal(t & (1ULL << 7), 0);        /* EPD0 = 0: walks enabled */
			assert_int_equal(t & (1ULL << 31), 0);
		}
	}
}

static void test_tcr_el2(void **state)
{
	unsigned vb, pr;

	for (vb = 25; vb <= 48; vb++) {
		for (pr = 0; pr <= 7; pr++) {
			uint64_t t = pt_tcr(PT_EL2, vb, pr);
			unsigned ps = pr > 5 ? 5 : pr;

			assert_int_equal(t, tcr_common(vb) | (1ULL << 31) | (1ULL << 23) |
					    ((uint64_t)ps << 16));
			assert_int_equal(t & 0x3f, 64 - vb);
			assert_int_equal((t >> 14) & 3, 0);
			assert_true(t & (1ULL << 31));               /* RES1 */
			assert_true(t & (1ULL << 23));               /* RES1 */
			assert_int_equal((t >> 16) & 7, ps);          /* PS */
			assert_int_equal(t >> 32, 0);                 /* nothing in the upper half */
			assert_int_equal(t & (1ULL << 20), 0);       /* TBI off */
		}
	}
}

static void test_tcr_pa_range_clamp(void **state)
{
	assert_int_equal((pt_tcr(PT_EL1, 48, 5) >> 32) & 7, 5);
	assert_int_equal((pt_tcr(PT_EL1, 48, 6) >> 32) & 7, 5);
	assert_int_equal((pt_tcr(PT_EL2, 48, 6) >> 16) & 7, 5);
	assert_int_equal((pt_tcr(PT_EL2, 48, 0) >> 16) & 7, 0);
	assert_int_equal(pt_tcr(PT_EL1, 40, 6), pt_tcr(PT_EL1, 40, 5));
	assert_int_equal(pt_tcr(PT_EL2, 40, 15), pt_tcr(PT_EL2, 40, 5));
}
int main(void)
{
	const struct CMUnitTest attrs[] = {
		cmocka_unit_test(test_leaf_attrs_el1),
		cmocka_unit_test(test_leaf_attrs_el2),
		cmocka_unit_test(test_leaf_attrs_invalid_combos),
		cmocka_unit_test(test_leaf_attrs_flip),
		cmocka_unit_test(test_leaf_attrs_mair_indices),
		cmocka_unit_test(test_leaf_prot_inverse),
	};
	const struct CMUnitTest geometry[] = {
		cmocka_unit_test(test_start_level_spot_values),
		cmocka_unit_test(test_start_level_all_va_bits),
		cmocka_unit_test(test_root_entries_match_map),
	};
	const struct CMUnitTest tcr[] = {
		cmocka_unit_test(test_tcr_el1),
		cmocka_unit_test(test_tcr_el2),
		cmocka_unit_test(test_tcr_pa_range_clamp),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("pgtable: leaf attributes", attrs, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: geometry", geometry, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: tcr", tcr, NULL, NULL);
	return failed ? 1 : 0;
}
