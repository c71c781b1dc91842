/* Host unit tests for the stage 1 translation-table encoder (mm/pgtable.c).
 *
 * Tables live in host buffers: the fake "physical" address TBL_BASE + 0x1000 * k names
 * pool[k]. Every table access goes through ctx->table, which checks the address, and the
 * optional replace callback checks that it is only called for valid entries, with a
 * va/level that walks to the very entry being replaced (break-before-make contract).
 *
 * Groups:
 *   1. leaf attributes (pt_leaf_attrs / pt_leaf_prot), both regimes, all prot combos
 *   2. geometry (pt_start_level / pt_root_entries)
 *   3. TCR (pt_tcr)
 *   4. layout: block vs page choice
 *   5. remapping, splitting, unmapping, replace callback
 *   6. argument checking, limits, out of tables
 *   7. randomized test against a reference model (fixed seeds, printed; override with
 *      PGTABLE_SEED=<n>, PGTABLE_OPS=<n>)
 *   8. output-address checks and unmapping without pa alignment (found by this suite)
 */
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

#define SZ_4K  0x1000ULL
#define SZ_2M  0x200000ULL
#define SZ_1G  0x40000000ULL
#define SZ_512G (512 * SZ_1G)

/* Where the fake physical addresses of tables start: far from every pa the tests map. */
#define TBL_BASE 0x0000a00000000000ULL

static uint64_t level_size(unsigned level)
{
	return 1ULL << (12 + 9 * (3 - level));
}

/* ------------------------------------------------------------------------------------ */
/* Host context                                                                         */
/* ------------------------------------------------------------------------------------ */

struct repl_rec {
	uint64_t *entry;
	uint64_t old, val, va;
	unsigned level;
};

struct host {
	struct pt_ctx ctx;          /* first: ctx->priv also points back here */
	uint64_t **pool;            /* pool[k]: the table at TBL_BASE + 0x1000 * k */
	uint64_t **shadow;          /* copy of pool as of the last audit (audit mode only) */
	size_t n, cap;              /* tables allocated / pool capacity */
	size_t limit;               /* alloc fails once n reaches it */
	size_t alloc_failures;
	/* tables accessed during the current pt_map (audit mode) */
	size_t *touched;
	unsigned char *is_touched;
	size_t ntouched;
	/* replace callback log */
	struct repl_rec *log, *sorted;
	size_t nlog, logcap, sorted_cap;
	bool audit;                 /* keep shadows, diff after each op */
};

static struct host *H(struct pt_ctx *ctx)
{
	return (struct host *)ctx->priv;
}

static uint64_t tbl_addr(size_t k)
{
	return TBL_BASE + SZ_4K * k;
}

static void grow(struct host *h)
{
	size_t cap = h->cap ? 2 * h->cap : 64;

	h->pool = realloc(h->pool, cap * sizeof(*h->pool));
	h->shadow = realloc(h->shadow, cap * sizeof(*h->shadow));
	h->touched = realloc(h->touched, cap * sizeof(*h->touched));
	h->is_touched = realloc(h->is_touched, cap);
	assert_non_null(h->pool);
	assert_non_null(h->shadow);
	assert_non_null(h->touched);
	assert_non_null(h->is_touched);
	memset(h->is_touched + h->cap, 0, cap - h->cap);
	h->cap = cap;
}

static void touch(struct host *h, size_t k)
{
	if (!h->is_touched[k]) {
		h->is_touched[k] = 1;
		h->touched[h->ntouched++] = k;
	}
}

static uint64_t host_alloc(struct pt_ctx *ctx)
{
	struct host *h = H(ctx);

	if (h->n >= h->limit) {
		h->alloc_failures++;
		return 0;
	}
	if (h->n == h->cap)
		grow(h);
	h->pool[h->n] = calloc(512, sizeof(uint64_t));
	assert_non_null(h->pool[h->n]);
	h->shadow[h->n] = NULL;
	if (h->audit) {
		h->shadow[h->n] = calloc(512, sizeof(uint64_t));
		assert_non_null(h->shadow[h->n]);
	}
	return tbl_addr(h->n++);
}

static size_t tbl_index(struct host *h, uint64_t addr)
{
	size_t k;

	assert_true(addr >= TBL_BASE);
	assert_int_equal(addr & 0xfff, 0);
	k = (addr - TBL_BASE) / SZ_4K;
	assert_in_range(k, 0, h->n - 1);
	return k;
}

