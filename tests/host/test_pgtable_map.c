/* Host unit tests for mm/pgtable.c, part 2: pt_map on host tables.
 *   4. layout: block vs page choice
 *   5. remapping, splitting, unmapping, replace callback
 *   6. argument checking, limits, out of tables
 *   8. output-address checks and unmapping without pa alignment (found by this suite) */
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
/* 4. Layout: blocks vs pages                                                           */
/* ------------------------------------------------------------------------------------ */

/* Map on empty tables, then compare the walk with the reference layout. */
static struct leaves map_and_compare(struct host *h, uint64_t va, uint64_t pa, uint64_t size,
				     unsigned prot)
{
	struct leaves got, want;

	assert_int_equal(do_map(h, va, pa, size, prot), 0);
	got = walk_all(h);
	want = reference_layout(va, pa, size, h->ctx.regime, prot, pt_start_level(h->ctx.va_bits));
	expect_same_leaves(&got, &want);
	free(want.v);
	return got;
}

static void test_map_1g_block(void **state)
{
	struct host *h = host_new(PT_EL1, 39, false);
	struct leaves L = map_and_compare(h, SZ_1G, 0x80000000, SZ_1G, PT_R | PT_W);

	assert_int_equal(L.n, 1);
	assert_int_equal(h->n, 1);                        /* only the root */
	assert_int_equal(h->pool[0][1], 0x80000000 | pt_leaf_attrs(PT_EL1, PT_R | PT_W));
	expect_leaf(h, SZ_1G, 1, 0x80000000, PT_R | PT_W);
	expect_leaf(h, 2 * SZ_1G - SZ_4K, 1, 0x80000000 + SZ_1G - SZ_4K, PT_R | PT_W);
	expect_unmapped(h, SZ_1G - SZ_4K);
	expect_unmapped(h, 2 * SZ_1G);
	free(L.v);
	host_free(h);
}

static void test_map_2m_blocks(void **state)
{
	struct host *h = host_new(PT_EL2, 39, false);
	struct leaves L = map_and_compare(h, 3 * SZ_2M, 0x40600000, 4 * SZ_2M, PT_R | PT_X);
	size_t c[4];

	count_levels(&L, c);
	assert_int_equal(c[2], 4);
	assert_int_equal(L.n, 4);
	assert_int_equal(h->n, 2);                        /* root + one level-2 table */
	expect_leaf(h, 3 * SZ_2M, 2, 0x40600000, PT_R | PT_X);
	expect_leaf(h, 7 * SZ_2M - SZ_4K, 2, 0x40600000 + 4 * SZ_2M - SZ_4K, PT_R | PT_X);
	expect_unmapped(h, 7 * SZ_2M);
	free(L.v);
	host_free(h);
}

static void test_map_pages_unaligned(void **state)
{
	struct host *h = host_new(PT_EL1, 39, false);
	struct leaves L = map_and_compare(h, 0x9000, 0x9000, 3 * SZ_4K, PT_R);
	size_t c[4];

	count_levels(&L, c);
	assert_int_equal(c[3], 3);
	assert_int_equal(L.n, 3);
	assert_int_equal(h->n, 3);                        /* root, level 2, level 3 */
	expect_leaf(h, 0x9000, 3, 0x9000, PT_R);
	expect_leaf(h, 0xb000, 3, 0xb000, PT_R);
	expect_unmapped(h, 0x8000);
	expect_unmapped(h, 0xc000);
	free(L.v);
	host_free(h);
}

/* A 2 MiB-sized range that is not 2 MiB-aligned is all pages. */
static void test_map_2m_size_unaligned_va(void **state)
{
	struct host *h = host_new(PT_EL1, 39, false);
	struct leaves L = map_and_compare(h, SZ_2M + SZ_4K, SZ_2M + SZ_4K, SZ_2M, PT_R | PT_W);
	size_t c[4];

	count_levels(&L, c);
	assert_int_equal(c[3], 512);
	assert_int_equal(L.n, 512);
	assert_int_equal(h->n, 4);                        /* root, L2, two L3 */
	free(L.v);
	host_free(h);
}

/* The brief's example 0x40001000 .. 0x80201000: spans one GiB and a bit, but no aligned
 * GiB lies inside it, so pages at both edges and 2 MiB blocks in between. */
static void test_map_mixed_range_2m(void **state)
{
	struct host *h = host_new(PT_EL1, 39, false);
	uint64_t va = 0x40001000, end = 0x80201000;
	struct leaves L = map_and_compare(h, va, va, end - va, PT_R | PT_W);
	size_t c[4];

	count_levels(&L, c);
	assert_int_equal(c[1], 0);
	assert_int_equal(c[2], 511 + 1);                  /* 0x40200000..0x80200000 */
	assert_int_equal(c[3], 511 + 1);                  /* 0x40001000..0x40200000, last page */
	/* root, L2 for GiB 1, L3 at 0x40000000, L2 for GiB 2, L3 at 0x80200000 */
	assert_int_equal(h->n, 5);
	expect_leaf(h, 0x40001000, 3, 0x40001000, PT_R | PT_W);
	expect_leaf(h, 0x401ff000, 3, 0x401ff000, PT_R | PT_W);
	expect_leaf(h, 0x40200000, 2, 0x40200000, PT_R | PT_W);
	expect_leaf(h, 0x7fffffff & ~0xfffULL, 2, 0x7ffff000, PT_R | PT_W);
	expect_leaf(h, 0x80000000, 2, 0x80000000, PT_R | PT_W);
	expect_leaf(h, 0x80200000, 3, 0x80200000, PT_R | PT_W);
	expect_unmapped(h, 0x40000000);
	expect_unmapped(h, 0x80201000);
	free(L.v);
	host_free(h);
}

