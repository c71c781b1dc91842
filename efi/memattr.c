/*
 * EFI_MEMORY_ATTRIBUTE_PROTOCOL (UEFI 2.10 section 37.7): images (newer Linux stubs,
 * zboot) change the permissions of their own memory on our live translation tables.
 * Attributes per page: RP (not mapped), RO (not writable), XP (not executable). A
 * change that would leave a page writable and executable is refused: EFI-lite never
 * maps memory W+X (and with SCTLR.WXN such a page could not run anyway).
 */
#include "efi/core.h"
#include "mmu.h"
#include "platform.h"
#include "wx.h"

#define EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID \
	{ 0xf4560cf6, 0x40ec, 0x4b4a, { 0xa1, 0x92, 0xbf, 0x1d, 0x57, 0xd0, 0xb1, 0x89 } }
#define ATTRS (EFI_MEMORY_RP | EFI_MEMORY_RO | EFI_MEMORY_XP)

typedef struct memattr_protocol EFI_MEMORY_ATTRIBUTE_PROTOCOL;
struct memattr_protocol {
	EFI_STATUS (EFIAPI *GetMemoryAttributes)(EFI_MEMORY_ATTRIBUTE_PROTOCOL *this,
						 EFI_PHYSICAL_ADDRESS base, UINT64 len,
						 UINT64 *attributes);
	EFI_STATUS (EFIAPI *SetMemoryAttributes)(EFI_MEMORY_ATTRIBUTE_PROTOCOL *this,
						 EFI_PHYSICAL_ADDRESS base, UINT64 len,
						 UINT64 attributes);
	EFI_STATUS (EFIAPI *ClearMemoryAttributes)(EFI_MEMORY_ATTRIBUTE_PROTOCOL *this,
						   EFI_PHYSICAL_ADDRESS base, UINT64 len,
						   UINT64 attributes);
};

static UINT64 attrs_of(unsigned prot)
{
	if (!prot)
		return EFI_MEMORY_RP | EFI_MEMORY_RO | EFI_MEMORY_XP;
	return (prot & PT_W ? 0 : EFI_MEMORY_RO) | (prot & PT_X ? 0 : EFI_MEMORY_XP);
}

static unsigned prot_of(UINT64 attrs)
{
	if (attrs & EFI_MEMORY_RP)
		return 0;
	return PT_R | (attrs & EFI_MEMORY_RO ? 0 : PT_W) | (attrs & EFI_MEMORY_XP ? 0 : PT_X);
}

static const struct region *ram;        /* the RAM regions, from efi_memattr_init */
static unsigned nr_ram;

/* Only RAM is ours to change: the range must lie in one RAM region. */
static EFI_STATUS check(EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 attrs, bool set)
{
	if (!len || ((base | len) & EFI_PAGE_MASK) || base + len < base ||
	    (set && (!attrs || (attrs & ~ATTRS))))
		return EFI_INVALID_PARAMETER;
	for (unsigned i = 0; i < nr_ram; i++)
		if (base >= ram[i].base && base + len <= ram[i].base + ram[i].size)
			return EFI_SUCCESS;
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI GetMemoryAttributes(EFI_MEMORY_ATTRIBUTE_PROTOCOL *this,
					     EFI_PHYSICAL_ADDRESS base, UINT64 len,
					     UINT64 *attributes)
{
	EFI_STATUS s = check(base, len, 0, false);
	UINT64 first;

	if (!attributes)
		return EFI_INVALID_PARAMETER;
	if (s)
		return s;
	first = attrs_of(mmu_get_prot(base));
	for (UINT64 a = base + EFI_PAGE_SIZE; a < base + len; a += EFI_PAGE_SIZE)
		if (attrs_of(mmu_get_prot(a)) != first)
			return EFI_NO_MAPPING;          /* not uniform over the range */
	*attributes = first;
	return EFI_SUCCESS;
}

/* Apply (attrs | set) & ~clear to every page, in runs of pages that end up alike;
 * nothing changes unless every page can take the result. */
static EFI_STATUS change(EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 set, UINT64 clear)
{
	UINT64 a, run;

	for (a = base; a < base + len; a += EFI_PAGE_SIZE) {
		unsigned p = prot_of((attrs_of(mmu_get_prot(a)) | set) & ~clear);

		if ((p & PT_W) && (p & PT_X))
			return EFI_UNSUPPORTED;
	}
	wx_unflip(base, len);           /* a legacy loader's page is the image's own now */
	for (a = base; a < base + len; a = run) {
		unsigned p = prot_of((attrs_of(mmu_get_prot(a)) | set) & ~clear);

		for (run = a + EFI_PAGE_SIZE; run < base + len; run += EFI_PAGE_SIZE)
			if (prot_of((attrs_of(mmu_get_prot(run)) | set) & ~clear) != p)
				break;
		if (mmu_set_prot(a, run - a, p))
			return EFI_OUT_OF_RESOURCES;
	}
	return EFI_SUCCESS;
}

/* Set or Clear: one of set and clear is the caller's attributes, the other 0. */
static EFI_STATUS set_clear(EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 set, UINT64 clear)
{
	EFI_STATUS s = check(base, len, set | clear, true);

	return s ? s : change(base, len, set, clear);
}

static EFI_STATUS EFIAPI SetMemoryAttributes(EFI_MEMORY_ATTRIBUTE_PROTOCOL *this,
					     EFI_PHYSICAL_ADDRESS base, UINT64 len,
					     UINT64 attributes)
{
	return set_clear(base, len, attributes, 0);
}

static EFI_STATUS EFIAPI ClearMemoryAttributes(EFI_MEMORY_ATTRIBUTE_PROTOCOL *this,
					       EFI_PHYSICAL_ADDRESS base, UINT64 len,
					       UINT64 attributes)
{
	return set_clear(base, len, 0, attributes);
}

static EFI_MEMORY_ATTRIBUTE_PROTOCOL memattr = {
	.GetMemoryAttributes = GetMemoryAttributes,
	.SetMemoryAttributes = SetMemoryAttributes,
	.ClearMemoryAttributes = ClearMemoryAttributes,
};

EFI_STATUS efi_memattr_init(const struct region *ram_regions, unsigned nr_ram_regions)
{
	static EFI_GUID guid = EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID;
	EFI_HANDLE h = NULL;

	ram = ram_regions;
	nr_ram = nr_ram_regions;
	return InstallProtocolInterface(&h, &guid, EFI_NATIVE_INTERFACE, &memattr);
}
