/* Memory services (UEFI 2.10 section 7.2) and EFI_MEMORY_ATTRIBUTE_PROTOCOL. */
#include "selftest.h"

#define SZ_64K          0x10000ULL
#define PAGES_64K       16
#define RAM_BASE        0x40000000ULL   /* QEMU virt: nothing below is RAM */

static EFI_MEMORY_DESCRIPTOR *map;
static UINTN map_size, desc_size;

static enum result take_map(void)
{
	UINTN key;

	if (map)
		BS->FreePool(map);
	map = memory_map(&map_size, &key, &desc_size);
	return map ? PASS : fail(L"GetMemoryMap failed");
}

static enum result drop_map(void)
{
	if (map)
		BS->FreePool(map);
	map = NULL;
	return PASS;
}

/* Whether the pages at a are free: they can be allocated again, exactly there, as the
 * type t they had (EDK2 keeps freed runtime memory in "bins" for those types only). */
static BOOLEAN pages_free(EFI_PHYSICAL_ADDRESS a, UINTN pages, UINT32 t)
{
	EFI_PHYSICAL_ADDRESS b = a;

	if (BS->AllocatePages(AllocateAddress, t, pages, &b))
		return FALSE;
	BS->FreePages(b, pages);
	return TRUE;
}

/* Allocate pages of type t, see them in the map, free them; what went wrong, or NULL.
 * Whether they are free again is asked of the allocator, not the map: EDK2 reports free
 * memory inside its runtime bins as of the bin's type. */
static const CHAR16 *alloc_one_type(UINT32 t)
{
	EFI_PHYSICAL_ADDRESS a;
	EFI_MEMORY_DESCRIPTOR *d;

	if (BS->AllocatePages(AllocateAnyPages, t, PAGES_64K, &a))
		return L"AllocatePages failed";
	if (take_map())
		return L"no map";
	d = map_find(map, map_size, desc_size, a);
	if (!d || d->Type != t || d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE < a + SZ_64K)
		return L"not in the map";
	if (BS->FreePages(a, PAGES_64K))
		return L"FreePages failed";
	return pages_free(a, PAGES_64K, t) ? NULL : L"not free after FreePages";
}

/* Every type an allocation may have, the OEM and OS loader ranges included. */
static enum result alloc_types(void)
{
	static const UINT32 types[] = {
		EfiReservedMemoryType, EfiLoaderCode, EfiLoaderData, EfiBootServicesCode,
		EfiBootServicesData, EfiRuntimeServicesCode, EfiRuntimeServicesData,
		EfiUnusableMemory, EfiACPIReclaimMemory, EfiACPIMemoryNVS,
		EfiMemoryMappedIO, EfiMemoryMappedIOPortSpace, EfiPalCode,
		0x70000000, 0x80000000,
	};
	CHAR16 bad[200];

	bad[0] = 0;
	for (UINTN i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const CHAR16 *why = alloc_one_type(types[i]);
		UINTN n = StrLen(bad);

		if (why)
			SPrint(bad + n, sizeof(bad) - n * sizeof(CHAR16), L" %x: %s;",
			       (UINTN)types[i], why);
	}
	return bad[0] ? fail(L"type%s", bad) : PASS;
}

static enum result alloc_invalid(void)
{
	EFI_PHYSICAL_ADDRESS a;

	EXPECT(BS->AllocatePages(AllocateAnyPages, EfiConventionalMemory, 1, &a),
	       EFI_INVALID_PARAMETER);
	EXPECT(BS->AllocatePages(AllocateAnyPages, EFI_PERSISTENT_MEMORY, 1, &a),
	       EFI_INVALID_PARAMETER);
	EXPECT(BS->AllocatePages(AllocateAnyPages, 0x6fffffff, 1, &a), EFI_INVALID_PARAMETER);
	EXPECT(BS->AllocatePages(MaxAllocateType, EfiLoaderData, 1, &a), EFI_INVALID_PARAMETER);
	EXPECT(BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, NULL),
	       EFI_INVALID_PARAMETER);
	EXPECT(BS->AllocatePool(EfiConventionalMemory, 8, (void **)&a), EFI_INVALID_PARAMETER);
	EXPECT(BS->AllocatePool(EfiLoaderData, 8, NULL), EFI_INVALID_PARAMETER);
	return PASS;
}

static enum result alloc_max_address(void)
{
	EFI_PHYSICAL_ADDRESS a = RAM_BASE + 0x0fffffff;
	EFI_STATUS s;