/* Pages, 2 MiB blocks, 1 GiB blocks, 2 MiB blocks, pages. */
static void test_map_mixed_range_1g(void **state)
{
	struct host *h = host_new(PT_EL2, 39, false);
	uint64_t va = 0x3fdff000, end = 0xc0401000;
	unsigned prot = PT_R | PT_NC;
	struct leaves L = map_and_compare(h, va, va, end - va, prot);
	size_t c[4];

	count_levels(&L, c);
	assert_int_equal(c[3], 1 + 1);                    /* 0x3fdff000 and 0xc0400000 */
	assert_int_equal(c[2], 1 + 2);                    /* 0x3fe00000; 0xc0000000, 0xc0200000 */
	assert_int_equal(c[1], 2);                        /* 0x40000000, 0x80000000 */
	assert_int_equal(h->n, 5);
	expect_leaf(h, 0x3fdff000, 3, 0x3fdff000, prot);
	expect_leaf(h, 0x3fe00000, 2, 0x3fe00000, prot);
	expect_leaf(h, 0x40000000, 1, 0x40000000, prot);
	expect_leaf(h, 0xbffff000, 1, 0xbffff000, prot);
	expect_leaf(h, 0xc0200000, 2, 0xc0200000, prot);
	expect_leaf(h, 0xc0400000, 3, 0xc0400000, prot);
	expect_unmapped(h, 0x3fdfe000);
	expect_unmapped(h, 0xc0401000);
	free(L.v);
	host_free(h);
}

/* pa aligned differently from va: the pa alignment limits the leaf size. */
static void test_map_pa_misaligned(void **state)
{
	struct host *h = host_new(PT_EL1, 39, false);
	struct leaves L;
	size_t c[4];

	/* va 1 GiB-aligned, pa only 2 MiB-aligned: 512 level-2 blocks */
	L = map_and_compare(h, SZ_1G, 0x100200000ULL, SZ_1G, PT_R | PT_W);
	count_levels(&L, c);
	assert_int_equal(c[1], 0);
	assert_int_equal(c[2], 512);
	expect_leaf(h, SZ_1G + 0x12345000, 2, 0x100200000ULL + 0x12345000, PT_R | PT_W);
	free(L.v);
	host_free(h);

	/* va 2 MiB-aligned, pa 4 KiB off: all pages */
	h = host_new(PT_EL1, 39, false);
	L = map_and_compare(h, 4 * SZ_2M, 0x80001000, 2 * SZ_2M, PT_R);
	count_levels(&L, c);
	assert_int_equal(c[2], 0);
	assert_int_equal(c[3], 1024);
	expect_leaf(h, 5 * SZ_2M, 3, 0x80001000 + SZ_2M, PT_R);
	free(L.v);
	host_free(h);

	/* pa 2 MiB-aligned where va is 1 GiB-aligned, and the reverse */
	h = host_new(PT_EL2, 39, false);
	L = map_and_compare(h, 3 * SZ_1G + SZ_2M, 5 * SZ_1G, SZ_1G, PT_R | PT_X);
	count_levels(&L, c);
	assert_int_equal(c[1], 0);
	assert_int_equal(c[2], 512);
	free(L.v);
	host_free(h);
}

/* Level 0 never holds blocks (4 KiB granule): a 512 GiB-aligned 512 GiB range at
 * va_bits 48 becomes a level-0 table of 512 level-1 blocks. */
static void test_level0_never_block(void **state)
{
	struct host *h = host_new(PT_EL1, 48, false);
	struct leaves L = map_and_compare(h, SZ_512G, SZ_512G, SZ_512G, PT_R | PT_W);
	size_t c[4];
	unsigned lvl;

	count_levels(&L, c);
	assert_int_equal(c[0], 0);
	assert_int_equal(c[1], 512);
	assert_int_equal(h->n, 2);
	assert_int_equal(h->pool[0][1] & 3, 3);            /* level-0 entry 1 is a table */
	assert_true(pt_lookup(&h->ctx, SZ_512G, &lvl) != 0);
	assert_int_equal(lvl, 1);
	free(L.v);
	host_free(h);

	/* va_bits 40: level-0 root with 2 entries */
	h = host_new(PT_EL2, 40, false);
	L = map_and_compare(h, 0, 0, SZ_512G, PT_R | PT_W | PT_DEVICE);
	count_levels(&L, c);
	assert_int_equal(c[1], 512);
	assert_int_equal(h->n, 2);
	expect_leaf(h, SZ_512G - SZ_4K, 1, SZ_512G - SZ_4K, PT_R | PT_W | PT_DEVICE);
	expect_unmapped(h, SZ_512G);
	free(L.v);
	host_free(h);
}

