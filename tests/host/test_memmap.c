/* Host unit tests for mm/memmap.c: fixed cases, then a long run of random operations
 * checked against a page-by-page reference model. */
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

#define PAGE    4096ULL
#define MiB     (1024 * 1024ULL)
#define GiB     (1024 * MiB)
#define WB      EFI_MEMORY_WB
#define RAM     (EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB)

static struct memmap m;

struct want {
	UINT64 base, pages;
	UINT32 type;
	UINT64 attr;
};

static int reset(void **state)
{
	memmap_init(&m);
	return 0;
}

/* Sorted, non-overlapping, merged, within capacity, page-aligned, no empty entries. */
static void check_sane(const struct memmap *map)
{
	assert_true(map->count <= MEMMAP_MAX);
	for (UINTN i = 0; i < map->count; i++) {
		const EFI_MEMORY_DESCRIPTOR *d = &map->desc[i], *n = d + 1;
		UINT64 end = (d->PhysicalStart >> 12) + d->NumberOfPages;

		assert_int_equal(d->PhysicalStart & 0xfff, 0);
		assert_int_not_equal(d->NumberOfPages, 0);
		assert_int_equal(d->VirtualStart, 0);
		assert_int_equal(d->Pad, 0);
		if (i + 1 == map->count)
			continue;
		assert_true(end <= n->PhysicalStart >> 12);
		assert_false(end == n->PhysicalStart >> 12 && d->Type == n->Type &&
			     d->Attribute == n->Attribute);
	}
}

static void expect_map_(const struct want *w, size_t n, int line)
{
	check_sane(&m);
	if (m.count != n)
		fail_msg("line %d: %zu descriptors, want %zu", line, (size_t)m.count, n);
	for (size_t i = 0; i < n; i++) {
		const EFI_MEMORY_DESCRIPTOR *d = &m.desc[i];

		if (d->PhysicalStart != w[i].base || d->NumberOfPages != w[i].pages ||
		    d->Type != w[i].type || d->Attribute != w[i].attr)
			fail_msg("line %d: desc %zu is %#llx+%llu type %u attr %#llx, want "
				 "%#llx+%llu type %u attr %#llx", line, i,
				 (unsigned long long)d->PhysicalStart,
				 (unsigned long long)d->NumberOfPages, d->Type,
				 (unsigned long long)d->Attribute, (unsigned long long)w[i].base,
				 (unsigned long long)w[i].pages, w[i].type,
				 (unsigned long long)w[i].attr);
	}
}
#define expect_map(...) do { \
	const struct want w_[] = { __VA_ARGS__ }; \
	expect_map_(w_, ARRAY_SIZE(w_), __LINE__); \
} while (0)

static void set(UINT64 base, UINT64 pages, UINT32 type, UINT64 attr)
{
	assert_int_equal(memmap_set(&m, base, pages, type, attr), EFI_SUCCESS);
}

static void reserve(UINT64 base, UINT64 pages, UINT32 type, UINT64 attr)
{
	assert_int_equal(memmap_reserve(&m, base, pages, type, attr), EFI_SUCCESS);
}

static EFI_STATUS alloc(EFI_ALLOCATE_TYPE how, UINT32 type, UINT64 pages, UINT64 align,
			UINT64 *addr)
{
	return memmap_alloc(&m, how, type, pages, align, addr);
}

static UINT64 alloc_at(UINT64 addr, UINT64 pages, UINT32 type)
{
	assert_int_equal(alloc(AllocateAddress, type, pages, PAGE, &addr), EFI_SUCCESS);
	return addr;
}

static const UINT32 allocatable_types[] = {
	EfiReservedMemoryType, EfiLoaderCode, EfiLoaderData, EfiBootServicesCode,
	EfiBootServicesData, EfiRuntimeServicesCode, EfiRuntimeServicesData,
	EfiUnusableMemory, EfiACPIReclaimMemory, EfiACPIMemoryNVS, EfiMemoryMappedIO,
	EfiMemoryMappedIOPortSpace, EfiPalCode, 0x70000000, 0x7fffffff, 0x80000000, 0xffffffff,
};

/* UEFI 2.10, 7.2: the spec's types but free memory, then OEM and OS loader types. */
static bool is_allocatable(UINT32 t)
{
	return (t <= EfiPalCode && t != EfiConventionalMemory) || t >= 0x70000000;
}

static bool is_runtime(UINT32 t)
{
	return t == EfiRuntimeServicesCode || t == EfiRuntimeServicesData;
}

/* ---- memmap_set ---- */

static void test_set_split(void **state)
{
	set(GiB, 16, EfiConventionalMemory, WB);
	expect_map({ GiB, 16, EfiConventionalMemory, WB });
	assert_int_equal(m.key, 1);

	set(GiB + 4 * PAGE, 2, EfiReservedMemoryType, WB);
	expect_map({ GiB, 4, EfiConventionalMemory, WB },
		   { GiB + 4 * PAGE, 2, EfiReservedMemoryType, WB },
		   { GiB + 6 * PAGE, 10, EfiConventionalMemory, WB });

	set(GiB, 1, EfiBootServicesData, WB);
	set(GiB + 15 * PAGE, 1, EfiBootServicesData, WB);
	expect_map({ GiB, 1, EfiBootServicesData, WB },
		   { GiB + PAGE, 3, EfiConventionalMemory, WB },
		   { GiB + 4 * PAGE, 2, EfiReservedMemoryType, WB },
		   { GiB + 6 * PAGE, 9, EfiConventionalMemory, WB },
		   { GiB + 15 * PAGE, 1, EfiBootServicesData, WB });
	assert_int_equal(m.key, 4);
}

static void test_set_merge(void **state)
{
	set(GiB, 4, EfiConventionalMemory, WB);
	set(GiB + 8 * PAGE, 4, EfiConventionalMemory, WB);
	expect_map({ GiB, 4, EfiConventionalMemory, WB },
		   { GiB + 8 * PAGE, 4, EfiConventionalMemory, WB });

	/* Filling the hole joins all three. */
	set(GiB + 4 * PAGE, 4, EfiConventionalMemory, WB);
	expect_map({ GiB, 12, EfiConventionalMemory, WB });

	/* Carve and give back: whole again. */
	set(GiB + 4 * PAGE, 2, EfiLoaderData, WB);
	set(GiB + 4 * PAGE, 2, EfiConventionalMemory, WB);
	expect_map({ GiB, 12, EfiConventionalMemory, WB });

	/* Equal type but different attribute stays apart. */
	set(GiB + 12 * PAGE, 4, EfiConventionalMemory, EFI_MEMORY_UC);
	expect_map({ GiB, 12, EfiConventionalMemory, WB },
		   { GiB + 12 * PAGE, 4, EfiConventionalMemory, EFI_MEMORY_UC });
}

