/* The EFI memory map, and AllocatePages/FreePages on it.
 *
 * Every change goes through set_range(): split the descriptors at both ends of the
 * range, check that the result fits, replace what lies inside by one descriptor and
 * merge again. All of it is linear in the number of descriptors, never in pages.
 * Internally ranges are page frame numbers [lo, hi), so a range may end at the very
 * top of the 64-bit space without overflow. */
#include <stdbool.h>
#include "memmap.h"

#define PFN_END         (1ULL << (64 - EFI_PAGE_SHIFT))   /* one past the top page */
#define OEM_TYPES_MIN   0x70000000   /* OEM types, then from 0x80000000 OS loaders' */

static UINT64 first(const EFI_MEMORY_DESCRIPTOR *d)
{
	return d->PhysicalStart >> EFI_PAGE_SHIFT;
}

static UINT64 end(const EFI_MEMORY_DESCRIPTOR *d)
{
	return first(d) + d->NumberOfPages;
}

static UINT64 min(UINT64 a, UINT64 b)
{
	return a < b ? a : b;
}

/* AllocatePages takes every type but these (UEFI 2.10, 7.2). EfiPersistentMemory (14)
 * and EfiUnacceptedMemoryType (15) are newer than gnu-efi's enum: test by number. */
static bool allocatable(UINT32 type)
{
	return type >= OEM_TYPES_MIN || (type <= EfiPalCode && type != EfiConventionalMemory);
}

/* The OS maps for runtime services only what has EFI_MEMORY_RUNTIME, so runtime
 * allocations get it (as EDK2 reports them) and lose it when freed. */
static UINT64 attr_for(UINT32 type, UINT64 attr)
{
	attr &= ~EFI_MEMORY_RUNTIME;
	if (type == EfiRuntimeServicesCode || type == EfiRuntimeServicesData)
		attr |= EFI_MEMORY_RUNTIME;
	return attr;
}

/* Index of the first descriptor ending above pfn: the one holding it, or the next. */
static UINTN find(const struct memmap *m, UINT64 pfn)
{
	UINTN i = 0;

	while (i < m->count && end(&m->desc[i]) <= pfn)
		i++;
	return i;
}

/* Make pfn a descriptor boundary (uses one of the spare slots at most). */
static void split_at(struct memmap *m, UINT64 pfn)
{
	UINTN i = find(m, pfn);
	EFI_MEMORY_DESCRIPTOR *d = &m->desc[i];

	if (i == m->count || first(d) >= pfn)
		return;
	__builtin_memmove(d + 1, d, (m->count - i) * sizeof(*d));
	m->count++;
	d[0].NumberOfPages = pfn - first(d);
	d[1].PhysicalStart = pfn << EFI_PAGE_SHIFT;
	d[1].NumberOfPages -= d[0].NumberOfPages;
}

static bool mergeable(const EFI_MEMORY_DESCRIPTOR *a, const EFI_MEMORY_DESCRIPTOR *b)
{
	return end(a) == first(b) && a->Type == b->Type && a->Attribute == b->Attribute;
}

static void merge(struct memmap *m)
{
	UINTN out = 0;

	for (UINTN i = 1; i < m->count; i++) {
		if (mergeable(&m->desc[out], &m->desc[i]))
			m->desc[out].NumberOfPages += m->desc[i].NumberOfPages;
		else
			m->desc[++out] = m->desc[i];
	}
	if (m->count)
		m->count = out + 1;
}

/* Make pages [lo, hi) (lo < hi) type/attr. Atomic: if the result would not fit, the
 * map is left as it was. */
static EFI_STATUS set_range(struct memmap *m, UINT64 lo, UINT64 hi, UINT32 type, UINT64 attr)
{
	EFI_MEMORY_DESCRIPTOR d = {
		.Type = type,
		.PhysicalStart = lo << EFI_PAGE_SHIFT,
		.NumberOfPages = hi - lo,
		.Attribute = attr,
	};
	UINTN i, j, count;

	split_at(m, lo);
	split_at(m, hi);
	i = find(m, lo);	/* desc[i..j) lie inside the range */
	j = find(m, hi);
	/* The map was merged, so only the new descriptor's neighbours can merge now. */
	count = m->count - (j - i) + 1 - (i > 0 && mergeable(&m->desc[i - 1], &d)) -
		(j < m->count && mergeable(&d, &m->desc[j]));
	if (count > MEMMAP_MAX) {
		merge(m);	/* the map was merged: this just undoes the splits */
		return EFI_OUT_OF_RESOURCES;
	}
	__builtin_memmove(&m->desc[i + 1], &m->desc[j], (m->count - j) * sizeof(d));
	m->desc[i] = d;
	m->count = m->count - (j - i) + 1;
	merge(m);
	m->key++;
	return EFI_SUCCESS;
}