/* A level-2 root (va_bits 30 and 25): blocks go straight into the root. */
static void test_level2_root(void **state)
{
	struct host *h = host_new(PT_EL1, 30, false);
	struct leaves L = map_and_compare(h, 0, 0x40000000, SZ_1G, PT_R | PT_X);
	size_t c[4];

	count_levels(&L, c);
	assert_int_equal(c[2], 512);           /* no level-1 block: there is no level 1 */
	assert_int_equal(h->n, 1);
	free(L.v);
	host_free(h);

	h = host_new(PT_EL2, 25, false);
	L = map_and_compare(h, SZ_4K, SZ_4K, (1ULL << 25) - SZ_4K, PT_R);
	count_levels(&L, c);
	assert_int_equal(c[2], 15);
	assert_int_equal(c[3], 511);
	assert_int_equal(h->n, 2);
	free(L.v);
	host_free(h);
}

/* Every valid combination of prot, in both regimes, reaches the tables unchanged. */
static void test_map_all_prots(void **state)
{
	enum pt_regime r;
	unsigned p;

	for (r = PT_EL1; r <= PT_EL2; r++) {
		struct host *h = host_new(r, 39, false);
		uint64_t va = 0;

		for (p = 0; p <= PROT_ALL; p++) {
			if (!prot_valid(p)) {
				if (p)   /* 0 is unmap */
					assert_int_equal(do_map(h, SZ_1G, SZ_1G, SZ_1G, p), -1);
				continue;
			}
			assert_int_equal(do_map(h, va, va + 0x1000000000ULL, SZ_1G, p), 0);
			expect_leaf(h, va, 1, va + 0x1000000000ULL, p);
			assert_int_equal(do_map(h, va + SZ_1G + SZ_2M, 0x5000, SZ_4K, p), 0);
			expect_leaf(h, va + SZ_1G + SZ_2M, 3, 0x5000, p);
			va += 2 * SZ_1G;
		}
		host_free(h);
	}
}

/* ------------------------------------------------------------------------------------ */
/* 5. Remapping, splitting, unmapping, replace callback                                 */
/* ------------------------------------------------------------------------------------ */

/* Map a 1 GiB block, then make one page in the middle read-only. */
static void test_split_1g_change_page_prot(void **state)
{
	struct host *h = host_new(PT_EL1, 39, true);
	uint64_t va = SZ_1G, pa = 0x200000000ULL;
	uint64_t pg = va + 0x12345000;                    /* in the 2 MiB block at +0x12200000 */
	uint64_t blk2m = va + 0x12200000;
	unsigned rw = PT_R | PT_W, ro = PT_R;
	uint64_t old_block;
	struct leaves L;
	size_t c[4], i;

	assert_int_equal(do_map(h, va, pa, SZ_1G, rw), 0);
	assert_int_equal(h->nlog, 0);                     /* nothing was valid */
	old_block = h->pool[0][1];

	assert_int_equal(do_map(h, pg, pa + (pg - va), SZ_4K, ro), 0);
	assert_int_equal(h->n, 3);                        /* root + L2 + L3 */

	/* Three replacements: the 1 GiB block by a table, the 2 MiB block by a table,
	 * the page itself. */
	assert_int_equal(h->nlog, 3);
	assert_int_equal(h->log[0].level, 1);
	assert_int_equal(h->log[0].old, old_block);
	assert_int_equal(h->log[0].val, tbl_addr(1) | 3);
	assert_true(h->log[0].va >= va && h->log[0].va < va + SZ_1G);
	assert_int_equal(h->log[1].level, 2);
	assert_int_equal(h->log[1].old, leaf_desc(PT_EL1, 2, pa + 0x12200000, rw));
	assert_int_equal(h->log[1].val, tbl_addr(2) | 3);
	assert_true(h->log[1].va >= blk2m && h->log[1].va < blk2m + SZ_2M);
	assert_int_equal(h->log[2].level, 3);
	assert_int_equal(h->log[2].va, pg);
	assert_int_equal(h->log[2].old, leaf_desc(PT_EL1, 3, pa + (pg - va), rw));
	assert_int_equal(h->log[2].val, leaf_desc(PT_EL1, 3, pa + (pg - va), ro));

	/* The page changed, everything else kept its address and attributes. */
	expect_leaf(h, pg, 3, pa + (pg - va), ro);
	expect_leaf(h, pg - SZ_4K, 3, pa + (pg - va) - SZ_4K, rw);
	expect_leaf(h, pg + SZ_4K, 3, pa + (pg - va) + SZ_4K, rw);
	expect_leaf(h, blk2m, 3, pa + 0x12200000, rw);
	expect_leaf(h, blk2m + SZ_2M - SZ_4K, 3, pa + 0x12200000 + SZ_2M - SZ_4K, rw);
	expect_leaf(h, blk2m - SZ_2M, 2, pa + 0x12000000, rw);
	expect_leaf(h, blk2m + SZ_2M, 2, pa + 0x12400000, rw);
	expect_leaf(h, va, 2, pa, rw);
	expect_leaf(h, va + SZ_1G - SZ_4K, 2, pa + SZ_1G - SZ_4K, rw);

	/* Exhaustively: 511 level-2 blocks, 512 pages, each with its old address. */
	L = walk_all(h);
	count_levels(&L, c);
	assert_int_equal(c[1], 0);
	assert_int_equal(c[2], 511);
	assert_int_equal(c[3], 512);
	for (i = 0; i < L.n; i++) {
		unsigned p = L.v[i].va == pg ? ro : rw;

		assert_int_equal(L.v[i].desc,
				 leaf_desc(PT_EL1, L.v[i].level, pa + (L.v[i].va - va), p));
	}
	free(L.v);
	host_free(h);
}