static void test_set_across(void **state)
{
	set(GiB, 10, EfiConventionalMemory, WB);
	set(GiB + 10 * PAGE, 2, EfiReservedMemoryType, 0);
	set(GiB + 14 * PAGE, 6, EfiBootServicesData, WB);      /* hole at 12..14 */
	set(GiB + 20 * PAGE, 10, EfiConventionalMemory, WB);

	set(GiB + 5 * PAGE, 20, EfiLoaderData, WB);
	expect_map({ GiB, 5, EfiConventionalMemory, WB },
		   { GiB + 5 * PAGE, 20, EfiLoaderData, WB },
		   { GiB + 25 * PAGE, 5, EfiConventionalMemory, WB });

	set(GiB, 30, EfiConventionalMemory, WB);
	expect_map({ GiB, 30, EfiConventionalMemory, WB });
}

static void test_set_params(void **state)
{
	const UINT64 top = -16 * PAGE;   /* the last 16 pages of the address space */
	UINT64 addr;

	assert_int_equal(memmap_set(&m, GiB + 1, 1, EfiConventionalMemory, WB),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_set(&m, -PAGE, 2, EfiConventionalMemory, WB),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_set(&m, 0, ~0ULL, EfiConventionalMemory, WB),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_set(&m, GiB, 0, EfiConventionalMemory, WB), EFI_SUCCESS);
	assert_int_equal(m.count, 0);
	assert_int_equal(m.key, 0);

	/* A range may end at the very top. */
	set(top, 16, EfiConventionalMemory, WB);
	expect_map({ top, 16, EfiConventionalMemory, WB });
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 1, PAGE, &addr), EFI_SUCCESS);
	assert_int_equal(addr, -PAGE);
	addr = ~0ULL;
	assert_int_equal(alloc(AllocateMaxAddress, EfiLoaderData, 1, PAGE, &addr), EFI_SUCCESS);
	assert_int_equal(addr, -2 * PAGE);
	assert_int_equal(memmap_free(&m, -2 * PAGE, 2), EFI_SUCCESS);
	expect_map({ top, 16, EfiConventionalMemory, WB });

	/* Page 0 is memory like any other. */
	set(0, 1, EfiConventionalMemory, WB);
	addr = PAGE - 1;
	assert_int_equal(alloc(AllocateMaxAddress, EfiLoaderData, 1, PAGE, &addr), EFI_SUCCESS);
	assert_int_equal(addr, 0);
}

/* ---- memmap_alloc ---- */

static void test_alloc_any_pages(void **state)
{
	UINT64 addr;

	set(GiB, 64 * MiB / PAGE, EfiConventionalMemory, WB);
	set(2 * GiB, MiB / PAGE, EfiConventionalMemory, RAM);

	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 1, PAGE, &addr), EFI_SUCCESS);
	assert_int_equal(addr, 2 * GiB + MiB - PAGE);
	/* Too big for the top range: the top of the next one down. */
	assert_int_equal(alloc(AllocateAnyPages, EfiBootServicesCode, 512, PAGE, &addr),
			 EFI_SUCCESS);
	assert_int_equal(addr, GiB + 62 * MiB);
	/* Runtime memory must say so, or the OS will not map it for runtime services. */
	assert_int_equal(alloc(AllocateAnyPages, EfiRuntimeServicesData, 2, PAGE, &addr),
			 EFI_SUCCESS);
	assert_int_equal(addr, 2 * GiB + MiB - 3 * PAGE);
	expect_map({ GiB, 62 * MiB / PAGE, EfiConventionalMemory, WB },
		   { GiB + 62 * MiB, 512, EfiBootServicesCode, WB },
		   { 2 * GiB, 253, EfiConventionalMemory, RAM },
		   { 2 * GiB + MiB - 3 * PAGE, 2, EfiRuntimeServicesData,
		     RAM | EFI_MEMORY_RUNTIME },
		   { 2 * GiB + MiB - PAGE, 1, EfiLoaderData, RAM });

	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 64 * MiB / PAGE, PAGE, &addr),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(memmap_free(&m, 2 * GiB + MiB - 3 * PAGE, 3), EFI_SUCCESS);
	assert_int_equal(memmap_free(&m, GiB + 62 * MiB, 512), EFI_SUCCESS);
	expect_map({ GiB, 64 * MiB / PAGE, EfiConventionalMemory, WB },
		   { 2 * GiB, MiB / PAGE, EfiConventionalMemory, RAM });
}

static void test_alloc_each_type(void **state)
{
	static const UINT32 invalid[] = {
		EfiConventionalMemory, 14 /* EfiPersistentMemory */,
		15 /* EfiUnacceptedMemoryType */, 16, 0x12345, 0x6fffffff,
	};
	UINT64 addr;

	set(GiB, 16, EfiConventionalMemory, WB);
	for (size_t i = 0; i < ARRAY_SIZE(allocatable_types); i++) {
		UINT32 t = allocatable_types[i];
		UINT64 attr = WB | (is_runtime(t) ? EFI_MEMORY_RUNTIME : 0);

		for (EFI_ALLOCATE_TYPE how = AllocateAnyPages; how < MaxAllocateType; how++) {
			addr = how == AllocateMaxAddress ? GiB + 16 * PAGE - 1 : GiB + 15 * PAGE;
			assert_int_equal(alloc(how, t, 1, PAGE, &addr), EFI_SUCCESS);
			assert_int_equal(addr, GiB + 15 * PAGE);
			expect_map({ GiB, 15, EfiConventionalMemory, WB },
				   { GiB + 15 * PAGE, 1, t, attr });
			assert_int_equal(memmap_pages_of(&m, t), 1);
			/* What AllocatePages handed out, FreePages takes back (UEFI 2.10, 7.2). */
			assert_int_equal(memmap_free(&m, addr, 1), EFI_SUCCESS);
		}
		expect_map({ GiB, 16, EfiConventionalMemory, WB });
	}
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++)
		for (EFI_ALLOCATE_TYPE how = AllocateAnyPages; how < MaxAllocateType; how++) {
			addr = GiB;
			assert_int_equal(alloc(how, invalid[i], 1, PAGE, &addr),
					 EFI_INVALID_PARAMETER);
		}
	expect_map({ GiB, 16, EfiConventionalMemory, WB });
}

static void expect_max_address(UINT64 max, UINT64 pages, UINT64 align, EFI_STATUS status,
			       UINT64 want)
{
	UINT64 addr = max;

	assert_int_equal(alloc(AllocateMaxAddress, EfiLoaderData, pages, align, &addr), status);
	if (status != EFI_SUCCESS)
		return;
	assert_int_equal(addr, want);
	assert_int_equal(memmap_free(&m, addr, pages), EFI_SUCCESS);
}

