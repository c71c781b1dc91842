/* The EFI memory map and the page allocator built on it.
 * Pure logic (no hardware access), so it runs in host unit tests too. */
#ifndef EFILITE_MEMMAP_H
#define EFILITE_MEMMAP_H

#include "efitypes.h"

#define EFI_PAGE_SHIFT_ 12
#define PAGES(bytes) (((bytes) + 0xfffULL) >> 12)

/* Capacity of the descriptor array; fixed so the allocator never allocates itself.
 * Room for PLAT_MAX_RESERVED scattered reservations (each splits RAM: two descriptors)
 * and the allocations of a boot. */
#define MEMMAP_MAX 512
/* Capacity of the list of fixed ranges: the platform's reserved memory, our own data
 * and the devices the runtime services use. */
#define MEMMAP_FIXED_MAX 160    /* PLAT_MAX_RESERVED and ours (mm/ram.c checks) */

struct pool_block;

/* The map: a sorted, non-overlapping, coalesced array of descriptors.
 * Adjacent descriptors with equal Type and Attribute are always merged. */
struct memmap {
	/* At most MEMMAP_MAX in use; the 2 spare slots let a change split the
	 * descriptors at both of its ends before it knows whether the result fits. */
	EFI_MEMORY_DESCRIPTOR desc[MEMMAP_MAX + 2];
	UINTN count;
	UINTN key;             /* bumped by every change; GetMemoryMap's MapKey */
	struct pool_block *pool;   /* pool.c's free blocks, which live in this map's pages */
	/* Page frames [lo, hi) the platform set, which FreePages must never take: the map
	 * alone cannot tell them from allocations of the same type. */
	struct { UINT64 lo, hi; } fixed[MEMMAP_FIXED_MAX];
	UINTN nr_fixed;
};

extern struct memmap memmap;   /* the firmware's one map (mm/ram.c) */

/* mm/ram.c: the firmware's map from the platform: RAM, reserved ranges, our own. */
struct platform;
void memory_init(const struct platform *p);

void memmap_init(struct memmap *m);

/* Set [base, base+pages*4K) to type/attr, whatever it was before (describes RAM at
 * boot, retypes pages one has allocated). base must be page-aligned; attr is taken as
 * given. EFI_OUT_OF_RESOURCES (map unchanged) if the result would need more than
 * MEMMAP_MAX descriptors. */
EFI_STATUS memmap_set(struct memmap *m, UINT64 base, UINT64 pages, UINT32 type, UINT64 attr);

/* memmap_set for a range that is the platform's, not an allocation: it stays fixed, so
 * memmap_free refuses it whatever memmap_set does there later. EFI_OUT_OF_RESOURCES
 * (map unchanged) if MEMMAP_FIXED_MAX ranges are fixed already. */
EFI_STATUS memmap_reserve(struct memmap *m, UINT64 base, UINT64 pages, UINT32 type, UINT64 attr);

/* Page allocation with UEFI AllocatePages semantics over EfiConventionalMemory only.
 * AllocateAnyPages: highest fitting free range; AllocateMaxAddress: highest range ending
 * at or below *addr; AllocateAddress: exactly *addr. align is a power of two >= 4096.
 * On success *addr holds the base. A range is carved from one free descriptor and keeps
 * its Attribute, but with EFI_MEMORY_RUNTIME set exactly for the EfiRuntimeServices types.
 * EFI_INVALID_PARAMETER: bad how, type (EfiConventionalMemory, EfiPersistentMemory,
 * EfiUnacceptedMemoryType, or EfiMaxMemoryType..0x6fffffff), align or addr, pages == 0
 * (EDK2 fails it too), or for AllocateAddress *addr not aligned to align.
 * EFI_NOT_FOUND: AllocateAddress and the range is not free memory of one attribute.
 * EFI_OUT_OF_RESOURCES: nothing fits, or the map is full. */
EFI_STATUS memmap_alloc(struct memmap *m, EFI_ALLOCATE_TYPE how, UINT32 type,
			UINT64 pages, UINT64 align, UINT64 *addr);

/* Random placement: choose uniformly among all align-aligned bases of free ranges that
 * fit (last byte at or below max_addr), using seed; for KASLR-style placement.
 * Errors as memmap_alloc; no candidate is EFI_OUT_OF_RESOURCES. */
EFI_STATUS memmap_alloc_random(struct memmap *m, UINT32 type, UINT64 pages,
			       UINT64 align, UINT64 max_addr, UINT64 seed, UINT64 *addr);

/* FreePages: the range must be wholly of types AllocatePages hands out, overlap no fixed
 * range, and become free memory of one attribute; else EFI_NOT_FOUND. Unaligned base or
 * pages == 0 is EFI_INVALID_PARAMETER. */
EFI_STATUS memmap_free(struct memmap *m, UINT64 base, UINT64 pages);

/* GetMemoryMap semantics: on EFI_BUFFER_TOO_SMALL *size is set to what is needed;
 * *desc_size and *desc_version are set either way (callers size their buffer by them). */
EFI_STATUS memmap_get(struct memmap *m, UINTN *size, EFI_MEMORY_DESCRIPTOR *buf,
		      UINTN *key, UINTN *desc_size, UINT32 *desc_version);

/* Totals by type, in pages. */
UINT64 memmap_pages_of(const struct memmap *m, UINT32 type);

/* The descriptor holding addr if memmap_free would take that page back, else NULL:
 * lets FreePool vet a pointer before it reads through it. */
const EFI_MEMORY_DESCRIPTOR *memmap_find_allocated(const struct memmap *m, UINT64 addr);

/* Pool allocator (AllocatePool/FreePool) on top of pages: 16-byte aligned blocks,
 * per memory type; large requests get their own pages. Size 0 gives a minimal block.
 * pool_free returns EFI_INVALID_PARAMETER for anything it did not hand out. */
EFI_STATUS pool_alloc(struct memmap *m, UINT32 type, UINTN size, void **buf);
EFI_STATUS pool_free(struct memmap *m, void *buf);

#endif