void memmap_init(struct memmap *m)
{
	__builtin_memset(m, 0, sizeof(*m));
}

EFI_STATUS memmap_set(struct memmap *m, UINT64 base, UINT64 pages, UINT32 type, UINT64 attr)
{
	UINT64 lo = base >> EFI_PAGE_SHIFT;

	if ((base & EFI_PAGE_MASK) || pages > PFN_END - lo)
		return EFI_INVALID_PARAMETER;
	return pages ? set_range(m, lo, lo + pages, type, attr) : EFI_SUCCESS;
}

EFI_STATUS memmap_reserve(struct memmap *m, UINT64 base, UINT64 pages, UINT32 type, UINT64 attr)
{
	UINT64 lo = base >> EFI_PAGE_SHIFT;
	EFI_STATUS status;

	if (m->nr_fixed == MEMMAP_FIXED_MAX)
		return EFI_OUT_OF_RESOURCES;
	status = memmap_set(m, base, pages, type, attr);
	if (status == EFI_SUCCESS && pages) {
		m->fixed[m->nr_fixed].lo = lo;
		m->fixed[m->nr_fixed++].hi = lo + pages;
	}
	return status;
}

/* Whether any of [lo, hi) is the platform's. */
static bool overlaps_fixed(const struct memmap *m, UINT64 lo, UINT64 hi)
{
	for (UINTN i = 0; i < m->nr_fixed; i++)
		if (m->fixed[i].lo < hi && lo < m->fixed[i].hi)
			return true;
	return false;
}

static bool bad_request(UINT32 type, UINT64 pages, UINT64 align, const UINT64 *addr)
{
	return !allocatable(type) || !pages || align < EFI_PAGE_SIZE || (align & (align - 1)) ||
	       !addr;
}

/* One past the last page whose every byte is at or below max. */
static UINT64 limit_of(UINT64 max)
{
	return (max >> EFI_PAGE_SHIFT) + ((max & EFI_PAGE_MASK) == EFI_PAGE_MASK);
}

/* The highest free descriptor holding n pages aligned to align (in pages) below page
 * limit; *lo is where. Searching from the top keeps low memory for callers that need
 * it below some address, like EDK2 does. */
static const EFI_MEMORY_DESCRIPTOR *find_top(const struct memmap *m, UINT64 n, UINT64 align,
					     UINT64 limit, UINT64 *lo)
{
	for (UINTN i = m->count; i-- > 0;) {
		const EFI_MEMORY_DESCRIPTOR *d = &m->desc[i];
		UINT64 top = min(end(d), limit);

		if (d->Type != EfiConventionalMemory || top < first(d) || top - first(d) < n)
			continue;
		*lo = (top - n) & ~(align - 1);
		if (*lo >= first(d))
			return d;
	}
	return NULL;
}

/* The free descriptor holding all of [lo, lo + n), if there is one. */
static const EFI_MEMORY_DESCRIPTOR *find_at(const struct memmap *m, UINT64 lo, UINT64 n)
{
	UINTN i = find(m, lo);
	const EFI_MEMORY_DESCRIPTOR *d = &m->desc[i];

	if (i == m->count || d->Type != EfiConventionalMemory || first(d) > lo || end(d) - lo < n)
		return NULL;
	return d;
}

/* Carve [lo, lo + n) out of free descriptor d. */
static EFI_STATUS claim(struct memmap *m, const EFI_MEMORY_DESCRIPTOR *d, UINT64 lo, UINT64 n,
			UINT32 type, UINT64 *addr)
{
	EFI_STATUS status = set_range(m, lo, lo + n, type, attr_for(type, d->Attribute));

	if (status == EFI_SUCCESS)
		*addr = lo << EFI_PAGE_SHIFT;
	return status;
}

EFI_STATUS memmap_alloc(struct memmap *m, EFI_ALLOCATE_TYPE how, UINT32 type,
			UINT64 pages, UINT64 align, UINT64 *addr)
{
	const EFI_MEMORY_DESCRIPTOR *d;
	UINT64 lo;

	if (bad_request(type, pages, align, addr))
		return EFI_INVALID_PARAMETER;
	switch (how) {
	case AllocateAnyPages:
	case AllocateMaxAddress:
		d = find_top(m, pages, align >> EFI_PAGE_SHIFT,
			     how == AllocateAnyPages ? PFN_END : limit_of(*addr), &lo);
		break;
	case AllocateAddress:
		if (*addr & (align - 1))
			return EFI_INVALID_PARAMETER;
		lo = *addr >> EFI_PAGE_SHIFT;
		d = find_at(m, lo, pages);
		if (!d)
			return EFI_NOT_FOUND;
		break;
	default:
		return EFI_INVALID_PARAMETER;
	}
	return d ? claim(m, d, lo, pages, type, addr) : EFI_OUT_OF_RESOURCES;
}