static void test_alloc_max_address(void **state)
{
	set(GiB, 16, EfiConventionalMemory, WB);

	expect_max_address(~0ULL, 1, PAGE, EFI_SUCCESS, GiB + 15 * PAGE);
	expect_max_address(GiB + 16 * PAGE - 1, 1, PAGE, EFI_SUCCESS, GiB + 15 * PAGE);
	expect_max_address(GiB + 16 * PAGE - 2, 1, PAGE, EFI_SUCCESS, GiB + 14 * PAGE);
	expect_max_address(GiB + 16 * PAGE, 1, PAGE, EFI_SUCCESS, GiB + 15 * PAGE);
	expect_max_address(GiB + PAGE - 1, 1, PAGE, EFI_SUCCESS, GiB);
	expect_max_address(GiB + PAGE - 2, 1, PAGE, EFI_OUT_OF_RESOURCES, 0);
	expect_max_address(GiB - 1, 1, PAGE, EFI_OUT_OF_RESOURCES, 0);
	expect_max_address(0, 1, PAGE, EFI_OUT_OF_RESOURCES, 0);
	expect_max_address(GiB + 4 * PAGE - 1, 4, PAGE, EFI_SUCCESS, GiB);
	expect_max_address(GiB + 4 * PAGE - 2, 4, PAGE, EFI_OUT_OF_RESOURCES, 0);
	expect_max_address(GiB + 14 * PAGE - 1, 2, 8 * PAGE, EFI_SUCCESS, GiB + 8 * PAGE);
	expect_max_address(GiB + 10 * PAGE - 1, 2, 8 * PAGE, EFI_SUCCESS, GiB + 8 * PAGE);
	expect_max_address(GiB + 10 * PAGE - 2, 2, 8 * PAGE, EFI_SUCCESS, GiB);

	/* Allocated pages in the way: the next free run down. */
	alloc_at(GiB + 8 * PAGE, 2, EfiBootServicesData);
	expect_max_address(GiB + 11 * PAGE - 1, 2, PAGE, EFI_SUCCESS, GiB + 6 * PAGE);
	expect_map({ GiB, 8, EfiConventionalMemory, WB },
		   { GiB + 8 * PAGE, 2, EfiBootServicesData, WB },
		   { GiB + 10 * PAGE, 6, EfiConventionalMemory, WB });
}

static void expect_address(UINT64 addr, UINT64 pages, UINT64 align, EFI_STATUS status)
{
	UINT64 want = addr;

	assert_int_equal(alloc(AllocateAddress, EfiLoaderData, pages, align, &addr), status);
	assert_int_equal(addr, want);
}

static void test_alloc_address(void **state)
{
	set(GiB, 16, EfiConventionalMemory, WB);
	set(GiB + 16 * PAGE, 4, EfiConventionalMemory, RAM);
	set(GiB + 20 * PAGE, 2, EfiReservedMemoryType, WB);

	expect_address(GiB + 4 * PAGE, 2, PAGE, EFI_SUCCESS);
	expect_address(GiB + 4 * PAGE, 2, PAGE, EFI_NOT_FOUND);        /* taken */
	expect_address(GiB + 5 * PAGE, 1, PAGE, EFI_NOT_FOUND);        /* inside it */
	expect_address(GiB + 2 * PAGE, 3, PAGE, EFI_NOT_FOUND);        /* runs into it */
	expect_address(GiB + 14 * PAGE, 4, PAGE, EFI_NOT_FOUND);       /* two attributes */
	expect_address(GiB + 18 * PAGE, 3, PAGE, EFI_NOT_FOUND);       /* into reserved */
	expect_address(GiB + 20 * PAGE, 1, PAGE, EFI_NOT_FOUND);       /* reserved */
	expect_address(GiB - PAGE, 2, PAGE, EFI_NOT_FOUND);            /* starts below RAM */
	expect_address(3 * GiB, 1, PAGE, EFI_NOT_FOUND);               /* no memory there */
	expect_address(GiB + 6 * PAGE, 1ULL << 60, PAGE, EFI_NOT_FOUND);
	expect_address(GiB + 1, 1, PAGE, EFI_INVALID_PARAMETER);
	expect_address(GiB + 4 * PAGE, 1, 8 * PAGE, EFI_INVALID_PARAMETER);
	expect_address(GiB + 8 * PAGE, 8, 8 * PAGE, EFI_SUCCESS);      /* exactly to the end */
	expect_address(GiB + 16 * PAGE, 4, PAGE, EFI_SUCCESS);
	expect_map({ GiB, 4, EfiConventionalMemory, WB },
		   { GiB + 4 * PAGE, 2, EfiLoaderData, WB },
		   { GiB + 6 * PAGE, 2, EfiConventionalMemory, WB },
		   { GiB + 8 * PAGE, 8, EfiLoaderData, WB },
		   { GiB + 16 * PAGE, 4, EfiLoaderData, RAM },
		   { GiB + 20 * PAGE, 2, EfiReservedMemoryType, WB });
}

static void test_alloc_alignment(void **state)
{
	static const UINT64 bad[] = { 0, 1, 2048, 3 * PAGE, PAGE + 1, (1ULL << 63) + PAGE };
	UINT64 addr;

	/* 8 MiB of RAM starting one page past a 2 MiB boundary. */
	set(GiB + PAGE, 8 * MiB / PAGE, EfiConventionalMemory, WB);

	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 1, 2 * MiB, &addr), EFI_SUCCESS);
	assert_int_equal(addr, GiB + 8 * MiB);
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 2, 2 * MiB, &addr), EFI_SUCCESS);
	assert_int_equal(addr, GiB + 6 * MiB);
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 2 * MiB / PAGE, 2 * MiB, &addr),
			 EFI_SUCCESS);
	assert_int_equal(addr, GiB + 4 * MiB);
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 3, 8 * MiB, &addr),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 1, 1ULL << 63, &addr),
			 EFI_OUT_OF_RESOURCES);
	addr = GiB + 4 * MiB;
	assert_int_equal(alloc(AllocateMaxAddress, EfiLoaderData, 1, 64 * 1024, &addr),
			 EFI_SUCCESS);
	assert_int_equal(addr, GiB + 4 * MiB - 64 * 1024);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 1, bad[i], &addr),
				 EFI_INVALID_PARAMETER);
}

static void test_alloc_params(void **state)
{
	UINT64 addr = GiB;

	set(GiB, 16, EfiConventionalMemory, WB);
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 1, PAGE, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(alloc(MaxAllocateType, EfiLoaderData, 1, PAGE, &addr),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 0, PAGE, &addr),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(alloc(AllocateAddress, EfiLoaderData, 0, PAGE, &addr),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 1ULL << 60, PAGE, &addr),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, ~0ULL, PAGE, &addr),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(addr, GiB);
	assert_int_equal(m.key, 1);     /* failures change nothing */
	expect_map({ GiB, 16, EfiConventionalMemory, WB });
}

/* ---- memmap_alloc_random ---- */