/* Same in EL2, with a new pa for a 2 MiB region inside a 1 GiB block. */
static void test_split_1g_remap_2m_new_pa(void **state)
{
	struct host *h = host_new(PT_EL2, 39, true);
	uint64_t va = 2 * SZ_1G;
	unsigned rx = PT_R | PT_X, dev = PT_R | PT_W | PT_DEVICE;
	struct leaves L;
	size_t c[4];

	assert_int_equal(do_map(h, va, va, SZ_1G, rx), 0);
	assert_int_equal(do_map(h, va + 5 * SZ_2M, 0x9000000000ULL, SZ_2M, dev), 0);
	assert_int_equal(h->n, 2);                        /* root + L2, no L3 needed */
	assert_int_equal(h->nlog, 2);                     /* split L1, replace one L2 block */
	assert_int_equal(h->log[0].level, 1);
	assert_int_equal(h->log[1].level, 2);
	assert_int_equal(h->log[1].va, va + 5 * SZ_2M);
	expect_leaf(h, va + 5 * SZ_2M + 0x3000, 2, 0x9000000000ULL + 0x3000, dev);
	expect_leaf(h, va + 4 * SZ_2M, 2, va + 4 * SZ_2M, rx);
	expect_leaf(h, va + 6 * SZ_2M, 2, va + 6 * SZ_2M, rx);
	L = walk_all(h);
	count_levels(&L, c);
	assert_int_equal(c[2], 512);
	free(L.v);
	host_free(h);
}

static void test_unmap_page_inside_1g_block(void **state)
{
	struct host *h = host_new(PT_EL1, 39, true);
	uint64_t va = 3 * SZ_1G, pg = va + 0x3ff000;      /* last page of the 2nd 2 MiB block */
	unsigned rw = PT_R | PT_W;
	struct leaves L;
	size_t c[4];

	assert_int_equal(do_map(h, va, va, SZ_1G, rw), 0);
	assert_int_equal(do_map(h, pg, 0, SZ_4K, 0), 0);
	assert_int_equal(h->nlog, 3);
	assert_int_equal(h->log[2].level, 3);
	assert_int_equal(h->log[2].va, pg);
	assert_int_equal(h->log[2].val, 0);
	expect_unmapped(h, pg);
	expect_leaf(h, pg - SZ_4K, 3, pg - SZ_4K, rw);
	expect_leaf(h, pg + SZ_4K, 2, pg + SZ_4K, rw);
	expect_leaf(h, va, 2, va, rw);
	L = walk_all(h);
	count_levels(&L, c);
	assert_int_equal(c[2], 511);
	assert_int_equal(c[3], 511);
	free(L.v);
	host_free(h);
}

static void test_unmap_page_inside_2m_block(void **state)
{
	struct host *h = host_new(PT_EL2, 39, true);
	uint64_t va = 7 * SZ_2M;

	assert_int_equal(do_map(h, va, 0x40000000, SZ_2M, PT_R), 0);
	assert_int_equal(h->n, 2);
	assert_int_equal(do_map(h, va, 0, SZ_4K, 0), 0);
	assert_int_equal(h->n, 3);
	assert_int_equal(h->nlog, 2);                     /* split the block, clear the page */
	assert_int_equal(h->log[0].level, 2);
	assert_int_equal(h->log[0].va, va);
	expect_unmapped(h, va);
	expect_leaf(h, va + SZ_4K, 3, 0x40001000, PT_R);
	expect_leaf(h, va + SZ_2M - SZ_4K, 3, 0x40000000 + SZ_2M - SZ_4K, PT_R);
	host_free(h);
}

/* Unmapping a whole block is one write, no table. */
static void test_unmap_whole_block(void **state)
{
	struct host *h = host_new(PT_EL1, 39, true);

	assert_int_equal(do_map(h, SZ_1G, SZ_1G, 2 * SZ_1G, PT_R), 0);
	assert_int_equal(do_map(h, 2 * SZ_1G, 0, SZ_1G, 0), 0);
	assert_int_equal(h->n, 1);
	assert_int_equal(h->nlog, 1);
	assert_int_equal(h->log[0].level, 1);
	assert_int_equal(h->log[0].va, 2 * SZ_1G);
	expect_unmapped(h, 2 * SZ_1G);
	expect_leaf(h, SZ_1G, 1, SZ_1G, PT_R);
	assert_int_equal(h->pool[0][2], 0);
	host_free(h);
}

/* Unmapping where nothing is mapped allocates nothing and calls nothing. */
static void test_unmap_unmapped_is_noop(void **state)
{
	struct host *h = host_new(PT_EL1, 39, true);
	struct leaves L;

	assert_int_equal(do_map(h, 0x1000, 0, 5 * SZ_1G, 0), 0);
	assert_int_equal(h->n, 1);
	assert_int_equal(h->nlog, 0);
	/* Also inside existing tables, next to a mapping. */
	assert_int_equal(do_map(h, 0x5000, 0x5000, SZ_4K, PT_R), 0);
	assert_int_equal(h->n, 3);
	assert_int_equal(do_map(h, 0x1000, 0, 0x4000, 0), 0);
	assert_int_equal(do_map(h, 0x6000, 0, SZ_1G, 0), 0);
	assert_int_equal(h->n, 3);
	assert_int_equal(h->nlog, 0);
	L = walk_all(h);
	assert_int_equal(L.n, 1);
	expect_leaf(h, 0x5000, 3, 0x5000, PT_R);
	free(L.v);
	host_free(h);
}