static uint64_t *host_table(struct pt_ctx *ctx, uint64_t addr)
{
	struct host *h = H(ctx);
	size_t k = tbl_index(h, addr);

	if (h->audit)
		touch(h, k);
	return h->pool[k];
}

/* The entry that va walks to at level, or NULL when the walk stops before it. */
static uint64_t *walk_to(struct host *h, uint64_t va, unsigned level)
{
	uint64_t *t = h->pool[tbl_index(h, h->ctx.root)];
	unsigned l;

	for (l = pt_start_level(h->ctx.va_bits); l < level; l++) {
		uint64_t d = t[(va >> (12 + 9 * (3 - l))) & 511];

		if ((d & 3) != 3)
			return NULL;
		t = h->pool[tbl_index(h, d & PT_ADDR_MASK)];
	}
	return &t[(va >> (12 + 9 * (3 - level))) & 511];
}

static void host_replace(struct pt_ctx *ctx, uint64_t *entry, uint64_t val, uint64_t va,
			 unsigned level)
{
	struct host *h = H(ctx);
	struct repl_rec *r;

	/* Only valid entries need break-before-make. */
	assert_true(*entry & PT_VALID);
	/* va/level name exactly this entry. */
	assert_in_range(level, pt_start_level(ctx->va_bits), 3);
	assert_ptr_equal(walk_to(h, va, level), entry);
	if (h->nlog == h->logcap) {
		h->logcap = h->logcap ? 2 * h->logcap : 64;
		h->log = realloc(h->log, h->logcap * sizeof(*h->log));
		assert_non_null(h->log);
	}
	r = &h->log[h->nlog++];
	r->entry = entry;
	r->old = *entry;
	r->val = val;
	r->va = va;
	r->level = level;
	*entry = val;
}

static struct host *host_new(enum pt_regime regime, unsigned va_bits, bool with_replace)
{
	struct host *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	h->ctx.regime = regime;
	h->ctx.va_bits = va_bits;
	h->ctx.alloc = host_alloc;
	h->ctx.table = host_table;
	h->ctx.replace = with_replace ? host_replace : NULL;
	h->ctx.priv = h;
	h->limit = SIZE_MAX;
	h->audit = with_replace;
	h->ctx.root = host_alloc(&h->ctx);
	assert_int_not_equal(h->ctx.root, 0);
	return h;
}

