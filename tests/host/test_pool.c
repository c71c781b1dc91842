/* Host unit tests for mm/pool.c. The "physical" memory is a host buffer described in the
 * map at its own address, so the identity mapping the pool assumes holds here too. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "memmap.h"
#include "util.h"

#define PAGE            4096ULL
#define MiB             (1024 * 1024ULL)
#define ARENA_SIZE      (16 * MiB)
#define WB              EFI_MEMORY_WB

static struct memmap m;
static UINT8 *arena;

static int setup(void **state)
{
	arena = aligned_alloc(2 * MiB, ARENA_SIZE);
	if (!arena)
		return -1;
	memmap_init(&m);
	return memmap_set(&m, (uintptr_t)arena, ARENA_SIZE / PAGE, EfiConventionalMemory, WB) ==
	       EFI_SUCCESS ? 0 : -1;
}

static int teardown(void **state)
{
	free(arena);
	return 0;
}

static void *alloc(UINT32 type, UINTN size)
{
	void *p = NULL;

	assert_int_equal(pool_alloc(&m, type, size, &p), EFI_SUCCESS);
	return p;
}

static const EFI_MEMORY_DESCRIPTOR *desc_at(const void *p)
{
	UINT64 a = (uintptr_t)p;

	for (UINTN i = 0; i < m.count; i++)
		if (a >= m.desc[i].PhysicalStart &&
		    a - m.desc[i].PhysicalStart < m.desc[i].NumberOfPages * PAGE)
			return &m.desc[i];
	return NULL;
}

/* A block must be 8-byte aligned (we give 16) and lie wholly in pages of its type. */
static void check_block(const void *p, UINTN size, UINT32 type)
{
	UINT64 a = (uintptr_t)p;
	const EFI_MEMORY_DESCRIPTOR *d = desc_at(p);

	assert_int_equal(a % 16, 0);
	assert_true(a >= (uintptr_t)arena && a + size <= (uintptr_t)arena + ARENA_SIZE);
	assert_non_null(d);
	assert_int_equal(d->Type, type);
	assert_true(a + size <= d->PhysicalStart + d->NumberOfPages * PAGE);
}

/* A snapshot of the map, to show an operation gave back all it took. */
struct snap {
	UINTN count;
	EFI_MEMORY_DESCRIPTOR desc[MEMMAP_MAX];
};

static void snap(struct snap *s)
{
	s->count = m.count;
	memcpy(s->desc, m.desc, m.count * sizeof(m.desc[0]));
}

static void assert_map_is(const struct snap *s)
{
	assert_int_equal(m.count, s->count);
	assert_memory_equal(m.desc, s->desc, s->count * sizeof(s->desc[0]));
}

static void test_pool_basic(void **state)
{
	void *a = alloc(EfiBootServicesData, 1);
	void *b = alloc(EfiBootServicesData, 100);
	void *c = alloc(EfiLoaderData, 24);
	void *r = alloc(EfiRuntimeServicesData, 8);

	check_block(a, 1, EfiBootServicesData);
	check_block(b, 100, EfiBootServicesData);
	check_block(c, 24, EfiLoaderData);
	check_block(r, 8, EfiRuntimeServicesData);
	assert_true((uintptr_t)b >= (uintptr_t)a + 1 || (uintptr_t)b + 100 <= (uintptr_t)a);
	/* Runtime pool is runtime memory, which the OS must map. */
	assert_true(desc_at(r)->Attribute & EFI_MEMORY_RUNTIME);
	memset(a, 1, 1);
	memset(b, 2, 100);
	memset(c, 3, 24);
	memset(r, 4, 8);
	assert_int_equal(pool_free(&m, b), EFI_SUCCESS);
	assert_int_equal(pool_free(&m, a), EFI_SUCCESS);
	assert_int_equal(pool_free(&m, c), EFI_SUCCESS);
	assert_int_equal(pool_free(&m, r), EFI_SUCCESS);
}

static void test_pool_size_zero(void **state)
{
	void *a = alloc(EfiLoaderData, 0), *b = alloc(EfiLoaderData, 0);

	assert_non_null(a);
	assert_ptr_not_equal(a, b);
	check_block(a, 0, EfiLoaderData);
	assert_int_equal(pool_free(&m, a), EFI_SUCCESS);
	assert_int_equal(pool_free(&m, b), EFI_SUCCESS);
}

static void test_pool_params(void **state)
{
	static const UINT32 bad_types[] = { EfiConventionalMemory, 14, 15, 0x6fffffff };
	struct snap before;
	void *p = (void *)1;

	snap(&before);
	assert_int_equal(pool_alloc(&m, EfiLoaderData, 8, NULL), EFI_INVALID_PARAMETER);
	for (size_t i = 0; i < ARRAY_SIZE(bad_types); i++) {
		assert_int_equal(pool_alloc(&m, bad_types[i], 8, &p), EFI_INVALID_PARAMETER);
		assert_int_equal(pool_alloc(&m, bad_types[i], MiB, &p), EFI_INVALID_PARAMETER);
	}
	assert_int_equal(pool_alloc(&m, EfiLoaderData, ARENA_SIZE, &p), EFI_OUT_OF_RESOURCES);
	assert_int_equal(pool_alloc(&m, EfiLoaderData, ~(UINTN)0, &p), EFI_OUT_OF_RESOURCES);
	assert_int_equal(pool_alloc(&m, EfiLoaderData, ~(UINTN)0 - 4096, &p),
			 EFI_OUT_OF_RESOURCES);
	assert_ptr_equal(p, (void *)1);
	assert_map_is(&before);
}