static void test_alloc_random(void **state)
{
	/* Candidates for 2 pages at 16 KiB alignment: 8 below the reserved page, 7 above
	 * it (from page 36), 4 in the second range: 19 in all, in address order. */
	UINT64 want[19], addr, n = 0;

	set(GiB, 64, EfiConventionalMemory, WB);
	set(GiB + 32 * PAGE, 1, EfiReservedMemoryType, WB);
	set(2 * GiB, 16, EfiConventionalMemory, WB);
	for (UINT64 p = 0; p <= 28; p += 4)
		want[n++] = GiB + p * PAGE;
	for (UINT64 p = 36; p <= 60; p += 4)
		want[n++] = GiB + p * PAGE;
	for (UINT64 p = 0; p <= 12; p += 4)
		want[n++] = 2 * GiB + p * PAGE;

	for (UINT64 seed = 0; seed < 2 * n; seed++) {
		assert_int_equal(memmap_alloc_random(&m, EfiLoaderData, 2, 4 * PAGE, ~0ULL,
						     seed + n * 1000, &addr), EFI_SUCCESS);
		assert_int_equal(addr, want[seed % n]);
		assert_int_equal(memmap_pages_of(&m, EfiLoaderData), 2);
		assert_int_equal(memmap_free(&m, addr, 2), EFI_SUCCESS);
	}
	/* Below max_addr: 15 fit in the first range, and 2 below 6 pages up. */
	for (UINT64 seed = 0; seed < 15; seed++) {
		UINT64 max = GiB + 64 * PAGE - 1;

		assert_int_equal(memmap_alloc_random(&m, EfiLoaderData, 2, 4 * PAGE, max, seed,
						     &addr), EFI_SUCCESS);
		assert_int_equal(addr, want[seed]);
		assert_int_equal(memmap_free(&m, addr, 2), EFI_SUCCESS);
	}
	assert_int_equal(memmap_alloc_random(&m, EfiLoaderData, 2, 4 * PAGE, GiB + 6 * PAGE - 1,
					     3, &addr), EFI_SUCCESS);
	assert_int_equal(addr, GiB + 4 * PAGE);
	assert_int_equal(memmap_free(&m, addr, 2), EFI_SUCCESS);
	assert_int_equal(memmap_alloc_random(&m, EfiLoaderData, 2, 4 * PAGE, GiB + 2 * PAGE - 2,
					     0, &addr), EFI_OUT_OF_RESOURCES);
	assert_int_equal(memmap_alloc_random(&m, EfiLoaderData, 65, PAGE, ~0ULL, 0, &addr),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(memmap_alloc_random(&m, EfiConventionalMemory, 1, PAGE, ~0ULL, 0, &addr),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_alloc_random(&m, EfiLoaderData, 0, PAGE, ~0ULL, 0, &addr),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_alloc_random(&m, EfiLoaderData, 1, 3 * PAGE, ~0ULL, 0, &addr),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_alloc_random(&m, EfiLoaderData, 1, PAGE, ~0ULL, 0, NULL),
			 EFI_INVALID_PARAMETER);

	/* The runtime attribute, as for memmap_alloc. */
	assert_int_equal(memmap_alloc_random(&m, EfiRuntimeServicesCode, 16, PAGE, ~0ULL, 0,
					     &addr), EFI_SUCCESS);
	expect_map({ GiB, 16, EfiRuntimeServicesCode, WB | EFI_MEMORY_RUNTIME },
		   { GiB + 16 * PAGE, 16, EfiConventionalMemory, WB },
		   { GiB + 32 * PAGE, 1, EfiReservedMemoryType, WB },
		   { GiB + 33 * PAGE, 31, EfiConventionalMemory, WB },
		   { 2 * GiB, 16, EfiConventionalMemory, WB });
}

/* ---- memmap_free ---- */

static void test_free_pages(void **state)
{
	set(GiB, 64, EfiConventionalMemory, WB);
	set(GiB + 64 * PAGE, 4, EfiConventionalMemory, RAM);
	reserve(GiB + 68 * PAGE, 4, EfiReservedMemoryType, WB);
	reserve(2 * GiB, 4, EfiMemoryMappedIO, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME);

	alloc_at(GiB + 8 * PAGE, 8, EfiLoaderData);
	assert_int_equal(memmap_free(&m, GiB + 10 * PAGE, 2), EFI_SUCCESS);    /* a hole in it */
	expect_map({ GiB, 8, EfiConventionalMemory, WB },
		   { GiB + 8 * PAGE, 2, EfiLoaderData, WB },
		   { GiB + 10 * PAGE, 2, EfiConventionalMemory, WB },
		   { GiB + 12 * PAGE, 4, EfiLoaderData, WB },
		   { GiB + 16 * PAGE, 48, EfiConventionalMemory, WB },
		   { GiB + 64 * PAGE, 4, EfiConventionalMemory, RAM },
		   { GiB + 68 * PAGE, 4, EfiReservedMemoryType, WB },
		   { 2 * GiB, 4, EfiMemoryMappedIO, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME });
	UINTN key = m.key;
	assert_int_equal(memmap_free(&m, GiB + 8 * PAGE, 8), EFI_NOT_FOUND);   /* part free */
	assert_int_equal(memmap_free(&m, GiB + 10 * PAGE, 1), EFI_NOT_FOUND);  /* free */
	assert_int_equal(memmap_free(&m, GiB + 15 * PAGE, 2), EFI_NOT_FOUND);  /* runs out */
	assert_int_equal(memmap_free(&m, GiB + 68 * PAGE, 1), EFI_NOT_FOUND);  /* reserved */
	assert_int_equal(memmap_free(&m, 2 * GiB, 4), EFI_NOT_FOUND);          /* MMIO */
	assert_int_equal(memmap_free(&m, 3 * GiB, 1), EFI_NOT_FOUND);          /* nothing */
	assert_int_equal(memmap_free(&m, GiB + 8 * PAGE + 1, 1), EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_free(&m, GiB + 8 * PAGE, 0), EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_free(&m, GiB + 8 * PAGE, ~0ULL), EFI_INVALID_PARAMETER);
	assert_int_equal(m.key, key);

	assert_int_equal(memmap_free(&m, GiB + 8 * PAGE, 2), EFI_SUCCESS);
	assert_int_equal(memmap_free(&m, GiB + 12 * PAGE, 4), EFI_SUCCESS);
	assert_int_equal(m.key, key + 2);
	expect_map({ GiB, 64, EfiConventionalMemory, WB },
		   { GiB + 64 * PAGE, 4, EfiConventionalMemory, RAM },
		   { GiB + 68 * PAGE, 4, EfiReservedMemoryType, WB },
		   { 2 * GiB, 4, EfiMemoryMappedIO, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME });

	/* Neighbouring allocations of different types go in one call (the runtime one's
	 * EFI_MEMORY_RUNTIME goes with it)... */
	alloc_at(GiB, 2, EfiLoaderData);
	alloc_at(GiB + 2 * PAGE, 2, EfiRuntimeServicesData);
	alloc_at(GiB + 4 * PAGE, 2, 0x80000000);
	assert_int_equal(memmap_free(&m, GiB, 6), EFI_SUCCESS);
	/* ...but not into reserved memory, nor into two attributes. */
	alloc_at(GiB + 62 * PAGE, 2, EfiLoaderData);
	alloc_at(GiB + 64 * PAGE, 4, EfiLoaderData);
	assert_int_equal(memmap_free(&m, GiB + 64 * PAGE, 5), EFI_NOT_FOUND);
	assert_int_equal(memmap_free(&m, GiB + 62 * PAGE, 6), EFI_NOT_FOUND);
	assert_int_equal(memmap_free(&m, GiB + 62 * PAGE, 2), EFI_SUCCESS);
	assert_int_equal(memmap_free(&m, GiB + 64 * PAGE, 4), EFI_SUCCESS);
	/* Allocated, the types that also describe the platform go back like any other. */
	alloc_at(GiB, 1, EfiReservedMemoryType);
	alloc_at(GiB + PAGE, 1, EfiUnusableMemory);
	alloc_at(GiB + 2 * PAGE, 1, EfiMemoryMappedIO);
	alloc_at(GiB + 3 * PAGE, 1, EfiMemoryMappedIOPortSpace);
	alloc_at(GiB + 4 * PAGE, 1, EfiPalCode);
	assert_int_equal(memmap_free(&m, GiB, 5), EFI_SUCCESS);
	expect_map({ GiB, 64, EfiConventionalMemory, WB },
		   { GiB + 64 * PAGE, 4, EfiConventionalMemory, RAM },
		   { GiB + 68 * PAGE, 4, EfiReservedMemoryType, WB },
		   { 2 * GiB, 4, EfiMemoryMappedIO, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME });
}

/* Fixed ranges are never freed, whatever their type; allocations next to them are. */
static void test_free_fixed(void **state)
{
	const UINT64 mmio = EFI_MEMORY_UC | EFI_MEMORY_RUNTIME;
	UINTN key;

	set(GiB, 64, EfiConventionalMemory, WB);
	reserve(GiB + 16 * PAGE, 4, EfiBootServicesData, WB);         /* like our DTB */
	reserve(GiB + 32 * PAGE, 4, EfiReservedMemoryType, WB);
	reserve(2 * GiB, 1, EfiMemoryMappedIO, mmio);                  /* like the RTC */
	/* Allocations of the same types right next to them share their descriptors. */
	alloc_at(GiB + 12 * PAGE, 4, EfiBootServicesData);
	alloc_at(GiB + 36 * PAGE, 2, EfiReservedMemoryType);
	expect_map({ GiB, 12, EfiConventionalMemory, WB },
		   { GiB + 12 * PAGE, 8, EfiBootServicesData, WB },
		   { GiB + 20 * PAGE, 12, EfiConventionalMemory, WB },
		   { GiB + 32 * PAGE, 6, EfiReservedMemoryType, WB },
		   { GiB + 38 * PAGE, 26, EfiConventionalMemory, WB },
		   { 2 * GiB, 1, EfiMemoryMappedIO, mmio });

	key = m.key;
	assert_int_equal(memmap_free(&m, GiB + 16 * PAGE, 4), EFI_NOT_FOUND);  /* whole */
	assert_int_equal(memmap_free(&m, GiB + 33 * PAGE, 1), EFI_NOT_FOUND);  /* inside */
	assert_int_equal(memmap_free(&m, 2 * GiB, 1), EFI_NOT_FOUND);
	assert_int_equal(memmap_free(&m, GiB + 12 * PAGE, 5), EFI_NOT_FOUND);  /* one page in */
	assert_int_equal(memmap_free(&m, GiB + 35 * PAGE, 3), EFI_NOT_FOUND);
	assert_int_equal(memmap_free(&m, GiB + 12 * PAGE, 8), EFI_NOT_FOUND);
	assert_int_equal(m.key, key);
	/* FreePool must not take a block there either. */
	assert_ptr_equal(memmap_find_allocated(&m, GiB + 15 * PAGE + 8), &m.desc[1]);
	assert_null(memmap_find_allocated(&m, GiB + 16 * PAGE));
	assert_null(memmap_find_allocated(&m, GiB + 36 * PAGE - 1));
	assert_ptr_equal(memmap_find_allocated(&m, GiB + 36 * PAGE), &m.desc[3]);
	assert_null(memmap_find_allocated(&m, 2 * GiB));

	assert_int_equal(memmap_free(&m, GiB + 12 * PAGE, 4), EFI_SUCCESS);
	assert_int_equal(memmap_free(&m, GiB + 36 * PAGE, 2), EFI_SUCCESS);
	expect_map({ GiB, 16, EfiConventionalMemory, WB },
		   { GiB + 16 * PAGE, 4, EfiBootServicesData, WB },
		   { GiB + 20 * PAGE, 12, EfiConventionalMemory, WB },
		   { GiB + 32 * PAGE, 4, EfiReservedMemoryType, WB },
		   { GiB + 36 * PAGE, 28, EfiConventionalMemory, WB },
		   { 2 * GiB, 1, EfiMemoryMappedIO, mmio });

	/* A range stays fixed whatever memmap_set makes of it later. */
	set(GiB + 32 * PAGE, 4, EfiLoaderData, WB);
	assert_int_equal(memmap_free(&m, GiB + 32 * PAGE, 4), EFI_NOT_FOUND);
}

static void test_reserve_params(void **state)
{
	set(GiB, 2 * MEMMAP_FIXED_MAX + 2, EfiConventionalMemory, WB);
	assert_int_equal(memmap_reserve(&m, GiB + 1, 1, EfiReservedMemoryType, WB),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_reserve(&m, -PAGE, 2, EfiReservedMemoryType, WB),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_reserve(&m, GiB, 0, EfiReservedMemoryType, WB), EFI_SUCCESS);
	assert_int_equal(m.nr_fixed, 0);
	assert_int_equal(m.key, 1);

	/* Every other page, until the list is full; then nothing changes. */
	for (UINT64 i = 0; i < MEMMAP_FIXED_MAX; i++)
		reserve(GiB + 2 * i * PAGE, 1, EfiReservedMemoryType, WB);
	assert_int_equal(m.count, 2 * MEMMAP_FIXED_MAX);
	UINTN key = m.key;
	assert_int_equal(memmap_reserve(&m, GiB + 2 * MEMMAP_FIXED_MAX * PAGE, 1,
					EfiReservedMemoryType, WB), EFI_OUT_OF_RESOURCES);
	assert_int_equal(m.count, 2 * MEMMAP_FIXED_MAX);
	assert_int_equal(m.key, key);
	assert_int_equal(m.nr_fixed, MEMMAP_FIXED_MAX);
}

/* ---- memmap_get, memmap_pages_of, memmap_find_allocated ---- */

static void test_get_memory_map(void **state)
{
	EFI_MEMORY_DESCRIPTOR buf[4];
	UINTN size, key = 0, desc_size = 0;
	UINT32 version = 0;
	UINT64 addr;

	set(GiB, 16, EfiConventionalMemory, WB);
	reserve(GiB + 4 * PAGE, 1, EfiReservedMemoryType, WB);

	assert_int_equal(memmap_get(&m, NULL, buf, &key, &desc_size, &version),
			 EFI_INVALID_PARAMETER);
	size = 0;
	assert_int_equal(memmap_get(&m, &size, NULL, &key, &desc_size, &version),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 3 * sizeof(EFI_MEMORY_DESCRIPTOR));
	assert_int_equal(desc_size, sizeof(EFI_MEMORY_DESCRIPTOR));
	assert_int_equal(version, EFI_MEMORY_DESCRIPTOR_VERSION);
	size = 3 * sizeof(EFI_MEMORY_DESCRIPTOR) - 1;
	assert_int_equal(memmap_get(&m, &size, buf, &key, &desc_size, &version),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 3 * sizeof(EFI_MEMORY_DESCRIPTOR));
	assert_int_equal(memmap_get(&m, &size, NULL, &key, &desc_size, &version),
			 EFI_INVALID_PARAMETER);

	memset(buf, 0xa5, sizeof(buf));
	size = sizeof(buf);
	assert_int_equal(memmap_get(&m, &size, buf, &key, &desc_size, &version), EFI_SUCCESS);
	assert_int_equal(size, 3 * sizeof(EFI_MEMORY_DESCRIPTOR));
	assert_int_equal(key, m.key);
	assert_memory_equal(buf, m.desc, size);
	assert_int_equal(buf[1].Type, EfiReservedMemoryType);
	assert_int_equal(buf[1].PhysicalStart, GiB + 4 * PAGE);
	assert_int_equal(buf[3].Type, 0xa5a5a5a5);      /* nothing past size written */

	/* The key moves with every change, and only then. */
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 1, PAGE, &addr), EFI_SUCCESS);
	size = sizeof(buf);
	assert_int_equal(memmap_get(&m, &size, buf, &key, NULL, NULL), EFI_SUCCESS);
	assert_int_equal(key, m.key);
	UINTN before = key;
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 100, PAGE, &addr),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(memmap_free(&m, GiB + 4 * PAGE, 1), EFI_NOT_FOUND);
	size = sizeof(buf);
	assert_int_equal(memmap_get(&m, &size, buf, &key, NULL, NULL), EFI_SUCCESS);
	assert_int_equal(key, before);
	assert_int_equal(memmap_free(&m, GiB + 15 * PAGE, 1), EFI_SUCCESS);
	size = sizeof(buf);
	assert_int_equal(memmap_get(&m, &size, buf, &key, NULL, NULL), EFI_SUCCESS);
	assert_int_equal(key, before + 1);
}