	EXPECT(BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, 4, &a), EFI_SUCCESS);
	CHECK(a + 4 * EFI_PAGE_SIZE - 1 <= RAM_BASE + 0x0fffffff && !(a & 0xfff));
	EXPECT(BS->FreePages(a, 4), EFI_SUCCESS);
	/* Nothing below RAM: the spec's "could not be allocated" or "could not be found". */
	a = RAM_BASE - 1;
	s = BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, 1, &a);
	if (s != EFI_OUT_OF_RESOURCES && s != EFI_NOT_FOUND)
		return fail(L"below RAM: %r", s);
	return PASS;
}

static enum result alloc_address(void)
{
	EFI_PHYSICAL_ADDRESS a, b;

	EXPECT(BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 4, &a), EFI_SUCCESS);
	EXPECT(BS->FreePages(a, 4), EFI_SUCCESS);
	b = a;
	EXPECT(BS->AllocatePages(AllocateAddress, EfiLoaderData, 4, &b), EFI_SUCCESS);
	CHECK(b == a);
	/* Taken now, in whole and in part. */
	EXPECT(BS->AllocatePages(AllocateAddress, EfiLoaderData, 4, &b), EFI_NOT_FOUND);
	b = a + EFI_PAGE_SIZE;
	EXPECT(BS->AllocatePages(AllocateAddress, EfiLoaderData, 1, &b), EFI_NOT_FOUND);
	EXPECT(BS->FreePages(a, 4), EFI_SUCCESS);
	return PASS;
}

static enum result free_invalid(void)
{
	EFI_PHYSICAL_ADDRESS a;

	EXPECT(BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &a), EFI_SUCCESS);
	EXPECT(BS->FreePages(a + 1, 1), EFI_INVALID_PARAMETER);
	EXPECT(BS->FreePages(a, 1), EFI_SUCCESS);
	EXPECT(BS->FreePages(a, 1), EFI_NOT_FOUND);         /* already free */
	EXPECT(BS->FreePool(NULL), EFI_INVALID_PARAMETER);
	return PASS;
}

static enum result map_too_small(void)
{
	UINTN size = 0, key, dsize = 0, need;
	UINT32 version = 0;
	EFI_MEMORY_DESCRIPTOR d;

	EXPECT(BS->GetMemoryMap(&size, NULL, &key, &dsize, &version), EFI_BUFFER_TOO_SMALL);
	CHECK(dsize >= sizeof(EFI_MEMORY_DESCRIPTOR) && !(dsize % 8));
	CHECK(version == EFI_MEMORY_DESCRIPTOR_VERSION);
	CHECK(size >= dsize && size % dsize == 0);
	need = size;
	size = sizeof(d);       /* one descriptor is never enough */
	EXPECT(BS->GetMemoryMap(&size, &d, &key, &dsize, &version), EFI_BUFFER_TOO_SMALL);
	CHECK(size == need);
	EXPECT(BS->GetMemoryMap(NULL, &d, &key, &dsize, &version), EFI_INVALID_PARAMETER);
	size = need + 16 * dsize;
	EXPECT(BS->GetMemoryMap(&size, NULL, &key, &dsize, &version), EFI_INVALID_PARAMETER);
	return PASS;
}

/* AArch64 (section 2.3.6): runtime, reserved and ACPI NVS regions are 64 KiB aligned
 * and sized, so an OS with 64 KiB pages can map them. */
static BOOLEAN wants_64k(UINT32 t)
{
	return t == EfiRuntimeServicesCode || t == EfiRuntimeServicesData ||
	       t == EfiReservedMemoryType || t == EfiACPIMemoryNVS;
}

/* Descriptors page aligned, non-empty, not overlapping; 64 KiB rules on AArch64. */
static enum result check_map(void)
{
	for (UINTN i = 0; i < map_size; i += desc_size) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((UINT8 *)map + i);
		UINT64 end = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;

