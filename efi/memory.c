/* Memory services (UEFI 2.10 section 7.2) over the firmware's memory map. */
#include "efi/core.h"
#include "memmap.h"

/* On AArch64, runtime and ACPI NVS regions are 64 KiB aligned and sized so an OS with
 * 64 KiB pages can map them (UEFI 2.10 section 2.3.6). */
static bool wants_64k(EFI_MEMORY_TYPE t)
{
	return t == EfiRuntimeServicesCode || t == EfiRuntimeServicesData ||
	       t == EfiACPIMemoryNVS || t == EfiReservedMemoryType;
}

EFI_STATUS EFIAPI AllocatePages(EFI_ALLOCATE_TYPE type, EFI_MEMORY_TYPE mtype,
				UINTN pages, EFI_PHYSICAL_ADDRESS *addr)
{
	UINT64 align = 4096;

	if (!addr)
		return EFI_INVALID_PARAMETER;
	if (wants_64k(mtype)) {
		align = 0x10000;
		pages = (pages + 15) & ~(UINTN)15;
	}
	return memmap_alloc(&memmap, type, mtype, pages, align, addr);
}

EFI_STATUS EFIAPI FreePages(EFI_PHYSICAL_ADDRESS addr, UINTN pages)
{
	const EFI_MEMORY_DESCRIPTOR *d = memmap_find_allocated(&memmap, addr);

	/* What AllocatePages rounded up goes back with the rest. */
	if (d && wants_64k(d->Type))
		pages = (pages + 15) & ~(UINTN)15;
	return memmap_free(&memmap, addr, pages);
}

EFI_STATUS EFIAPI GetMemoryMap(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key,
			       UINTN *desc_size, UINT32 *desc_version)
{
	return memmap_get(&memmap, size, map, key, desc_size, desc_version);
}

EFI_STATUS EFIAPI AllocatePool(EFI_MEMORY_TYPE type, UINTN size, VOID **buf)
{
	return pool_alloc(&memmap, type, size, buf);
}

EFI_STATUS EFIAPI FreePool(VOID *buf)
{
	return pool_free(&memmap, buf);
}

void *efi_alloc(UINTN size)
{
	void *p;

	if (pool_alloc(&memmap, EfiBootServicesData, size, &p))
		return NULL;
	return memset(p, 0, size);
}

void efi_free(void *p)
{
	if (p)
		pool_free(&memmap, p);
}
