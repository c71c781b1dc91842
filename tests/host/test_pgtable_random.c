/* Host unit tests for mm/pgtable.c, part 3:
 *   7. randomized test against a reference model (fixed seeds, printed; override with
 *      PGTABLE_SEED=<n>, PGTABLE_OPS=<n>) */
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

int main(void)
{
	const struct CMUnitTest randomized[] = {
		cmocka_unit_test(test_model_selfcheck),
		cmocka_unit_test(test_random_el1),
		cmocka_unit_test(test_random_el2),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("pgtable: randomized", randomized, NULL, NULL);
	return failed ? 1 : 0;
}