/* First-time mapping never calls replace; remapping calls it once per valid leaf. */
static void test_replace_only_for_valid_entries(void **state)
{
	struct host *h = host_new(PT_EL2, 39, true);
	size_t i;

	assert_int_equal(do_map(h, SZ_2M, SZ_2M, 4 * SZ_2M, PT_R), 0);
	assert_int_equal(h->nlog, 0);
	/* overlap the last 2 MiB block plus 2 new ones: one replacement */
	assert_int_equal(do_map(h, 4 * SZ_2M, 4 * SZ_2M, 3 * SZ_2M, PT_R | PT_W), 0);
	assert_int_equal(h->nlog, 1);
	assert_int_equal(h->log[0].va, 4 * SZ_2M);
	assert_int_equal(h->log[0].level, 2);
	/* pages over a previously unmapped region, next to mapped ones: no replacement */
	assert_int_equal(do_map(h, 7 * SZ_2M, 7 * SZ_2M, 16 * SZ_4K, PT_R), 0);
	assert_int_equal(h->nlog, 0);
	/* remap those 16 pages: 16 replacements at level 3, in order */
	assert_int_equal(do_map(h, 7 * SZ_2M, 0x1000000, 16 * SZ_4K, PT_R | PT_X), 0);
	assert_int_equal(h->nlog, 16);
	for (i = 0; i < 16; i++) {
		assert_int_equal(h->log[i].level, 3);
		assert_int_equal(h->log[i].va, 7 * SZ_2M + i * SZ_4K);
	}
	host_free(h);
}

/* Mapping a block over a region that was split into pages replaces the table entry. */
static void test_block_over_table(void **state)
{
	struct host *h = host_new(PT_EL1, 39, true);
	unsigned lvl;

	assert_int_equal(do_map(h, SZ_2M, SZ_2M, SZ_4K, PT_R), 0);
	assert_int_equal(do_map(h, SZ_2M + 0x10000, 0x10000, SZ_4K, PT_R | PT_W), 0);
	assert_int_equal(h->n, 3);
	assert_int_equal(do_map(h, SZ_2M, 0x80000000, SZ_2M, PT_R | PT_X), 0);
	assert_int_equal(h->nlog, 1);
	assert_int_equal(h->log[0].level, 2);
	assert_int_equal(h->log[0].old, tbl_addr(2) | 3);
	expect_leaf(h, SZ_2M + 0x10000, 2, 0x80010000, PT_R | PT_X);
	assert_true(pt_lookup(&h->ctx, SZ_2M, &lvl));
	assert_int_equal(lvl, 2);
	/* and unmapping a 1 GiB range over a table clears the level-1 entry at once */
	assert_int_equal(do_map(h, 0, 0, SZ_1G, 0), 0);
	assert_int_equal(h->nlog, 1);
	assert_int_equal(h->log[0].level, 1);
	assert_int_equal(h->pool[0][0], 0);
	expect_unmapped(h, SZ_2M);
	host_free(h);
}

/* Without a replace callback, splits give the same tables. */
static void test_split_without_callback(void **state)
{
	struct host *a = host_new(PT_EL1, 39, false), *b = host_new(PT_EL1, 39, true);
	size_t k;

	assert_int_equal(do_map(a, 0, 0x80000000, 4 * SZ_1G, PT_R | PT_W), 0);
	assert_int_equal(do_map(b, 0, 0x80000000, 4 * SZ_1G, PT_R | PT_W), 0);
	assert_int_equal(do_map(a, SZ_1G + 0x3000, 0x7000, 0x203000, PT_R | PT_X), 0);
	assert_int_equal(do_map(b, SZ_1G + 0x3000, 0x7000, 0x203000, PT_R | PT_X), 0);
	assert_int_equal(do_map(a, 3 * SZ_1G + 0x5000, 0, SZ_4K, 0), 0);
	assert_int_equal(do_map(b, 3 * SZ_1G + 0x5000, 0, SZ_4K, 0), 0);
	assert_int_equal(a->n, b->n);
	for (k = 0; k < a->n; k++)
		assert_memory_equal(a->pool[k], b->pool[k], 4096);
	expect_leaf(a, SZ_1G + 0x3000, 3, 0x7000, PT_R | PT_X);
	expect_leaf(a, SZ_1G + 0x206000 - SZ_4K, 3, 0x7000 + 0x203000 - SZ_4K, PT_R | PT_X);
	expect_leaf(a, SZ_1G + 0x206000, 3, 0x80000000 + SZ_1G + 0x206000, PT_R | PT_W);
	expect_unmapped(a, 3 * SZ_1G + 0x5000);
	host_free(a);
	host_free(b);
}

