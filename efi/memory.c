/* Memory services (UEFI 2.10 section 7.2) over the firmware's memory map. */
#include "efi/core.h"
#include "memmap.h"
#include "wx.h"

/* While an image without NX_COMPAT runs, the EfiLoaderCode pages it allocates are flip
 * pages (mm/wx.c): it may write code there and run it. efi/image.c sets this. */
static bool code_flips;

void efi_memory_flip_code(bool on)
{
	code_flips = on;
}

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
	EFI_STATUS s;

	if (!addr)
		return EFI_INVALID_PARAMETER;
	if (wants_64k(mtype)) {
		align = 0x10000;
		pages = (pages + 15) & ~(UINTN)15;
	}
	s = memmap_alloc(&memmap, type, mtype, pages, align, addr);
	if (s || mtype != EfiLoaderCode || !code_flips)
		return s;
	if (wx_mark(*addr, pages << EFI_PAGE_SHIFT)) {
		wx_release(*addr, pages << EFI_PAGE_SHIFT);
		memmap_free(&memmap, *addr, pages);
		return EFI_OUT_OF_RESOURCES;
	}
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI FreePages(EFI_PHYSICAL_ADDRESS addr, UINTN pages)
{
	const EFI_MEMORY_DESCRIPTOR *d = memmap_find_allocated(&memmap, addr);
	bool code = d && d->Type == EfiLoaderCode;
	EFI_STATUS s;

	/* What AllocatePages rounded up goes back with the rest. */
	if (d && wants_64k(d->Type))
		pages = (pages + 15) & ~(UINTN)15;
	s = memmap_free(&memmap, addr, pages);
	/* Free RAM is read-write and execute-never, whatever a loader made of it. */
	if (!s && code)
		wx_release(addr, pages << EFI_PAGE_SHIFT);
	return s;
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

void *efi_pool(UINTN size)
{
	void *p;

	return AllocatePool(EfiBootServicesData, size, &p) ? NULL : p;
}

void efi_free(void *p)
{
	if (p)
		pool_free(&memmap, p);
}