static void host_free(struct host *h)
{
	size_t k;

	for (k = 0; k < h->n; k++) {
		free(h->pool[k]);
		free(h->shadow[k]);
	}
	free(h->pool);
	free(h->shadow);
	free(h->touched);
	free(h->is_touched);
	free(h->log);
	free(h->sorted);
	free(h);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct repl_rec *x = a, *y = b;

	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* pt_map, and in audit mode check what it wrote against the replace log:
 * every valid entry that changed went through the callback with the right old/new value,
 * and every callback's value is what the entry holds at the end. */
static int do_map(struct host *h, uint64_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	size_t n_before = h->n, i, t;
	int rc;

	h->nlog = 0;
	h->ntouched = 0;
	rc = pt_map(&h->ctx, va, pa, size, prot);
	if (!h->audit)
		return rc;
	for (i = 0; i < h->nlog; i++)
		assert_true(*h->log[i].entry == h->log[i].val);
	/* by entry, to find them below; a stable copy keeps the call order in h->log */
	if (h->nlog > h->sorted_cap) {
		h->sorted_cap = h->logcap;
		h->sorted = realloc(h->sorted, h->sorted_cap * sizeof(*h->sorted));
		assert_non_null(h->sorted);
	}
	if (h->nlog) {
		memcpy(h->sorted, h->log, h->nlog * sizeof(*h->log));
		qsort(h->sorted, h->nlog, sizeof(*h->sorted), cmp_rec);
	}
	for (i = 1; i < h->nlog; i++)       /* each entry is replaced at most once per call */
		assert_ptr_not_equal(h->sorted[i - 1].entry, h->sorted[i].entry);
	for (t = 0; t < h->ntouched; t++) {
		size_t k = h->touched[t];
		unsigned e;

		h->is_touched[k] = 0;
		for (e = 0; e < 512; e++) {
			uint64_t old = h->shadow[k][e], now = h->pool[k][e];

			if (old == now)
				continue;
			if (old & PT_VALID) {
				struct repl_rec key = { .entry = &h->pool[k][e] };
				struct repl_rec *r = !h->nlog ? NULL :
					bsearch(&key, h->sorted, h->nlog, sizeof(key), cmp_rec);

				if (!r || r->old != old || r->val != now)
					fail_msg("valid entry %zu[%u] %#" PRIx64 " -> %#" PRIx64
						 " written without replace()", k, e, old, now);
			}
		}
		memcpy(h->shadow[k], h->pool[k], 4096);
	}
	/* Tables allocated during the op start as zero: nothing to compare. */
	for (t = n_before; t < h->n; t++)
		memcpy(h->shadow[t], h->pool[t], 4096);
	return rc;
}

/* The descriptor pt_map should write for a leaf at level mapping pa_base. */
static uint64_t leaf_desc(enum pt_regime regime, unsigned level, uint64_t pa_base, unsigned prot)
{
	return pa_base | pt_leaf_attrs(regime, prot) | (level == 3 ? PT_TABLE : 0);
}

/* Assert that va is mapped by a leaf at level, va -> pa, with prot. */
static void expect_leaf(struct host *h, uint64_t va, unsigned level, uint64_t pa, unsigned prot)
{
	unsigned got_level = 99;
	uint64_t d = pt_lookup(&h->ctx, va, &got_level);
	uint64_t lsz = level_size(level);

	if (got_level != level || d != leaf_desc(h->ctx.regime, level, pa - (va & (lsz - 1)), prot))
		fail_msg("va %#" PRIx64 ": got desc %#" PRIx64 " level %u, want level %u pa %#" PRIx64
			 " prot %#x (desc %#" PRIx64 ")", va, d, got_level, level, pa, prot,
			 leaf_desc(h->ctx.regime, level, pa - (va & (lsz - 1)), prot));
	assert_int_equal(pt_leaf_prot(h->ctx.regime, d), prot);
}

static void expect_unmapped(struct host *h, uint64_t va)
{
	unsigned lvl = 77;

	if (pt_lookup(&h->ctx, va, &lvl) != 0)
		fail_msg("va %#" PRIx64 " should be unmapped, desc %#" PRIx64,
			 va, pt_lookup(&h->ctx, va, NULL));
	assert_int_equal(lvl, 77);     /* level untouched when nothing is found */
}

/* ---- walking the tables directly ---- */

struct leaf {
	uint64_t va, desc;
	unsigned level;
};

struct leaves {
	struct leaf *v;
	size_t n, cap;
	size_t tables_reached;
};

static void add_leaf(struct leaves *L, uint64_t va, uint64_t desc, unsigned level)
{
	if (L->n == L->cap) {
		L->cap = L->cap ? 2 * L->cap : 1024;
		L->v = realloc(L->v, L->cap * sizeof(*L->v));
		assert_non_null(L->v);
	}
	L->v[L->n++] = (struct leaf){ va, desc, level };
}

/* Walk one table, checking the descriptor formats:
 *  - invalid entries are all-zero,
 *  - table descriptors are exactly addr | 3 (levels 0-2),
 *  - blocks only at levels 1 and 2 (bit 1 clear), pages at level 3 (bit 1 set),
 *  - an output address aligned to the leaf's size. */
static void walk_table(struct host *h, uint64_t tbl, unsigned level, uint64_t va_base,
		       unsigned entries, struct leaves *L)
{
	uint64_t *t = h->pool[tbl_index(h, tbl)];
	uint64_t lsz = level_size(level);
	unsigned i;

	L->tables_reached++;
	for (i = 0; i < 512; i++) {
		uint64_t d = t[i], va = va_base + i * lsz;

		if (i >= entries) {
			if (d)
				fail_msg("root entry %u beyond root_entries %u is %#" PRIx64, i, entries, d);
			continue;
		}
		if (!(d & PT_VALID)) {
			if (d)
				fail_msg("invalid entry at va %#" PRIx64 " not zero: %#" PRIx64, va, d);
			continue;
		}
		if (level < 3 && (d & PT_TABLE)) {
			if ((d & ~PT_ADDR_MASK) != (PT_VALID | PT_TABLE))
				fail_msg("table descriptor at va %#" PRIx64 " level %u has attributes: %#"
					 PRIx64, va, level, d);
			walk_table(h, d & PT_ADDR_MASK, level + 1, va, 512, L);
			continue;
		}
		if (level == 0)
			fail_msg("block at level 0 (va %#" PRIx64 "): %#" PRIx64, va, d);
		if ((d & PT_ADDR_MASK) & (lsz - 1))
			fail_msg("leaf at va %#" PRIx64 " level %u: misaligned output %#" PRIx64,
				 va, level, d);
		add_leaf(L, va, d, level);
	}
}

static struct leaves walk_all(struct host *h)
{
	struct leaves L = { 0 };
	unsigned start = pt_start_level(h->ctx.va_bits);

	walk_table(h, h->ctx.root, start, 0, pt_root_entries(h->ctx.va_bits), &L);
	/* No table is reachable twice, and the walk cannot reach more than were allocated. */
	assert_true(L.tables_reached <= h->n);
	return L;
}

/* The leaves a single pt_map(va, pa, size) on empty tables should produce: the largest of
 * 1 GiB / 2 MiB / 4 KiB that both va and pa are aligned to and that fits (no 1 GiB blocks
 * when the walk starts at level 2). */
static struct leaves reference_layout(uint64_t va, uint64_t pa, uint64_t size,
				      enum pt_regime regime, unsigned prot, unsigned start_level)
{
	struct leaves L = { 0 };
	uint64_t end = va + size;

	while (va < end) {
		unsigned level = 3;
		unsigned l;

		for (l = start_level < 1 ? 1 : start_level; l <= 2; l++) {
			uint64_t s = level_size(l);

			if (!(va & (s - 1)) && !(pa & (s - 1)) && end - va >= s) {
				level = l;
				break;
			}
		}
		add_leaf(&L, va, leaf_desc(regime, level, pa, prot), level);
		va += level_size(level);
		pa += level_size(level);
	}
	return L;
}

static void expect_same_leaves(struct leaves *got, struct leaves *want)
{
	size_t i;

	if (got->n != want->n)
		fail_msg("%zu leaves, want %zu", got->n, want->n);
	for (i = 0; i < got->n; i++) {
		if (got->v[i].va != want->v[i].va || got->v[i].level != want->v[i].level ||
		    got->v[i].desc != want->v[i].desc)
			fail_msg("leaf %zu: va %#" PRIx64 " level %u desc %#" PRIx64
				 ", want va %#" PRIx64 " level %u desc %#" PRIx64, i,
				 got->v[i].va, got->v[i].level, got->v[i].desc,
				 want->v[i].va, want->v[i].level, want->v[i].desc);
	}
}

static void count_levels(struct leaves *L, size_t out[4])
{
	size_t i;

	memset(out, 0, 4 * sizeof(size_t));
	for (i = 0; i < L->n; i++)
		out[L->v[i].level]++;
}

/* ------------------------------------------------------------------------------------ */
/* 1. Leaf attributes                                                                   */
/* ------------------------------------------------------------------------------------ */

#define PROT_ALL (PT_R | PT_W | PT_X | PT_DEVICE | PT_NC)

static bool prot_valid(unsigned p)
{
	if (!(p & PT_R))
		return false;
	if ((p & PT_W) && (p & PT_X))
		return false;
	if ((p & PT_DEVICE) && (p & (PT_X | PT_NC)))
		return false;
	return true;
}

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

/* A rejected call changes nothing and allocates nothing. */
static void expect_rejected(struct host *h, uint64_t va, uint64_t pa, uint64_t size,
			    unsigned prot)
{
	size_t n = h->n;
	uint64_t before[512];

	memcpy(before, h->pool[0], sizeof(before));
	if (do_map(h, va, pa, size, prot) != -1)
		fail_msg("pt_map(va %#" PRIx64 ", pa %#" PRIx64 ", size %#" PRIx64
			 ", prot %#x) accepted", va, pa, size, prot);
	assert_int_equal(h->n, n);
	assert_memory_equal(before, h->pool[0], sizeof(before));
}

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
/* 7. Randomized test against a reference model                                         */
/* ------------------------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* The model: sorted, disjoint intervals [start, end) -> pa + (va - start), prot. */
struct seg {
	uint64_t start, end, pa;
	unsigned prot;
};

struct model {
	struct seg *v, *tmp;
	size_t n, cap;
};

static void model_reserve(struct model *m, size_t n)
{
	if (n <= m->cap)
		return;
	while (m->cap < n)
		m->cap = m->cap ? 2 * m->cap : 256;
	m->v = realloc(m->v, m->cap * sizeof(*m->v));
	m->tmp = realloc(m->tmp, m->cap * sizeof(*m->tmp));
	assert_non_null(m->v);
	assert_non_null(m->tmp);
}

static void model_set(struct model *m, uint64_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	uint64_t end = va + size;
	size_t i, k = 0;
	bool placed = false;

	model_reserve(m, m->n + 2);
	for (i = 0; i < m->n; i++) {
		struct seg s = m->v[i];

		if (s.end <= va || s.start >= end) {
			if (s.start >= end && !placed && prot) {
				m->tmp[k++] = (struct seg){ va, end, pa, prot };
				placed = true;
			}
			m->tmp[k++] = s;
			continue;
		}
		if (s.start < va)
			m->tmp[k++] = (struct seg){ s.start, va, s.pa, s.prot };
		if (!placed && prot) {
			m->tmp[k++] = (struct seg){ va, end, pa, prot };
			placed = true;
		}
		if (s.end > end)
			m->tmp[k++] = (struct seg){ end, s.end, s.pa + (end - s.start), s.prot };
	}
	if (!placed && prot)
		m->tmp[k++] = (struct seg){ va, end, pa, prot };
	{
		struct seg *t = m->v;

		m->v = m->tmp;
		m->tmp = t;
		m->n = k;
	}
}

/* The segment containing va, or NULL. */
static const struct seg *model_find(const struct model *m, uint64_t va)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->v[mid].end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->n && m->v[lo].start <= va)
		return &m->v[lo];
	return NULL;
}

