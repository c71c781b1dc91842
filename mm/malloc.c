/* calloc/free and whole pages for the code below the UEFI core (drivers, disk formats):
 * boot-services memory from the firmware's one map, so they need no EFI interface. */
#include <stdlib.h>
#include <string.h>
#include "memmap.h"

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return NULL;
	if (pool_alloc(&memmap, EfiBootServicesData, n * size, &p))
		return NULL;
	return memset(p, 0, n * size);
}

void free(void *p)
{
	if (p)
		pool_free(&memmap, p);
}

void *page_alloc(size_t pages)
{
	EFI_PHYSICAL_ADDRESS a;

	if (memmap_alloc(&memmap, AllocateAnyPages, EfiBootServicesData, pages, 4096, &a))
		return NULL;
	return memset((void *)a, 0, pages * 4096);
}

void page_free(void *p, size_t pages)
{
	if (p)
		memmap_free(&memmap, (UINT64)p, pages);
}