/* Splitting a block whose pa is high (bit 47) keeps every bit of the addresses. */
static void test_split_high_pa(void **state)
{
	struct host *h = host_new(PT_EL2, 48, true);
	uint64_t pa = 0x0000ffffc0000000ULL;              /* the last GiB of a 48-bit PA space */
	uint64_t va = 0x0000ffffc0000000ULL;
	unsigned p = PT_R | PT_W | PT_NC;

	assert_int_equal(do_map(h, va, pa, SZ_1G, p), 0);
	expect_leaf(h, va, 1, pa, p);
	assert_int_equal(do_map(h, va + SZ_1G - SZ_4K, 0, SZ_4K, 0), 0);
	expect_unmapped(h, va + SZ_1G - SZ_4K);
	expect_leaf(h, va + SZ_1G - 2 * SZ_4K, 3, pa + SZ_1G - 2 * SZ_4K, p);
	expect_leaf(h, va + SZ_1G - SZ_2M - SZ_4K, 2, pa + SZ_1G - SZ_2M - SZ_4K, p);
	expect_leaf(h, va, 2, pa, p);
	host_free(h);
}

/* ------------------------------------------------------------------------------------ */
/* 6. Arguments, limits, out of tables                                                  */
/* ------------------------------------------------------------------------------------ */

static void test_reject_beyond_va_bits(void **state)
{
	unsigned vb;

	for (vb = 25; vb <= 48; vb++) {
		struct host *h = host_new(vb & 1 ? PT_EL1 : PT_EL2, vb, false);
		uint64_t top = 1ULL << vb;

		expect_rejected(h, top, top, SZ_4K, PT_R);
		expect_rejected(h, top - SZ_4K, 0, 2 * SZ_4K, PT_R);
		expect_rejected(h, 0, 0, top + SZ_4K, PT_R);
		expect_rejected(h, 0, 0, top + SZ_4K, 0);           /* unmap too */
		expect_rejected(h, 1ULL << 48, 0, SZ_4K, PT_R);
		expect_rejected(h, 0x8000000000000000ULL, 0, SZ_4K, PT_R);
		host_free(h);
	}
}

static void test_top_of_va_space(void **state)
{
	unsigned vb;

	for (vb = 31; vb <= 48; vb++) {
		struct host *h = host_new(vb & 1 ? PT_EL1 : PT_EL2, vb, false);
		uint64_t top = 1ULL << vb;
		struct leaves L;
		size_t c[4];

		/* the whole last GiB, as a block, then its last page remapped */
		assert_int_equal(do_map(h, top - SZ_1G, 0x40000000, SZ_1G, PT_R | PT_W), 0);
		expect_leaf(h, top - SZ_4K, 1, 0x40000000 + SZ_1G - SZ_4K, PT_R | PT_W);
		assert_int_equal(do_map(h, top - SZ_4K, 0x1000, SZ_4K, PT_R), 0);
		expect_leaf(h, top - SZ_4K, 3, 0x1000, PT_R);
		expect_leaf(h, top - 2 * SZ_4K, 3, 0x40000000 + SZ_1G - 2 * SZ_4K, PT_R | PT_W);
		expect_leaf(h, top - SZ_1G, 2, 0x40000000, PT_R | PT_W);
		/* the last 2 MiB of the space as a block */
		assert_int_equal(do_map(h, top - SZ_2M, 0x600000, SZ_2M, PT_R | PT_X), 0);
		expect_leaf(h, top - SZ_4K, 2, 0x600000 + SZ_2M - SZ_4K, PT_R | PT_X);
		L = walk_all(h);
		count_levels(&L, c);
		assert_int_equal(c[2], 512);
		assert_int_equal(c[3], 0);
		free(L.v);
		assert_int_equal(pt_lookup(&h->ctx, top, NULL), 0);
		host_free(h);
	}
	/* a level-2 root: the last 2 MiB of a 32 MiB space */
	{
		struct host *h = host_new(PT_EL1, 25, false);

		assert_int_equal(do_map(h, (1ULL << 25) - SZ_2M, 0, SZ_2M, PT_R), 0);
		expect_leaf(h, (1ULL << 25) - SZ_4K, 2, SZ_2M - SZ_4K, PT_R);
		assert_int_equal(h->pool[0][15], leaf_desc(PT_EL1, 2, 0, PT_R));
		host_free(h);
	}
}

static void test_reject_unaligned(void **state)
{
	struct host *h = host_new(PT_EL1, 39, false);
	static const uint64_t off[] = { 1, 0x800, 0xfff };
	unsigned i;

	for (i = 0; i < 3; i++) {
		expect_rejected(h, SZ_1G + off[i], SZ_1G, SZ_1G, PT_R);
		expect_rejected(h, SZ_1G, SZ_1G + off[i], SZ_1G, PT_R);
		expect_rejected(h, SZ_1G, SZ_1G, SZ_1G + off[i], PT_R);
		expect_rejected(h, SZ_1G, SZ_1G, off[i], PT_R);
		expect_rejected(h, SZ_1G + off[i], 0, SZ_4K, 0);
	}
	host_free(h);
}