static UINT64 align_up(UINT64 pfn, UINT64 align)
{
	return (pfn + align - 1) & ~(align - 1);
}

/* How many bases for n pages aligned to align (pages) d offers below page limit. */
static UINT64 slots(const EFI_MEMORY_DESCRIPTOR *d, UINT64 n, UINT64 align, UINT64 limit)
{
	UINT64 lo = align_up(first(d), align), top = min(end(d), limit);

	if (d->Type != EfiConventionalMemory || top < lo || top - lo < n)
		return 0;
	return (top - lo - n) / align + 1;
}

/* Like Linux's efi_random_alloc(): number every candidate base, take seed modulo their
 * count (the bias is at most count / 2^64). */
EFI_STATUS memmap_alloc_random(struct memmap *m, UINT32 type, UINT64 pages,
			       UINT64 align, UINT64 max_addr, UINT64 seed, UINT64 *addr)
{
	UINT64 a = align >> EFI_PAGE_SHIFT, limit = limit_of(max_addr), total = 0, pick;
	UINTN i;

	if (bad_request(type, pages, align, addr))
		return EFI_INVALID_PARAMETER;
	for (i = 0; i < m->count; i++)
		total += slots(&m->desc[i], pages, a, limit);
	if (!total)
		return EFI_OUT_OF_RESOURCES;
	pick = seed % total;
	for (i = 0; pick >= slots(&m->desc[i], pages, a, limit); i++)
		pick -= slots(&m->desc[i], pages, a, limit);
	return claim(m, &m->desc[i], align_up(first(&m->desc[i]), a) + pick * a, pages, type,
		     addr);
}

/* Attribute of the free memory an allocated range turns back into. */
static UINT64 free_attr(const EFI_MEMORY_DESCRIPTOR *d)
{
	return attr_for(EfiConventionalMemory, d->Attribute);
}

/* Whether all of [lo, hi) is allocated, none of it fixed, and would be free memory of
 * one attribute. Allocated means of a type AllocatePages hands out: any other type comes
 * from memmap_set, which only describes the platform. */
static bool freeable_range(const struct memmap *m, UINT64 lo, UINT64 hi, UINT64 *attr)
{
	UINTN i = find(m, lo);

	if (i == m->count || overlaps_fixed(m, lo, hi))
		return false;
	*attr = free_attr(&m->desc[i]);
	for (; lo < hi; lo = end(&m->desc[i++])) {
		const EFI_MEMORY_DESCRIPTOR *d = &m->desc[i];

		if (i == m->count || first(d) > lo || !allocatable(d->Type) || free_attr(d) != *attr)
			return false;
	}
	return true;
}

EFI_STATUS memmap_free(struct memmap *m, UINT64 base, UINT64 pages)
{
	UINT64 lo = base >> EFI_PAGE_SHIFT, attr;

	if ((base & EFI_PAGE_MASK) || !pages || pages > PFN_END - lo)
		return EFI_INVALID_PARAMETER;
	if (!freeable_range(m, lo, lo + pages, &attr))
		return EFI_NOT_FOUND;
	return set_range(m, lo, lo + pages, EfiConventionalMemory, attr);
}

/* The size we report; callers step by it, so it could grow without breaking them (the
 * copy in memmap_get would then go descriptor by descriptor). */
#define DESC_SIZE sizeof(EFI_MEMORY_DESCRIPTOR)

EFI_STATUS memmap_get(struct memmap *m, UINTN *size, EFI_MEMORY_DESCRIPTOR *buf,
		      UINTN *key, UINTN *desc_size, UINT32 *desc_version)
{
	UINTN need = m->count * DESC_SIZE;

	if (!size)
		return EFI_INVALID_PARAMETER;
	if (desc_size)
		*desc_size = DESC_SIZE;
	if (desc_version)
		*desc_version = EFI_MEMORY_DESCRIPTOR_VERSION;
	if (*size < need) {
		*size = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!buf)
		return EFI_INVALID_PARAMETER;
	__builtin_memcpy(buf, m->desc, need);
	*size = need;
	if (key)
		*key = m->key;
	return EFI_SUCCESS;
}

UINT64 memmap_pages_of(const struct memmap *m, UINT32 type)
{
	UINT64 pages = 0;

	for (UINTN i = 0; i < m->count; i++)
		if (m->desc[i].Type == type)
			pages += m->desc[i].NumberOfPages;
	return pages;
}

const EFI_MEMORY_DESCRIPTOR *memmap_find_allocated(const struct memmap *m, UINT64 addr)
{
	UINT64 pfn = addr >> EFI_PAGE_SHIFT;
	UINTN i = find(m, pfn);

	if (i == m->count || first(&m->desc[i]) > pfn || !allocatable(m->desc[i].Type) ||
	    overlaps_fixed(m, pfn, pfn + 1))
		return NULL;
	return &m->desc[i];
}