static void test_pool_large(void **state)
{
	struct snap before;
	UINT8 *p;

	snap(&before);
	p = alloc(EfiBootServicesData, MiB);
	check_block(p, MiB, EfiBootServicesData);
	memset(p, 0x5a, MiB);
	/* Its own pages: the header plus 1 MiB. */
	assert_int_equal(memmap_pages_of(&m, EfiBootServicesData), MiB / PAGE + 1);
	assert_int_equal(pool_free(&m, p), EFI_SUCCESS);
	assert_map_is(&before);
	/* Freed pages are free memory: the block is gone for good... */
	assert_int_equal(pool_free(&m, p), EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_pages_of(&m, EfiConventionalMemory), ARENA_SIZE / PAGE);
	/* ...even once the same pages are allocated again, old header and all. */
	UINT64 addr = (uintptr_t)p - 16;
	assert_int_equal(memmap_alloc(&m, AllocateAddress, EfiBootServicesData, MiB / PAGE + 1,
				      PAGE, &addr), EFI_SUCCESS);
	assert_int_equal(pool_free(&m, p), EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_pages_of(&m, EfiBootServicesData), MiB / PAGE + 1);
}

static void test_pool_exhaustion(void **state)
{
	static void *blocks[ARENA_SIZE / (64 * 1024)];
	struct snap before;
	size_t n = 0;
	void *p;

	snap(&before);
	while (pool_alloc(&m, EfiLoaderData, 64 * 1024, &p) == EFI_SUCCESS) {
		assert_true(n < ARRAY_SIZE(blocks));
		blocks[n++] = p;
	}
	assert_true(n > ARENA_SIZE / (64 * 1024) / 2);
	assert_int_equal(pool_alloc(&m, EfiLoaderData, 64 * 1024, &p), EFI_OUT_OF_RESOURCES);
	while (n)
		assert_int_equal(pool_free(&m, blocks[--n]), EFI_SUCCESS);
	assert_map_is(&before);
}