static void test_pages_of(void **state)
{
	UINT64 addr;

	set(GiB, 100, EfiConventionalMemory, WB);
	reserve(GiB + 10 * PAGE, 5, EfiReservedMemoryType, WB);
	set(GiB + 20 * PAGE, 7, EfiReservedMemoryType, RAM);
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 3, PAGE, &addr), EFI_SUCCESS);
	assert_int_equal(memmap_pages_of(&m, EfiConventionalMemory), 85);
	assert_int_equal(memmap_pages_of(&m, EfiReservedMemoryType), 12);
	assert_int_equal(memmap_pages_of(&m, EfiLoaderData), 3);
	assert_int_equal(memmap_pages_of(&m, EfiLoaderCode), 0);

	assert_ptr_equal(memmap_find_allocated(&m, addr + 2 * PAGE + 123), &m.desc[m.count - 1]);
	assert_null(memmap_find_allocated(&m, addr - 1));          /* free */
	assert_null(memmap_find_allocated(&m, GiB + 10 * PAGE));   /* fixed */
	assert_null(memmap_find_allocated(&m, 3 * GiB));           /* nothing */
}

/* ---- capacity ---- */

static void test_capacity(void **state)
{
	static struct memmap before;
	UINT64 addr;

	/* MEMMAP_MAX descriptors of 2 pages, free and reserved in turn. */
	for (UINT64 i = 0; i < MEMMAP_MAX; i++)
		set(GiB + 2 * i * PAGE, 2, i % 2 ? EfiReservedMemoryType : EfiConventionalMemory,
		    WB);
	assert_int_equal(m.count, MEMMAP_MAX);
	before = m;

	/* Anything needing one more descriptor fails and changes nothing... */
	assert_int_equal(memmap_set(&m, GiB, 1, EfiLoaderData, WB), EFI_OUT_OF_RESOURCES);
	assert_int_equal(memmap_set(&m, 2 * GiB, 1, EfiLoaderData, WB), EFI_OUT_OF_RESOURCES);
	assert_int_equal(memmap_reserve(&m, 2 * GiB, 1, EfiReservedMemoryType, WB),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(alloc(AllocateAnyPages, EfiLoaderData, 1, PAGE, &addr),
			 EFI_OUT_OF_RESOURCES);
	addr = GiB + PAGE;
	assert_int_equal(alloc(AllocateAddress, EfiLoaderData, 1, PAGE, &addr),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(m.count, before.count);
	assert_int_equal(m.key, before.key);
	assert_int_equal(m.nr_fixed, 0);
	assert_memory_equal(m.desc, before.desc, m.count * sizeof(m.desc[0]));

	/* ...while a change that splits one end and merges the other still fits. */
	set(GiB + PAGE, 1, EfiReservedMemoryType, WB);
	assert_int_equal(m.count, MEMMAP_MAX);
	/* So does a whole descriptor, which needs no split. */
	addr = GiB + 4 * PAGE;
	assert_int_equal(alloc(AllocateAddress, EfiLoaderData, 2, PAGE, &addr), EFI_SUCCESS);
	assert_int_equal(m.count, MEMMAP_MAX);
	/* Freeing half of it would need one more. */
	assert_int_equal(memmap_free(&m, addr, 1), EFI_OUT_OF_RESOURCES);
	assert_int_equal(memmap_free(&m, addr, 2), EFI_SUCCESS);
	check_sane(&m);

	set(GiB, 2 * MEMMAP_MAX, EfiConventionalMemory, WB);
	expect_map({ GiB, 2 * MEMMAP_MAX, EfiConventionalMemory, WB });
}

/* ---- random operations against a reference model ---- */

#define M_BASE  GiB     /* aligned to every alignment used below */
#define M_PAGES (MEMMAP_MAX * 3 / 2)  /* enough for more than MEMMAP_MAX runs */
#define M_OPS   100000

struct model {
	bool present[M_PAGES];
	UINT32 type[M_PAGES];
	UINT64 attr[M_PAGES];
	bool fixed[M_PAGES];
	unsigned nr_fixed;      /* memmap_reserve calls that fixed pages */
};

static struct model md;
static UINT64 rng;
static unsigned op_no;

static UINT64 rnd64(void)
{
	UINT64 z = (rng += 0x9e3779b97f4a7c15ULL);     /* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static UINT64 rnd(UINT64 n)
{
	return rnd64() % n;
}

static bool same(const struct model *x, UINT64 a, UINT64 b)
{
	return x->type[a] == x->type[b] && x->attr[a] == x->attr[b];
}

/* The model as descriptors; returns how many. */
static size_t model_descs(const struct model *x, EFI_MEMORY_DESCRIPTOR *out)
{
	size_t n = 0;

	for (UINT64 p = 0; p < M_PAGES; p++) {
		if (!x->present[p])
			continue;
		if (p && x->present[p - 1] && same(x, p - 1, p)) {
			out[n - 1].NumberOfPages++;
			continue;
		}
		out[n++] = (EFI_MEMORY_DESCRIPTOR){
			.Type = x->type[p], .PhysicalStart = M_BASE + p * PAGE,
			.NumberOfPages = 1, .Attribute = x->attr[p],
		};
	}
	return n;
}

static void print_desc(size_t i, const char *what, const EFI_MEMORY_DESCRIPTOR *d)
{
	print_message("%3zu %-5s %#llx+%llu type %u attr %#llx\n", i, what,
		      (unsigned long long)d->PhysicalStart, (unsigned long long)d->NumberOfPages,
		      d->Type, (unsigned long long)d->Attribute);
}

static void check_model(void)
{
	static EFI_MEMORY_DESCRIPTOR want[M_PAGES], got[MEMMAP_MAX];
	size_t n = model_descs(&md, want);
	UINTN size = sizeof(got), key, desc_size;
	UINT32 version;

	check_sane(&m);
	assert_int_equal(memmap_get(&m, &size, got, &key, &desc_size, &version), EFI_SUCCESS);
	if (size != n * sizeof(got[0]) || memcmp(got, want, size)) {
		for (size_t i = 0; i < n || i < size / sizeof(got[0]); i++)
			if (memcmp(&got[i], &want[i], sizeof(got[i]))) {
				print_desc(i, "map", &got[i]);
				print_desc(i, "model", &want[i]);
			}
		fail_msg("op %u: map differs from the model", op_no);
	}
}

/* Commit x to the model unless it needs more descriptors than the map holds. */
static EFI_STATUS model_commit(const struct model *x)
{
	static EFI_MEMORY_DESCRIPTOR scratch[M_PAGES];

	if (model_descs(x, scratch) > MEMMAP_MAX)
		return EFI_OUT_OF_RESOURCES;
	md = *x;
	return EFI_SUCCESS;
}

static EFI_STATUS model_set(UINT64 p, UINT64 n, UINT32 type, UINT64 attr)
{
	struct model x = md;

	for (UINT64 i = p; i < p + n; i++) {
		x.present[i] = true;
		x.type[i] = type;
		x.attr[i] = attr;
	}
	return model_commit(&x);
}

static EFI_STATUS model_reserve(UINT64 p, UINT64 n, UINT32 type, UINT64 attr)
{
	EFI_STATUS status;

	if (md.nr_fixed == MEMMAP_FIXED_MAX)
		return EFI_OUT_OF_RESOURCES;
	status = model_set(p, n, type, attr);
	if (status != EFI_SUCCESS || !n)
		return status;
	md.nr_fixed++;
	for (UINT64 i = p; i < p + n; i++)
		md.fixed[i] = true;
	return status;
}

static bool valid_request(UINT32 type, UINT64 pages, UINT64 align)
{
	return is_allocatable(type) && pages && align >= PAGE && !(align & (align - 1));
}

/* Whether n pages at model page p are free, of one attribute, and aligned. */
static bool model_fits(UINT64 p, UINT64 n, UINT64 align)
{
	if (p + n > M_PAGES || (M_BASE + p * PAGE) % align)
		return false;
	for (UINT64 i = p; i < p + n; i++)
		if (!md.present[i] || md.type[i] != EfiConventionalMemory ||
		    md.attr[i] != md.attr[p])
			return false;
	return true;
}

static EFI_STATUS model_claim(UINT64 p, UINT64 n, UINT32 type, UINT64 *addr)
{
	UINT64 attr = md.attr[p] & ~EFI_MEMORY_RUNTIME;
	EFI_STATUS status;

	if (is_runtime(type))
		attr |= EFI_MEMORY_RUNTIME;
	status = model_set(p, n, type, attr);
	if (status == EFI_SUCCESS)
		*addr = M_BASE + p * PAGE;
	return status;
}

/* What AllocatePages must do, by brute force over every page. */
static EFI_STATUS model_alloc(EFI_ALLOCATE_TYPE how, UINT32 type, UINT64 n, UINT64 align,
			      UINT64 *addr)
{
	UINT64 p;

	if (!valid_request(type, n, align) || how >= MaxAllocateType)
		return EFI_INVALID_PARAMETER;
	if (how == AllocateAddress) {
		if (*addr % align)
			return EFI_INVALID_PARAMETER;
		p = (*addr - M_BASE) / PAGE;
		if (*addr < M_BASE || !model_fits(p, n, PAGE))
			return EFI_NOT_FOUND;
		return model_claim(p, n, type, addr);
	}
	for (p = M_PAGES; p-- > 0;)
		if (model_fits(p, n, align) &&
		    (how == AllocateAnyPages || M_BASE + (p + n) * PAGE - 1 <= *addr))
			return model_claim(p, n, type, addr);
	return EFI_OUT_OF_RESOURCES;
}

static EFI_STATUS model_alloc_random(UINT32 type, UINT64 n, UINT64 align, UINT64 max,
				     UINT64 seed, UINT64 *addr)
{
	UINT64 cand[M_PAGES], count = 0;

	if (!valid_request(type, n, align))
		return EFI_INVALID_PARAMETER;
	for (UINT64 p = 0; p < M_PAGES; p++)
		if (model_fits(p, n, align) && M_BASE + (p + n) * PAGE - 1 <= max)
			cand[count++] = p;
	if (!count)
		return EFI_OUT_OF_RESOURCES;
	return model_claim(cand[seed % count], n, type, addr);
}

static EFI_STATUS model_free(UINT64 base, UINT64 n)
{
	UINT64 p = (base - M_BASE) / PAGE, attr;

	if (base % PAGE || !n)
		return EFI_INVALID_PARAMETER;
	if (base < M_BASE || p + n > M_PAGES || !md.present[p])
		return EFI_NOT_FOUND;
	attr = md.attr[p] & ~EFI_MEMORY_RUNTIME;
	for (UINT64 i = p; i < p + n; i++)
		if (!md.present[i] || md.fixed[i] || !is_allocatable(md.type[i]) ||
		    (md.attr[i] & ~EFI_MEMORY_RUNTIME) != attr)
			return EFI_NOT_FOUND;
	return model_set(p, n, EfiConventionalMemory, attr);
}

static UINT32 random_set_type(void)
{
	static const UINT32 types[] = {
		EfiConventionalMemory, EfiConventionalMemory, EfiConventionalMemory,
		EfiConventionalMemory, EfiReservedMemoryType, EfiLoaderData, EfiBootServicesData,
		EfiRuntimeServicesData, EfiMemoryMappedIO, EfiACPIMemoryNVS, 0x80000001,
		14 /* EfiPersistentMemory: never allocated, so never freed */,
	};

	return types[rnd(ARRAY_SIZE(types))];
}

static UINT64 random_attr(void)
{
	static const UINT64 attrs[] = { WB, WB, RAM, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME };

	return attrs[rnd(4)];
}

static UINT32 random_alloc_type(void)
{
	static const UINT32 invalid[] = { EfiConventionalMemory, 14, 15, 0x6fffffff };

	if (!rnd(20))
		return invalid[rnd(4)];
	return allocatable_types[rnd(ARRAY_SIZE(allocatable_types))];
}

static UINT64 random_pages(void)
{
	return rnd(50) ? 1 + rnd(rnd(4) ? 8 : 40) : 0;
}

static UINT64 random_align(void)
{
	return rnd(50) ? PAGE << rnd(rnd(4) ? 3 : 10) : rnd(3 * PAGE);
}

/* Any byte from a page below the model to a page above it. */
static UINT64 random_addr(void)
{
	return M_BASE - PAGE + rnd((M_PAGES + 2) * PAGE);
}

struct stats {
	unsigned ok[5], fail[5], full, reserved, fixed_full, fixed_refused;
};

/* One random operation on both the map and the model; they must agree. */
static void random_op(bool fragment, struct stats *st)
{
	EFI_STATUS got, want;
	UINT64 addr, maddr;
	UINTN key = m.key;
	unsigned kind = fragment && rnd(4) ? 0 : rnd(5);
	bool no_change = false;

	/* memmap_reserve: a few small ranges, often enough to fill the fixed list */
	if (kind == 0 && !rnd(1024 / MEMMAP_FIXED_MAX)) {
		UINT64 p = rnd(M_PAGES), n = rnd(M_PAGES - p + 1) % 9;
		UINT32 type = random_set_type();
		UINT64 attr = random_attr();

		got = memmap_reserve(&m, M_BASE + p * PAGE, n, type, attr);
		want = model_reserve(p, n, type, attr);
		no_change = !n;
		st->reserved += got == EFI_SUCCESS;
		st->fixed_full += got == EFI_OUT_OF_RESOURCES && md.nr_fixed == MEMMAP_FIXED_MAX;
	} else if (kind == 0) {         /* memmap_set */
		UINT64 p = rnd(M_PAGES), n = fragment ? 1 : rnd(M_PAGES - p + 1);
		UINT32 type = random_set_type();
		UINT64 attr = random_attr();

		got = memmap_set(&m, M_BASE + p * PAGE, n, type, attr);
		want = model_set(p, n, type, attr);
		no_change = !n;
	} else if (kind == 1 || kind == 2) {    /* memmap_alloc */
		EFI_ALLOCATE_TYPE how = rnd(20) ? rnd(3) : MaxAllocateType;
		UINT32 type = random_alloc_type();
		UINT64 n = random_pages(), align = random_align();

		addr = random_addr();
		if (how == AllocateAddress && rnd(4) && align)
			addr &= ~(align - 1);   /* mostly a valid request */
		maddr = addr;
		got = memmap_alloc(&m, how, type, n, align, &addr);
		want = model_alloc(how, type, n, align, &maddr);
		assert_int_equal(addr, maddr);
	} else if (kind == 3) { /* memmap_alloc_random */
		UINT32 type = random_alloc_type();
		UINT64 n = random_pages(), align = random_align();
		UINT64 max = rnd(8) ? random_addr() : ~0ULL, seed = rnd64();

		addr = maddr = 0;
		got = memmap_alloc_random(&m, type, n, align, max, seed, &addr);
		want = model_alloc_random(type, n, align, max, seed, &maddr);
		assert_int_equal(addr, maddr);
	} else {                /* memmap_free: often some or all of an allocated run */
		UINT64 p = rnd(M_PAGES), n = 1 + rnd(16);

		if (rnd(4)) {
			while (p < M_PAGES && (!md.present[p] || !is_allocatable(md.type[p])))
				p++;
			for (n = 1; rnd(8) && p + n < M_PAGES && same(&md, p, p + n); n++)
				;
		}
		addr = M_BASE + p * PAGE + (rnd(50) ? 0 : 1 + rnd(PAGE - 1));
		n = rnd(50) ? n : 0;
		got = memmap_free(&m, addr, n);
		want = model_free(addr, n);
		for (UINT64 i = p; got == EFI_NOT_FOUND && i < p + n && i < M_PAGES; i++)
			if (md.fixed[i]) {
				st->fixed_refused++;
				break;
			}
	}
	if (got != want)
		fail_msg("op %u (kind %u): status %#llx, model says %#llx", op_no, kind,
			 (unsigned long long)got, (unsigned long long)want);
	assert_int_equal(m.key, key + (got == EFI_SUCCESS && !no_change));
	if (got == EFI_SUCCESS)
		st->ok[kind]++;
	else
		st->fail[kind]++;
	st->full += got == EFI_OUT_OF_RESOURCES && kind == 0;
	check_model();
}

static UINT64 test_seed(void)
{
	const char *s = getenv("TEST_SEED");

	return s ? strtoull(s, NULL, 0) : 0x5eed0f3f11a1ULL;
}

static void test_random_vs_model(void **state)
{
	struct stats st = { 0 };
	unsigned left = 0;
	bool fragment = false;

	rng = test_seed();
	print_message("random ops: seed %#llx (set TEST_SEED to change)\n",
		      (unsigned long long)rng);
	for (op_no = 0; op_no < M_OPS; op_no++, left--) {
		if (!left) {
			/* A new phase: fresh map with some RAM; a third fragment it. */
			UINT64 p = rnd(M_PAGES / 2);
			UINT64 n = M_PAGES / 4 + rnd(M_PAGES - p - M_PAGES / 4);

			memmap_init(&m);
			memset(&md, 0, sizeof(md));
			left = 200 + rnd(4000);
			fragment = !rnd(3);
			assert_int_equal(memmap_set(&m, M_BASE + p * PAGE, n, EfiConventionalMemory,
						    WB), EFI_SUCCESS);
			assert_int_equal(model_set(p, n, EfiConventionalMemory, WB), EFI_SUCCESS);
		}
		random_op(fragment, &st);
	}
	print_message("ok/failed: set %u/%u alloc %u/%u random %u/%u free %u/%u; "
		      "set with map full %u; reserved %u, with the list full %u; frees of "
		      "fixed pages %u\n", st.ok[0], st.fail[0], st.ok[1] + st.ok[2],
		      st.fail[1] + st.fail[2], st.ok[3], st.fail[3], st.ok[4], st.fail[4], st.full,
		      st.reserved, st.fixed_full, st.fixed_refused);
	/* Every path was taken often, the capacity limit included. */
	for (int k = 0; k < 5; k++)
		assert_true(st.ok[k] > M_OPS / 50 && st.fail[k] > M_OPS / 500);
	assert_true(st.full > 10);
	assert_true(st.reserved > 100 && st.fixed_full > 10 && st.fixed_refused > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_set_split, reset),
		cmocka_unit_test_setup(test_set_merge, reset),
		cmocka_unit_test_setup(test_set_across, reset),
		cmocka_unit_test_setup(test_set_params, reset),
		cmocka_unit_test_setup(test_alloc_any_pages, reset),
		cmocka_unit_test_setup(test_alloc_each_type, reset),
		cmocka_unit_test_setup(test_alloc_max_address, reset),
		cmocka_unit_test_setup(test_alloc_address, reset),
		cmocka_unit_test_setup(test_alloc_alignment, reset),
		cmocka_unit_test_setup(test_alloc_params, reset),
		cmocka_unit_test_setup(test_alloc_random, reset),
		cmocka_unit_test_setup(test_free_pages, reset),
		cmocka_unit_test_setup(test_free_fixed, reset),
		cmocka_unit_test_setup(test_reserve_params, reset),
		cmocka_unit_test_setup(test_get_memory_map, reset),
		cmocka_unit_test_setup(test_pages_of, reset),
		cmocka_unit_test_setup(test_capacity, reset),
		cmocka_unit_test_setup(test_random_vs_model, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