static uint64_t model_bytes(const struct model *m)
{
	uint64_t b = 0;
	size_t i;

	for (i = 0; i < m->n; i++)
		b += m->v[i].end - m->v[i].start;
	return b;
}

/* The leaf (va .. va + level_size) with descriptor d must agree with the model on all of
 * its range: every byte mapped with the same prot and contiguous pa. */
static void check_leaf_against_model(struct host *h, const struct model *m, uint64_t va,
				     uint64_t d, unsigned level, uint64_t seed, size_t op)
{
	uint64_t lsz = level_size(level), base = va & ~(lsz - 1), end = base + lsz;
	uint64_t pa = d & PT_ADDR_MASK;
	unsigned prot = pt_leaf_prot(h->ctx.regime, d);
	uint64_t cur = base;

	if (d != leaf_desc(h->ctx.regime, level, pa, prot))
		fail_msg("seed %#" PRIx64 " op %zu: leaf at %#" PRIx64 " has odd bits: %#" PRIx64,
			 seed, op, base, d);
	while (cur < end) {
		const struct seg *s = model_find(m, cur);

		if (!s)
			fail_msg("seed %#" PRIx64 " op %zu: va %#" PRIx64 " mapped by level %u leaf %#"
				 PRIx64 " but unmapped in the model", seed, op, cur, level, d);
		if (s->prot != prot || s->pa + (cur - s->start) != pa + (cur - base))
			fail_msg("seed %#" PRIx64 " op %zu: va %#" PRIx64 " level %u leaf %#" PRIx64
				 " (pa %#" PRIx64 " prot %#x), model pa %#" PRIx64 " prot %#x",
				 seed, op, cur, level, d, pa + (cur - base), prot,
				 s->pa + (cur - s->start), s->prot);
		cur = s->end < end ? s->end : end;
	}
}

