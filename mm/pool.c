/* AllocatePool/FreePool. Small blocks are carved from pool pages, which are pages of
 * the pool's memory type taken from the map a chunk at a time and never given back;
 * all free blocks, of every type, sit on one list in address order so that a freed
 * block merges with its free neighbours. Large blocks get pages of their own, given
 * back to the map when freed. Every block starts with a header that FreePool checks
 * before it trusts a pointer. The firmware is identity mapped: an address from the
 * map is a pointer. */
#include <stddef.h>
#include <stdint.h>
#include "memmap.h"

#define POOL_ALIGN      16                      /* UEFI wants 8; 16 suits any C type */
#define CHUNK_PAGES     16                      /* pool pages taken from the map at once */
#define LARGE_SIZE      (4 * EFI_PAGE_SIZE)     /* from here on, pages of its own */
#define MAGIC_USED      0x45535550              /* "PUSE" */
#define MAGIC_LARGE     0x47524c50              /* "PLRG" */
#define MAGIC_FREE      0x45455246              /* "FREE" */

struct pool_block {
	UINT64 size;                    /* in bytes, header included */
	UINT32 type;                    /* the memory type of the pages it lives in */
	UINT32 magic;
	struct pool_block *next;        /* free blocks only: the next free block up */
};

#define HEADER          offsetof(struct pool_block, next)
#define MIN_BLOCK       ((sizeof(struct pool_block) + POOL_ALIGN - 1) & ~(POOL_ALIGN - 1))

_Static_assert(HEADER % POOL_ALIGN == 0, "a payload is as aligned as its block");

static struct pool_block *block_at(UINT64 addr)
{
	return (struct pool_block *)(uintptr_t)addr;
}

static UINT64 addr_of(const struct pool_block *b)
{
	return (uintptr_t)b;
}

/* Merge b's successor on the free list into b if it follows b directly in the same
 * pages (adjacent chunks of one type count as the same pages). */
static void absorb_next(struct pool_block *b)
{
	struct pool_block *n = b->next;

	if (n && addr_of(b) + b->size == addr_of(n) && n->type == b->type) {
		b->size += n->size;
		b->next = n->next;
	}
}

static void release(struct memmap *m, struct pool_block *b)
{
	struct pool_block *prev = NULL, *next = m->pool;

	while (next && addr_of(next) < addr_of(b)) {
		prev = next;
		next = next->next;
	}
	b->magic = MAGIC_FREE;
	b->next = next;
	if (prev)
		prev->next = b;
	else
		m->pool = b;
	absorb_next(b);
	if (prev)
		absorb_next(prev);
}

/* First fit: the lowest free block of the type that is big enough. A tail worth
 * keeping stays on the list in the block's place. */
static struct pool_block *take(struct memmap *m, UINT32 type, UINT64 size)
{
	for (struct pool_block **p = &m->pool; *p; p = &(*p)->next) {
		struct pool_block *b = *p;

		if (b->type != type || b->size < size)
			continue;
		if (b->size - size >= MIN_BLOCK) {
			struct pool_block *rest = block_at(addr_of(b) + size);

			rest->size = b->size - size;
			rest->type = type;
			rest->magic = MAGIC_FREE;
			rest->next = b->next;
			b->size = size;
			*p = rest;
		} else {
			*p = b->next;
		}
		return b;
	}
	return NULL;
}

static EFI_STATUS add_chunk(struct memmap *m, UINT32 type)
{
	UINT64 addr;
	EFI_STATUS status = memmap_alloc(m, AllocateAnyPages, type, CHUNK_PAGES, EFI_PAGE_SIZE,
					 &addr);
	struct pool_block *b;

	if (status != EFI_SUCCESS)
		return status;
	b = block_at(addr);
	b->size = CHUNK_PAGES * EFI_PAGE_SIZE;
	b->type = type;
	release(m, b);
	return EFI_SUCCESS;
}

static EFI_STATUS alloc_small(struct memmap *m, UINT32 type, UINTN size, struct pool_block **b)
{
	UINT64 need = (HEADER + size + POOL_ALIGN - 1) & ~(UINT64)(POOL_ALIGN - 1);
	EFI_STATUS status;

	if (need < MIN_BLOCK)
		need = MIN_BLOCK;
	*b = take(m, type, need);
	if (!*b) {
		/* Also how a bad type is refused: no free block ever has one. */
		status = add_chunk(m, type);
		if (status != EFI_SUCCESS)
			return status;
		*b = take(m, type, need);
	}
	(*b)->magic = MAGIC_USED;
	return EFI_SUCCESS;
}

static EFI_STATUS alloc_large(struct memmap *m, UINT32 type, UINTN size, struct pool_block **b)
{
	UINT64 addr, pages;
	EFI_STATUS status;

	if (size > ~0ULL - HEADER - EFI_PAGE_MASK)
		return EFI_OUT_OF_RESOURCES;
	pages = PAGES(HEADER + size);
	status = memmap_alloc(m, AllocateAnyPages, type, pages, EFI_PAGE_SIZE, &addr);
	if (status != EFI_SUCCESS)
		return status;
	*b = block_at(addr);
	(*b)->size = pages * EFI_PAGE_SIZE;
	(*b)->type = type;
	(*b)->magic = MAGIC_LARGE;
	return EFI_SUCCESS;
}

EFI_STATUS pool_alloc(struct memmap *m, UINT32 type, UINTN size, void **buf)
{
	struct pool_block *b;
	EFI_STATUS status;

	if (!buf)
		return EFI_INVALID_PARAMETER;
	if (size >= LARGE_SIZE)
		status = alloc_large(m, type, size, &b);
	else
		status = alloc_small(m, type, size, &b);
	if (status == EFI_SUCCESS)
		*buf = (UINT8 *)b + HEADER;
	return status;
}

/* Whether addr is the header of a block we handed out: it must lie in memory the map
 * says was allocated (so a wild pointer never makes us read a device), and the header
 * must agree with the map. */
static struct pool_block *used_block(const struct memmap *m, UINT64 addr)
{
	const EFI_MEMORY_DESCRIPTOR *d = memmap_find_allocated(m, addr);
	struct pool_block *b = block_at(addr);
	UINT64 room;

	if (!d)
		return NULL;
	room = d->NumberOfPages * EFI_PAGE_SIZE - (addr - d->PhysicalStart);
	if ((b->magic != MAGIC_USED && b->magic != MAGIC_LARGE) || b->type != d->Type ||
	    b->size < MIN_BLOCK || (b->size & (POOL_ALIGN - 1)) || b->size > room)
		return NULL;
	return b;
}

static EFI_STATUS free_large(struct memmap *m, struct pool_block *b)
{
	EFI_STATUS status;

	/* Unmark first: once the pages are reused, a stale pointer must not free them. */
	b->magic = MAGIC_FREE;
	status = memmap_free(m, addr_of(b), b->size / EFI_PAGE_SIZE);
	if (status != EFI_SUCCESS)
		b->magic = MAGIC_LARGE;
	return status;
}

EFI_STATUS pool_free(struct memmap *m, void *buf)
{
	UINT64 addr = (uintptr_t)buf;
	struct pool_block *b;

	/* buf >= POOL_ALIGN once aligned and non-NULL, so the header address is sane. */
	if (!buf || (addr & (POOL_ALIGN - 1)))
		return EFI_INVALID_PARAMETER;
	b = used_block(m, addr - HEADER);
	if (!b)
		return EFI_INVALID_PARAMETER;
	if (b->magic == MAGIC_LARGE)
		return free_large(m, b);
	release(m, b);
	return EFI_SUCCESS;
}
