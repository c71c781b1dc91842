/* The memory-map host tests' shared part: see memmap_test.h. */
#include "memmap_test.h"
struct memmap m;


int reset(void **state)
{
	memmap_init(&m);
	return 0;
}

/* Sorted, non-overlapping, merged, within capacity, page-aligned, no empty entries. */
void check_sane(const struct memmap *map)
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

void expect_map_(const struct want *w, size_t n, int line)
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


void set(UINT64 base, UINT64 pages, UINT32 type, UINT64 attr)
{
	assert_int_equal(memmap_set(&m, base, pages, type, attr), EFI_SUCCESS);
}

void reserve(UINT64 base, UINT64 pages, UINT32 type, UINT64 attr)
{
	assert_int_equal(memmap_reserve(&m, base, pages, type, attr), EFI_SUCCESS);
}

EFI_STATUS alloc(EFI_ALLOCATE_TYPE how, UINT32 type, UINT64 pages, UINT64 align,
			UINT64 *addr)
{
	return memmap_alloc(&m, how, type, pages, align, addr);
}

UINT64 alloc_at(UINT64 addr, UINT64 pages, UINT32 type)
{
	assert_int_equal(alloc(AllocateAddress, type, pages, PAGE, &addr), EFI_SUCCESS);
	return addr;
}

const UINT32 allocatable_types[NR_ALLOCATABLE_TYPES] = {
	EfiReservedMemoryType, EfiLoaderCode, EfiLoaderData, EfiBootServicesCode,
	EfiBootServicesData, EfiRuntimeServicesCode, EfiRuntimeServicesData,
	EfiUnusableMemory, EfiACPIReclaimMemory, EfiACPIMemoryNVS, EfiMemoryMappedIO,
	EfiMemoryMappedIOPortSpace, EfiPalCode, 0x70000000, 0x7fffffff, 0x80000000, 0xffffffff,
};

/* UEFI 2.10, 7.2: the spec's types but free memory, then OEM and OS loader types. */
bool is_allocatable(UINT32 t)
{
	return (t <= EfiPalCode && t != EfiConventionalMemory) || t >= 0x70000000;
}

bool is_runtime(UINT32 t)
{
	return t == EfiRuntimeServicesCode || t == EfiRuntimeServicesData;
}