static void check_lookup(struct host *h, const struct model *m, uint64_t va, uint64_t seed,
			 size_t op)
{
	const struct seg *s = model_find(m, va);
	unsigned lvl = 9;
	uint64_t d = pt_lookup(&h->ctx, va, &lvl);

	if (!s) {
		if (d)
			fail_msg("seed %#" PRIx64 " op %zu: va %#" PRIx64 " should be unmapped, got %#"
				 PRIx64 " at level %u", seed, op, va, d, lvl);
		return;
	}
	if (!d)
		fail_msg("seed %#" PRIx64 " op %zu: va %#" PRIx64 " unmapped, model pa %#" PRIx64
			 " prot %#x", seed, op, va, s->pa + (va - s->start), s->prot);
	assert_in_range(lvl, 1, 3);
	check_leaf_against_model(h, m, va, d, lvl, seed, op);
}

static void check_all(struct host *h, const struct model *m, uint64_t seed, size_t op,
		      size_t levels[4])
{
	struct leaves L = walk_all(h);
	uint64_t bytes = 0;
	size_t i;

	for (i = 0; i < L.n; i++) {
		check_leaf_against_model(h, m, L.v[i].va, L.v[i].desc, L.v[i].level, seed, op);
		bytes += level_size(L.v[i].level);
	}
	/* The leaves are a subset of the model; equal size makes them all of it. */
	if (bytes != model_bytes(m))
		fail_msg("seed %#" PRIx64 " op %zu: tables map %#" PRIx64 " bytes, model %#" PRIx64,
			 seed, op, bytes, model_bytes(m));
	count_levels(&L, levels);
	free(L.v);
}