static void test_pool_invalid_free(void **state)
{
	UINT8 *a = alloc(EfiLoaderData, 64), *big = alloc(EfiLoaderData, 100 * 1024);
	UINT8 *r = alloc(EfiReservedMemoryType, 64);
	UINT64 page;
	int on_stack;

	memset(a, 0, 64);
	memset(big, 0, 100 * 1024);
	assert_int_equal(pool_free(&m, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(pool_free(&m, a + 1), EFI_INVALID_PARAMETER);
	assert_int_equal(pool_free(&m, a + 8), EFI_INVALID_PARAMETER);
	assert_int_equal(pool_free(&m, a + 16), EFI_INVALID_PARAMETER);
	assert_int_equal(pool_free(&m, big + 4096), EFI_INVALID_PARAMETER);
	/* Outside the map: refused without a read (a read of these would crash). */
	assert_int_equal(pool_free(&m, (void *)0x10000), EFI_INVALID_PARAMETER);
	assert_int_equal(pool_free(&m, (void *)(uintptr_t)-4096), EFI_INVALID_PARAMETER);
	assert_int_equal(pool_free(&m, &on_stack), EFI_INVALID_PARAMETER);
	/* Free memory, even holding what looks like a block. */
	memcpy(arena + PAGE, a - 16, 16);
	assert_int_equal(pool_free(&m, arena + PAGE + 16), EFI_INVALID_PARAMETER);
	/* Pages of another type holding a copy of a real header, or garbage. */
	assert_int_equal(memmap_alloc(&m, AllocateAnyPages, EfiBootServicesData, 1, PAGE, &page),
			 EFI_SUCCESS);
	memcpy((UINT8 *)(uintptr_t)page, a - 16, 16);
	assert_int_equal(pool_free(&m, (UINT8 *)(uintptr_t)page + 16), EFI_INVALID_PARAMETER);
	memset((UINT8 *)(uintptr_t)page, 0xff, PAGE);
	assert_int_equal(pool_free(&m, (UINT8 *)(uintptr_t)page + 16), EFI_INVALID_PARAMETER);
	/* A real header of the right type, but the block would run past its pages. */
	page = (uintptr_t)arena;
	assert_int_equal(memmap_alloc(&m, AllocateAddress, EfiLoaderData, 1, PAGE, &page),
			 EFI_SUCCESS);
	memcpy(arena + PAGE - 16, a - 16, 16);
	assert_int_equal(pool_free(&m, arena + PAGE), EFI_INVALID_PARAMETER);
	/* A fixed range, even of an allocated type and holding a real header. */
	page = (uintptr_t)arena + 2 * PAGE;
	assert_int_equal(memmap_reserve(&m, page, 1, EfiLoaderData, WB), EFI_SUCCESS);
	memcpy((UINT8 *)(uintptr_t)page, a - 16, 16);
	assert_int_equal(pool_free(&m, (UINT8 *)(uintptr_t)page + 16), EFI_INVALID_PARAMETER);
	/* The types that also describe the platform go back like any other (UEFI 2.10, 7.2). */
	check_block(r, 64, EfiReservedMemoryType);
	assert_int_equal(pool_free(&m, r), EFI_SUCCESS);

	assert_int_equal(pool_free(&m, a), EFI_SUCCESS);
	assert_int_equal(pool_free(&m, a), EFI_INVALID_PARAMETER);
	assert_int_equal(pool_free(&m, big), EFI_SUCCESS);
	assert_int_equal(pool_free(&m, big), EFI_INVALID_PARAMETER);
}

/* ---- random allocations and frees ---- */

#define LIVE_MAX        800
#define POOL_OPS        60000

struct live {
	UINT8 *p;
	UINTN size;
	UINT32 type;
	UINT8 fill;
};

static struct live live[LIVE_MAX];
static size_t nr_live;
static UINT64 rng;

static UINT64 rnd(UINT64 n)
{
	UINT64 z = (rng += 0x9e3779b97f4a7c15ULL);     /* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) % n;
}

static const UINT32 pool_types[] = {
	EfiLoaderData, EfiBootServicesData, EfiRuntimeServicesData, 0x80000000,
};

static UINTN random_size(void)
{
	UINT64 r = rnd(100);

	return r < 70 ? rnd(257) : r < 97 ? rnd(8192) : rnd(96 * 1024);
}

/* Each block holds its own pattern; an overlap or a stray write would break one. */
static void check_fill(const struct live *l)
{
	for (UINTN i = 0; i < l->size; i++)
		if (l->p[i] != (UINT8)(l->fill + i * 7))
			fail_msg("block %p+%zu corrupt at %zu", (void *)l->p, (size_t)l->size,
				 (size_t)i);
}

static void random_alloc(void)
{
	struct live *l = &live[nr_live++];

	l->size = random_size();
	l->type = pool_types[rnd(ARRAY_SIZE(pool_types))];
	l->fill = rnd(256);
	l->p = alloc(l->type, l->size);
	check_block(l->p, l->size, l->type);
	for (UINTN i = 0; i < l->size; i++)
		l->p[i] = l->fill + i * 7;
}

static void random_free(void)
{
	size_t i = rnd(nr_live);

	check_fill(&live[i]);
	assert_int_equal(pool_free(&m, live[i].p), EFI_SUCCESS);
	live[i] = live[--nr_live];
}

static int by_address(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

static void check_no_overlap(void)
{
	static struct live sorted[LIVE_MAX];

	memcpy(sorted, live, nr_live * sizeof(live[0]));
	qsort(sorted, nr_live, sizeof(sorted[0]), by_address);
	for (size_t i = 0; i + 1 < nr_live; i++)
		assert_true(sorted[i].p + sorted[i].size <= sorted[i + 1].p);
	for (size_t i = 0; i < nr_live; i++)
		check_fill(&sorted[i]);
}

/* After everything is freed, the pool pages of a type serve again whole: filling 90%
 * of them with 1 KiB blocks takes no new pages. */
static void check_reuse(UINT32 type)
{
	size_t n = memmap_pages_of(&m, type) * PAGE * 9 / 10 / 1024;
	void **p = calloc(n, sizeof(*p));
	UINTN key = m.key;

	assert_true(n > 0);
	for (size_t i = 0; i < n; i++)
		p[i] = alloc(type, 1000);
	assert_int_equal(m.key, key);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pool_free(&m, p[i]), EFI_SUCCESS);
	free(p);
}

static void test_pool_random(void **state)
{
	const char *s = getenv("TEST_SEED");

	rng = s ? strtoull(s, NULL, 0) : 0x9001f00dULL;
	print_message("random pool ops: seed %#llx (set TEST_SEED to change)\n",
		      (unsigned long long)rng);
	for (unsigned op = 0; op < POOL_OPS; op++) {
		/* Swing between filling up and draining, to mix block sizes in the pages. */
		bool grow = (op / 5000) % 2 == 0;

		if (nr_live < LIVE_MAX && (!nr_live || rnd(100) < (grow ? 60 : 40)))
			random_alloc();
		else
			random_free();
		if (op % 1000 == 0)
			check_no_overlap();
	}
	check_no_overlap();
	while (nr_live)
		random_free();
	for (size_t i = 0; i < ARRAY_SIZE(pool_types); i++)
		check_reuse(pool_types[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pool_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_size_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_invalid_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