		if ((d->PhysicalStart & 0xfff) || !d->NumberOfPages)
			return fail(L"descriptor %lx, %lx pages", d->PhysicalStart,
				    d->NumberOfPages);
		if (wants_64k(d->Type) &&
		    ((d->PhysicalStart | end) & (SZ_64K - 1)))
			return fail(L"type %d at %lx-%lx is not 64 KiB aligned and sized",
				    (UINTN)d->Type, d->PhysicalStart, end - 1);
		for (UINTN j = i + desc_size; j < map_size; j += desc_size) {
			EFI_MEMORY_DESCRIPTOR *e = (void *)((UINT8 *)map + j);

			if (e->PhysicalStart < end && d->PhysicalStart <
			    e->PhysicalStart + e->NumberOfPages * EFI_PAGE_SIZE)
				return fail(L"%lx overlaps %lx", d->PhysicalStart,
					    e->PhysicalStart);
		}
	}
	return PASS;
}

/* A one-page runtime allocation takes 64 KiB, and freeing it gives them all back. */
static enum result runtime_64k(void)
{
	EFI_PHYSICAL_ADDRESS a;

	EXPECT(BS->AllocatePages(AllocateAnyPages, EfiRuntimeServicesData, 1, &a), EFI_SUCCESS);
	CHECK(!(a & (SZ_64K - 1)));
	if (take_map() || check_map())
		return FAIL;
	EXPECT(BS->FreePages(a, 1), EFI_SUCCESS);
	if (!pages_free(a, PAGES_64K, EfiRuntimeServicesData))
		return fail(L"after FreePages(%lx, 1), not all of its 64 KiB are free", a);
	return take_map() ? FAIL : check_map();
}

static enum result map_key(void)
{
	UINTN size = 0, cap, k1, k2, k3, dsize;
	EFI_MEMORY_DESCRIPTOR *m;
	EFI_PHYSICAL_ADDRESS a;
	UINT32 version;

	EXPECT(BS->GetMemoryMap(&size, NULL, &k1, &dsize, &version), EFI_BUFFER_TOO_SMALL);
	cap = size + 16 * dsize;        /* room for what the calls below add */
	EXPECT(BS->AllocatePool(EfiLoaderData, cap, (void **)&m), EFI_SUCCESS);
	size = cap;
	EXPECT(BS->GetMemoryMap(&size, m, &k1, &dsize, &version), EFI_SUCCESS);
	EXPECT(BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &a), EFI_SUCCESS);
	size = cap;
	EXPECT(BS->GetMemoryMap(&size, m, &k2, &dsize, &version), EFI_SUCCESS);
	EXPECT(BS->FreePages(a, 1), EFI_SUCCESS);
	size = cap;
	EXPECT(BS->GetMemoryMap(&size, m, &k3, &dsize, &version), EFI_SUCCESS);
	BS->FreePool(m);
	CHECK(k2 != k1 && k3 != k2);
	return PASS;
}

/* Pool memory is 8-byte aligned (AllocatePool, section 7.2), of the type asked, and writable. */
static enum result pool(void)
{
	static const UINTN sizes[] = { 1, 7, 8, 13, 64, 100, 4095, 4096, 4097, 65537 };
	static const UINT32 types[] = { EfiLoaderData, EfiBootServicesData,
					EfiRuntimeServicesData, EfiACPIReclaimMemory };
	EFI_MEMORY_DESCRIPTOR *d;
	void *p;

	for (UINTN i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		UINT32 t = types[i % (sizeof(types) / sizeof(types[0]))];

		EXPECT(BS->AllocatePool(t, sizes[i], &p), EFI_SUCCESS);
		if ((UINTN)p & 7)
			return fail(L"AllocatePool(%d) gave %lx", sizes[i], (UINT64)p);
		SetMem(p, sizes[i], 0xa5);
		if (take_map())
			return FAIL;
		d = map_find(map, map_size, desc_size, (UINTN)p);
		if (!d || d->Type != t)
			return fail(L"pool of type %d at %lx is in type %d", (UINTN)t, (UINT64)p,
				    d ? (UINTN)d->Type : ~0ul);
		EXPECT(BS->FreePool(p), EFI_SUCCESS);
	}
	return PASS;
}

static enum result map_sane(void)
{
	return take_map() ? FAIL : check_map();
}

/* ---- EFI_MEMORY_ATTRIBUTE_PROTOCOL ---- */

#define EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID \
	{ 0xf4560cf6, 0x40ec, 0x4b4a, { 0xa1, 0x92, 0xbf, 0x1d, 0x57, 0xd0, 0xb1, 0x89 } }