static const unsigned valid_prots[] = {
	PT_R, PT_R | PT_W, PT_R | PT_X,
	PT_R | PT_NC, PT_R | PT_W | PT_NC, PT_R | PT_X | PT_NC,
	PT_R | PT_DEVICE, PT_R | PT_W | PT_DEVICE,
};

static const unsigned invalid_prots[] = {
	PT_W, PT_R | PT_W | PT_X, PT_R | PT_DEVICE | PT_X, PT_R | PT_DEVICE | PT_NC, PT_X | PT_NC,
};

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static void random_run(enum pt_regime regime, uint64_t seed, size_t nops)
{
	const unsigned va_bits = 36;
	const uint64_t space = 1ULL << va_bits;
	const uint64_t hot = 0x240000000ULL;      /* a GiB boundary most small ranges crowd at */
	struct host *h = host_new(regime, va_bits, true);
	struct model m = { 0 };
	size_t op, rejected = 0, nmaps = 0, nunmaps = 0, nrepl = 0, lv[4] = { 0 };

	print_message("random %s: seed %#" PRIx64 ", %zu ops (PGTABLE_SEED / PGTABLE_OPS)\n",
		      regime == PT_EL1 ? "EL1" : "EL2", seed, nops);
	rng_state = seed;
	for (op = 1; op <= nops; op++) {
		static const uint64_t gran[] = { SZ_4K, SZ_2M, SZ_1G };
		unsigned g = rnd_below(100) < 55 ? 0 : rnd_below(100) < 70 ? 1 : 2;
		uint64_t gs = gran[g], va, size, pa;
		unsigned prot, r;
		bool expect_ok = true;
		int rc;

		/* va: aligned to the granule, half of the time crowded around `hot` */
		if (rnd_below(2))
			va = hot - 8 * gs + rnd_below(16) * gs;
		else
			va = rnd_below(space / gs) * gs;
		size = (1 + rnd_below(g == 2 ? 3 : 24)) * gs;
		/* sometimes ragged edges, in units of the next smaller granule: mixed layouts */
		if (g && rnd_below(4) == 0) {
			va += rnd_below(512) * gran[g - 1];
			size += rnd_below(1024) * gran[g - 1];
		}
		/* pa: same alignment (blocks possible), identity, or only 4 KiB-aligned */
		r = rnd_below(10);
		if (r < 6)
			pa = rnd_below((1ULL << 40) / gs) * gs + (va & (gs - 1));
		else if (r < 8)
			pa = va;
		else    /* misaligned; for GiB ranges only to 2 MiB (not 256 Ki pages per GiB) */
			pa = rnd_below((1ULL << 40) / SZ_4K) * (g == 2 ? SZ_2M : SZ_4K) %
			     (1ULL << 40);
		/* prot: mostly valid, some unmaps, a few invalid */
		r = rnd_below(100);
		if (r < 15)
			prot = 0;
		else if (r < 18) {
			prot = invalid_prots[rnd_below(ARRAY_SIZE(invalid_prots))];
			expect_ok = false;
		} else
			prot = valid_prots[rnd_below(ARRAY_SIZE(valid_prots))];
		if (va >= space || va + size > space)
			expect_ok = false;

		rc = do_map(h, va, pa, size, prot);
		nrepl += h->nlog;
		if (rc != (expect_ok ? 0 : -1))
			fail_msg("seed %#" PRIx64 " op %zu: pt_map(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64
				 ", %#x) = %d", seed, op, va, pa, size, prot, rc);
		if (expect_ok) {
			model_set(&m, va, pa, size, prot);
			if (prot)
				nmaps++;
			else
				nunmaps++;
		} else {
			rejected++;
		}

		if (op % 50 == 0) {
			unsigned i;

			for (i = 0; i < 200; i++) {
				uint64_t a;

				switch (rnd_below(3)) {
				case 0:  a = rnd_below(space); break;
				case 1:  a = hot - 8 * SZ_1G + rnd_below(16 * SZ_1G); break;
				default: a = hot - 64 * SZ_4K + rnd_below(128 * SZ_4K); break;
				}
				check_lookup(h, &m, a, seed, op);
			}
			/* and the edges of the last op */
			check_lookup(h, &m, va, seed, op);
			if (va)
				check_lookup(h, &m, va - 1, seed, op);
			if (va + size < space)
				check_lookup(h, &m, va + size, seed, op);
			check_lookup(h, &m, (va + size - 1) & (space - 1), seed, op);
		}
		if (op % 500 == 0 || op == nops)
			check_all(h, &m, seed, op, lv);
	}
	print_message("random %s: %zu maps, %zu unmaps, %zu rejected, %zu replace() calls, "
		      "%zu tables, %zu model segments; final leaves: %zu L1, %zu L2, %zu L3\n",
		      regime == PT_EL1 ? "EL1" : "EL2", nmaps, nunmaps, rejected, nrepl, h->n, m.n,
		      lv[1], lv[2], lv[3]);
	free(m.v);
	free(m.tmp);
	host_free(h);
}