static void test_reject_overflow(void **state)
{
	struct host *h = host_new(PT_EL2, 48, false);

	/* va + size wraps around 2^64 (to a small value that would pass a naive check) */
	expect_rejected(h, 0xfffffffffffff000ULL, 0, 0x2000, PT_R);
	expect_rejected(h, 0xfffffffffffff000ULL, 0, 0x1000, PT_R);   /* wraps to exactly 0 */
	expect_rejected(h, 0x1000, 0, 0xfffffffffffff000ULL, PT_R);   /* wraps to 0 */
	expect_rejected(h, 0x2000, 0, 0xfffffffffffff000ULL, PT_R);   /* wraps to 0x1000 */
	expect_rejected(h, SZ_1G, 0, 0xffffffffc0001000ULL, 0);
	host_free(h);
}

static void test_reject_invalid_prot(void **state)
{
	struct host *h = host_new(PT_EL1, 39, true);

	assert_int_equal(do_map(h, SZ_1G, SZ_1G, SZ_1G, PT_R), 0);
	expect_rejected(h, SZ_1G, SZ_1G, SZ_4K, PT_R | PT_W | PT_X);
	expect_rejected(h, SZ_1G, SZ_1G, SZ_4K, PT_W);
	expect_rejected(h, SZ_1G, SZ_1G, SZ_4K, PT_X);
	expect_rejected(h, SZ_1G, SZ_1G, SZ_4K, PT_R | PT_DEVICE | PT_X);
	expect_rejected(h, SZ_1G, SZ_1G, SZ_4K, PT_R | PT_DEVICE | PT_NC);
	expect_rejected(h, 0, 0, SZ_4K, PT_DEVICE | PT_W);
	assert_int_equal(h->nlog, 0);
	expect_leaf(h, SZ_1G, 1, SZ_1G, PT_R);
	host_free(h);
}

static void test_zero_size_is_noop(void **state)
{
	struct host *h = host_new(PT_EL1, 39, true);

	assert_int_equal(do_map(h, SZ_1G, SZ_1G, SZ_1G, PT_R), 0);
	assert_int_equal(do_map(h, SZ_1G + SZ_4K, 0, 0, PT_R | PT_W), 0);
	assert_int_equal(do_map(h, 1ULL << 39, 0, 0, PT_R), 0);   /* empty range at the top */
	assert_int_equal(h->n, 1);
	assert_int_equal(h->nlog, 0);
	expect_leaf(h, SZ_1G + SZ_4K, 1, SZ_1G + SZ_4K, PT_R);
	host_free(h);
}

static void test_lookup_limits(void **state)
{
	struct host *h = host_new(PT_EL1, 36, false);
	unsigned lvl = 5;

	assert_int_equal(pt_lookup(&h->ctx, 0, &lvl), 0);
	assert_int_equal(lvl, 5);
	assert_int_equal(do_map(h, 0, 0, 1ULL << 36, PT_R), 0);
	assert_int_equal(pt_lookup(&h->ctx, (1ULL << 36) - 1, &lvl),
			 leaf_desc(PT_EL1, 1, (1ULL << 36) - SZ_1G, PT_R));
	assert_int_equal(lvl, 1);
	lvl = 5;
	assert_int_equal(pt_lookup(&h->ctx, 1ULL << 36, &lvl), 0);
	assert_int_equal(pt_lookup(&h->ctx, UINT64_MAX, &lvl), 0);
	assert_int_equal(lvl, 5);
	/* an unaligned va finds the leaf that contains it */
	assert_int_equal(pt_lookup(&h->ctx, 0x123456789ULL, NULL),
			 leaf_desc(PT_EL1, 1, 0x100000000ULL, PT_R));
	host_free(h);
}

/* alloc returning 0 makes pt_map fail with -1. */
static void test_out_of_tables(void **state)
{
	struct host *h = host_new(PT_EL1, 39, true);

	/* A page on empty tables needs two tables: fails with 0 or 1 left, works with 2. */
	h->limit = h->n;
	assert_int_equal(do_map(h, 0x5000, 0, SZ_4K, PT_R), -1);
	assert_int_equal(h->alloc_failures, 1);
	expect_unmapped(h, 0x5000);
	h->limit = h->n + 1;
	assert_int_equal(do_map(h, 0x5000, 0, SZ_4K, PT_R), -1);
	expect_unmapped(h, 0x5000);
	h->limit = h->n + 1;
	assert_int_equal(do_map(h, 0x5000, 0, SZ_4K, PT_R), 0);  /* the level-2 table is there */
	expect_leaf(h, 0x5000, 3, 0, PT_R);
	host_free(h);

	/* Splitting a block without a table to split into: the block is left intact. */
	h = host_new(PT_EL2, 39, true);
	assert_int_equal(do_map(h, SZ_1G, 0, SZ_1G, PT_R | PT_W), 0);
	h->limit = h->n;
	assert_int_equal(do_map(h, SZ_1G + SZ_2M, 0x1000, SZ_4K, PT_R), -1);
	assert_int_equal(h->nlog, 0);
	expect_leaf(h, SZ_1G + SZ_2M, 1, SZ_2M, PT_R | PT_W);
	/* one table: the 1 GiB block is split, the 2 MiB one is not; all of it still maps
	 * what it mapped before */
	h->limit = h->n + 1;
	assert_int_equal(do_map(h, SZ_1G + SZ_2M, 0x1000, SZ_4K, PT_R), -1);
	expect_leaf(h, SZ_1G + SZ_2M, 2, SZ_2M, PT_R | PT_W);
	expect_leaf(h, SZ_1G, 2, 0, PT_R | PT_W);
	h->limit = SIZE_MAX;
	assert_int_equal(do_map(h, SZ_1G + SZ_2M, 0x1000, SZ_4K, PT_R), 0);
	expect_leaf(h, SZ_1G + SZ_2M, 3, 0x1000, PT_R);
	expect_leaf(h, SZ_1G + SZ_2M + SZ_4K, 3, SZ_2M + SZ_4K, PT_R | PT_W);
	host_free(h);

	/* Unmapping part of a block also needs tables. */
	h = host_new(PT_EL1, 39, false);
	assert_int_equal(do_map(h, 0, 0, SZ_1G, PT_R), 0);
	h->limit = h->n;
	assert_int_equal(do_map(h, SZ_4K, 0, SZ_4K, 0), -1);
	expect_leaf(h, SZ_4K, 1, SZ_4K, PT_R);
	host_free(h);
}

