/* The host side of the pgtable tests: tables in host buffers, an audited pt_map, table
 * walkers and the reference block/page layout (see pgtable_harness.h). */
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

uint64_t level_size(unsigned level)
{
	return 1ULL << (12 + 9 * (3 - level));
}

/* ------------------------------------------------------------------------------------ */
/* Host context                                                                         */
/* ------------------------------------------------------------------------------------ */

static struct host *H(struct pt_ctx *ctx)
{
	return (struct host *)ctx->priv;
}

uint64_t tbl_addr(size_t k)
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

struct host *host_new(enum pt_regime regime, unsigned va_bits, bool with_replace)
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

void host_free(struct host *h)
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
int do_map(struct host *h, uint64_t va, uint64_t pa, uint64_t size, unsigned prot)
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
uint64_t leaf_desc(enum pt_regime regime, unsigned level, uint64_t pa_base, unsigned prot)
{
	return pa_base | pt_leaf_attrs(regime, prot) | (level == 3 ? PT_TABLE : 0);
}

/* Assert that va is mapped by a leaf at level, va -> pa, with prot. */
void expect_leaf(struct host *h, uint64_t va, unsigned level, uint64_t pa, unsigned prot)
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

void expect_unmapped(struct host *h, uint64_t va)
{
	unsigned lvl = 77;

	if (pt_lookup(&h->ctx, va, &lvl) != 0)
		fail_msg("va %#" PRIx64 " should be unmapped, desc %#" PRIx64,
			 va, pt_lookup(&h->ctx, va, NULL));
	assert_int_equal(lvl, 77);     /* level untouched when nothing is found */
}

/* ---- walking the tables directly ---- */
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

struct leaves walk_all(struct host *h)
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
struct leaves reference_layout(uint64_t va, uint64_t pa, uint64_t size,
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

void expect_same_leaves(struct leaves *got, struct leaves *want)
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

void count_levels(struct leaves *L, size_t out[4])
{
	size_t i;

	memset(out, 0, 4 * sizeof(size_t));
	for (i = 0; i < L->n; i++)
		out[L->v[i].level]++;
}
#define PROT_ALL (PT_R | PT_W | PT_X | PT_DEVICE | PT_NC)

bool prot_valid(unsigned p)
{
	if (!(p & PT_R))
		return false;
	if ((p & PT_W) && (p & PT_X))
		return false;
	if ((p & PT_DEVICE) && (p & (PT_X | PT_NC)))
		return false;
	return true;
}

/* A rejected call changes nothing and allocates nothing. */
void expect_rejected(struct host *h, uint64_t va, uint64_t pa, uint64_t size,
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