typedef struct memattr {
	EFI_STATUS (EFIAPI *GetMemoryAttributes)(struct memattr *this, EFI_PHYSICAL_ADDRESS base,
						 UINT64 len, UINT64 *attr);
	EFI_STATUS (EFIAPI *SetMemoryAttributes)(struct memattr *this, EFI_PHYSICAL_ADDRESS base,
						 UINT64 len, UINT64 attr);
	EFI_STATUS (EFIAPI *ClearMemoryAttributes)(struct memattr *this,
						   EFI_PHYSICAL_ADDRESS base, UINT64 len,
						   UINT64 attr);
} EFI_MEMORY_ATTRIBUTE_PROTOCOL;

static EFI_MEMORY_ATTRIBUTE_PROTOCOL *memattr;
static EFI_PHYSICAL_ADDRESS page;

static enum result memattr_setup(void)
{
	static EFI_GUID guid = EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID;

	if (BS->LocateProtocol(&guid, NULL, (void **)&memattr))
		return skip(L"no EFI_MEMORY_ATTRIBUTE_PROTOCOL");
	return PASS;
}

static enum result memattr_teardown(void)
{
	if (page) {
		memattr->ClearMemoryAttributes(memattr, page, EFI_PAGE_SIZE, EFI_MEMORY_RO);
		BS->FreePages(page, 1);
	}
	page = 0;
	return PASS;
}

static UINT64 page_of(const void *p)
{
	return (UINTN)p & ~(UINT64)(EFI_PAGE_SIZE - 1);
}

/* Our own code is read-only and executable, our data writable and not executable. */
static enum result memattr_image(void)
{
	static UINT64 data;
	UINT64 attr;

	EXPECT(memattr->GetMemoryAttributes(memattr, page_of(memattr_image), EFI_PAGE_SIZE,
					    &attr), EFI_SUCCESS);
	if ((attr & (EFI_MEMORY_RO | EFI_MEMORY_XP)) != EFI_MEMORY_RO)
		return fail(L"code page attributes %lx", attr);
	EXPECT(memattr->GetMemoryAttributes(memattr, page_of(&data), EFI_PAGE_SIZE, &attr),
	       EFI_SUCCESS);
	if ((attr & (EFI_MEMORY_RO | EFI_MEMORY_XP)) != EFI_MEMORY_XP)
		return fail(L"data page attributes %lx", attr);
	return PASS;
}

static enum result memattr_set_clear(void)
{
	UINT64 attr;

	EXPECT(BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &page), EFI_SUCCESS);
	EXPECT(memattr->SetMemoryAttributes(memattr, page, EFI_PAGE_SIZE, EFI_MEMORY_RO),
	       EFI_SUCCESS);
	EXPECT(memattr->GetMemoryAttributes(memattr, page, EFI_PAGE_SIZE, &attr), EFI_SUCCESS);
	CHECK(attr & EFI_MEMORY_RO);
	EXPECT(memattr->ClearMemoryAttributes(memattr, page, EFI_PAGE_SIZE, EFI_MEMORY_RO),
	       EFI_SUCCESS);
	EXPECT(memattr->GetMemoryAttributes(memattr, page, EFI_PAGE_SIZE, &attr), EFI_SUCCESS);
	CHECK(!(attr & EFI_MEMORY_RO));
	*(volatile UINT64 *)page = 1;           /* writable again */
	EXPECT(memattr->SetMemoryAttributes(memattr, page, EFI_PAGE_SIZE, 0),
	       EFI_INVALID_PARAMETER);
	EXPECT(memattr->GetMemoryAttributes(memattr, page + 1, EFI_PAGE_SIZE, &attr),
	       EFI_INVALID_PARAMETER);
	return PASS;
}

const struct selftest memory_tests[] = {
	{ L"mem.alloc_types", NULL, alloc_types, drop_map },
	{ L"mem.alloc_invalid", NULL, alloc_invalid },
	{ L"mem.alloc_max_address", NULL, alloc_max_address },
	{ L"mem.alloc_address", NULL, alloc_address },
	{ L"mem.free_invalid", NULL, free_invalid },
	{ L"mem.map_too_small", NULL, map_too_small },
	{ L"mem.map_key", NULL, map_key },
	{ L"mem.map_sane", NULL, map_sane, drop_map },
	{ L"mem.runtime_64k", NULL, runtime_64k, drop_map },
	{ L"mem.pool", NULL, pool, drop_map },
	{ L"memattr.image", memattr_setup, memattr_image },
	{ L"memattr.set_clear", memattr_setup, memattr_set_clear, memattr_teardown },
	{ NULL }
};