static void test_random_el1(void **state)
{
	random_run(PT_EL1, env_u64("PGTABLE_SEED", 0x5eedf00d12345678ULL),
		   env_u64("PGTABLE_OPS", 10000));
}

static void test_random_el2(void **state)
{
	random_run(PT_EL2, env_u64("PGTABLE_SEED", 0x0123456789abcdefULL),
		   env_u64("PGTABLE_OPS", 10000));
}

/* A self-check of the model against a per-page array on a small window. */
static void test_model_selfcheck(void **state)
{
	enum { PAGES = 256 };
	struct model m = { 0 };
	uint64_t pa_of[PAGES];
	unsigned prot_of[PAGES];
	uint64_t seed = 0xabcdef;
	unsigned i, op;

	rng_state = seed;
	memset(prot_of, 0, sizeof(prot_of));
	for (op = 0; op < 3000; op++) {
		uint64_t first = rnd_below(PAGES), n = 1 + rnd_below(PAGES - first);
		uint64_t pa = rnd_below(1 << 20) * SZ_4K;
		unsigned prot = rnd_below(4) ? valid_prots[rnd_below(8)] : 0;

		model_set(&m, first * SZ_4K, pa, n * SZ_4K, prot);
		for (i = 0; i < n; i++) {
			prot_of[first + i] = prot;
			pa_of[first + i] = pa + i * SZ_4K;
		}
		for (i = 0; i < PAGES; i++) {
			const struct seg *s = model_find(&m, i * SZ_4K + rnd_below(SZ_4K));

			assert_int_equal(s ? s->prot : 0, prot_of[i]);
			if (s)
				assert_int_equal(s->pa + (i * SZ_4K - s->start), pa_of[i]);
		}
		for (i = 1; i < m.n; i++)
			assert_true(m.v[i - 1].end <= m.v[i].start);
	}
	free(m.v);
	free(m.tmp);
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
	const struct CMUnitTest attrs[] = {
		cmocka_unit_test(test_leaf_attrs_el1),
		cmocka_unit_test(test_leaf_attrs_el2),
		cmocka_unit_test(test_leaf_attrs_invalid_combos),
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
	const struct CMUnitTest randomized[] = {
		cmocka_unit_test(test_model_selfcheck),
		cmocka_unit_test(test_random_el1),
		cmocka_unit_test(test_random_el2),
	};
	const struct CMUnitTest output[] = {
		cmocka_unit_test_setup_teardown(test_pa_beyond_48_bits,
						pa_setup, pa_teardown),
		cmocka_unit_test_setup_teardown(test_unmap_ignores_pa,
						pa_setup, pa_teardown),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("pgtable: leaf attributes", attrs, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: geometry", geometry, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: tcr", tcr, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: block/page layout", layout, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: remap, split, unmap", remap, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: limits", limits, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: randomized", randomized, NULL, NULL);
	failed += cmocka_run_group_tests_name("pgtable: output addresses", output, NULL, NULL);
	return failed ? 1 : 0;
}