/* ------------------------------------------------------------------------------------ */
/* 8. output addresses and unmapping                                                   */
/* ------------------------------------------------------------------------------------ */

/* The host is made and freed outside the test body so that the expected failure
 * does not also leak. */
static int pa_setup(void **state)
{
	*state = host_new(PT_EL2, 39, true);
	return 0;
}

static int pa_teardown(void **state)
{
	host_free(*state);
	return 0;
}

/*
 * pa bits 48 and up would land in the descriptor's upper attributes (bit 52 Contiguous,
 * 53 PXN, 54 UXN/XN, 55-58 software), silently changing permissions, and pa + size may
 * wrap around 2^64: such mappings are refused.
 */
static void test_pa_beyond_48_bits(void **state)
{
	struct host *h = *state;

	/* pa bit 54 is XN at EL2: an executable mapping would come out non-executable */
	expect_rejected(h, 0, 1ULL << 54, SZ_4K, PT_R | PT_X);
	/* the last page of the 48-bit PA space and one more: the second has pa bit 48 set */
	expect_rejected(h, 0, (1ULL << 48) - SZ_4K, 2 * SZ_4K, PT_R);
	/* pa + size wraps around 2^64 */
	expect_rejected(h, 0, 0xfffffffffffff000ULL, 2 * SZ_4K, PT_R);
}

/*
 * pa means nothing when unmapping: a whole block goes whatever pa says, with no table
 * allocated (it once split a 1 GiB block into 513 empty tables).
 */
static void test_unmap_ignores_pa(void **state)
{
	struct host *h = *state;
	size_t n;

	assert_int_equal(do_map(h, SZ_1G, SZ_1G, SZ_1G, PT_R), 0);
	n = h->n;
	h->limit = n;                    /* no table to spare: an unmap should not need one */
	assert_int_equal(do_map(h, SZ_1G, 0x1000, SZ_1G, 0), 0);
	assert_int_equal(h->n, n);
	expect_unmapped(h, SZ_1G);
	expect_unmapped(h, 2 * SZ_1G - SZ_4K);
}

/* ------------------------------------------------------------------------------------ */

int main(void)
{
	const struct CMUnitTest layout[] = {
		cmocka_unit_test(test_map_1g_block),
		cmocka_unit_test(test_map_2m_blocks),
		cmocka_unit_test(test_map_pages_unaligned),
		cmocka_unit_test(test_map_2m_size_unaligned_va),
		cmocka_unit_test(test_map_mixed_range_2m),
		cmocka_unit_test(test_map_mixed_range_1g),
		cmocka_unit_test(test_map_pa_misaligned),
		cmocka_unit_test(test_level0_never_block),
		cmocka_unit_test(test_level2_root),
		cmocka_unit_test(test_map_all_prots),
	};
	const struct CMUnitTest remap[] = {
		cmocka_unit_test(test_split_1g_change_page_prot),
		cmocka_unit_test(test_split_1g_remap_2m_new_pa),
		cmocka_unit_test(test_unmap_page_inside_1g_block),
		cmocka_unit_test(test_unmap_page_inside_2m_block),
		cmocka_unit_test(test_unmap_whole_block),
		cmocka_unit_test(test_unmap_unmapped_is_noop),
		cmocka_unit_test(test_replace_only_for_valid_entries),
		cmocka_unit_test(test_block_over_table),
		cmocka_unit_test(test_split_without_callback),
		cmocka_unit_test(test_split_high_pa),
	};
	const struct CMUnitTest limits[] = {
		cmocka_unit_test(test_reject_beyond_va_bits),
		cmocka_unit_test(test_top_of_va_space),
		cmocka_unit_test(test_reject_unaligned),
		cmocka_unit_test(test_reject_overflow),
		cmocka_unit_test(test_reject_invalid_prot),
		cmocka_unit_test(test_zero_size_is_noop),
		cmocka_unit_test(test_lookup_limits),
		cmocka_unit_test(test_out_of_tables),
	};
	const struct CMUnitTest output[] = {
		cmocka_unit_test_setup_teardown(test_pa_beyond_48_bits,
						pa_setup, pa_teardown),
		cmocka_unit_test_setup_teardown(test_unmap_ignores_pa,
						pa_setup, pa_teardown),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("pgtable: block/page layout", layout, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: remap, split, unmap", remap, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: limits", limits, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: output addresses", output, NULL, NULL);
	return failed ? 1 : 0;
}
