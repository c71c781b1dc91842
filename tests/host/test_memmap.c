/* Host unit tests for mm/memmap.c: fixed cases, then a long run of random operations
 * checked against a page-by-page reference model. */
#include "memmap_test.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
