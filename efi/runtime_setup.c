/* Setting up the runtime blob (include/runtime.h) at boot: its regions, its state,
 * the runtime services table, and the MMIO the OS must map for it. */
#include "log.h"
#include "efi/core.h"
#include "runtime.h"
#include "memmap.h"
#include "mmu.h"
#include "platform.h"

/* Linker symbols: the blob's load address, its end (link address), its section sizes. */
extern char __rt_lma[], __rt_end[], __rt_text_size[], __rt_data_size[];
static UINT64 rt_base;

void *rt_ptr(const void *link_address)
{
	return (char *)link_address - RT_LINK_BASE + rt_base;
}

/* One allocation keeps code and data at the distance the code expects; the data part
 * then becomes runtime data. AllocatePages sizes runtime types in 64 KiB steps. */
static void copy_blob(void)
{
	UINT64 size = (UINT64)__rt_end - RT_LINK_BASE, text = (UINT64)__rt_text_size;
	UINT64 data_pages = EFI_SIZE_TO_PAGES(size - RT_DATA_OFFSET + 0xffff) & ~15ULL;
	EFI_PHYSICAL_ADDRESS base;

	if (AllocatePages(AllocateAnyPages, EfiRuntimeServicesCode, EFI_SIZE_TO_PAGES(size), &base) ||
	    memmap_set(&memmap, base + RT_DATA_OFFSET, data_pages, EfiRuntimeServicesData,
		       memmap_find_allocated(&memmap, base)->Attribute))
		fatal("no memory for the runtime services");
	rt_base = base;
	memset((void *)base, 0, RT_DATA_OFFSET + (data_pages << EFI_PAGE_SHIFT));
	memcpy((void *)base, __rt_lma, text);
	memcpy((void *)(base + RT_DATA_OFFSET), __rt_lma + text, (UINT64)__rt_data_size);
	mmu_sync_icache_range(base, text);     /* the code was written through the data cache */
	mmu_set_prot(base, RT_DATA_OFFSET, PT_R | PT_X);
}

/* The services at their link addresses: every member after Hdr is one. */
#define NR_SERVICES 14
static const EFI_RUNTIME_SERVICES services = {
	.Hdr = { EFI_RUNTIME_SERVICES_SIGNATURE, EFI_2_100_SYSTEM_TABLE_REVISION,
		 sizeof(EFI_RUNTIME_SERVICES), 0, 0 },
	.GetTime = rt_GetTime,
	.SetTime = rt_SetTime,
	.GetWakeupTime = rt_GetWakeupTime,
	.SetWakeupTime = rt_SetWakeupTime,
	.SetVirtualAddressMap = rt_SetVirtualAddressMap,
	.ConvertPointer = rt_ConvertPointer,
	.GetVariable = rt_GetVariable,
	.GetNextVariableName = rt_GetNextVariableName,
	.SetVariable = rt_SetVariable,
	.GetNextHighMonotonicCount = rt_GetNextHighMonotonicCount,
	.ResetSystem = rt_ResetSystem,
	.UpdateCapsule = rt_UpdateCapsule,
	.QueryCapsuleCapabilities = rt_QueryCapsuleCapabilities,
	.QueryVariableInfo = rt_QueryVariableInfo,
};
_Static_assert(sizeof(services) == sizeof(services.Hdr) + NR_SERVICES * sizeof(void *),
	       "the runtime services table: a header, then the services");

/* Each service through the blob's copy of it (rt_ptr), never its link address: the
 * table relocated pointer by pointer (as void *, which GCC lets alias every pointer type). */
static void init_services(EFI_RUNTIME_SERVICES *rs)
{
	void **fn = (void **)(&rs->Hdr + 1);

	*rs = services;
	for (unsigned i = 0; i < NR_SERVICES; i++)
		fn[i] = rt_ptr(fn[i]);
	efi_table_crc(&rs->Hdr);
}

/* What works after ExitBootServices (UEFI 2.10 section 4.6.2, EFI_RT_SUPPORTED_*):
 * everything but the wakeup timer and capsules. */
#define RT_SUPPORTED 0x23f3

void efi_runtime_init(const struct platform *p)
{
	struct rt_state *state;

	copy_blob();
	state = rt_state();
	init_services(&state->rs);
	state->psci_conduit = p->psci;
	state->properties.version = 1;
	state->properties.length = sizeof(state->properties);
	state->properties.supported = RT_SUPPORTED;
	memcpy(state->vendor, u"EFI-lite", sizeof(u"EFI-lite"));
	/* The OS maps the RTC for us when the memory map says it is runtime MMIO. */
	if (p->rtc) {
		state->rtc = p->rtc;
		if (memmap_reserve(&memmap, p->rtc, 1, EfiMemoryMappedIO,
				   EFI_MEMORY_UC | EFI_MEMORY_RUNTIME))
			fatal("memory map full");
	}
	info("EFI-lite: runtime services at %#llx", (unsigned long long)rt_base);
}

/* The configuration tables about the runtime services: EFI_RT_PROPERTIES_TABLE, and the
 * Memory Attributes Table (UEFI 2.10 sections 4.6.2, 4.6.4), which tells the OS to map
 * our code read-only and every runtime data region (ours, SMBIOS ...) execute-never. */
void efi_runtime_tables(void)
{
	static EFI_GUID properties = EFI_RT_PROPERTIES_TABLE_GUID;
	static EFI_GUID attributes = EFI_MEMORY_ATTRIBUTES_TABLE_GUID;
	struct { UINT32 version, count, desc_size, flags; } *mat;
	EFI_MEMORY_DESCRIPTOR *d;
	UINTN n = 0;

	for (UINTN i = 0; i < memmap.count; i++)
		n += memmap.desc[i].Type == EfiRuntimeServicesData;
	mat = efi_pool(sizeof(*mat) + (n + 1) * sizeof(*d));
	if (!mat)
		fatal("no memory for the memory attributes table");
	*mat = (typeof(*mat)){ 1, n + 1, sizeof(*d), 0 };
	d = (EFI_MEMORY_DESCRIPTOR *)(mat + 1);
	*d++ = (EFI_MEMORY_DESCRIPTOR){ EfiRuntimeServicesCode, 0, rt_base, 0,
					RT_DATA_OFFSET >> EFI_PAGE_SHIFT,
					EFI_MEMORY_RUNTIME | EFI_MEMORY_RO };
	for (UINTN i = 0; i < memmap.count; i++)
		if (memmap.desc[i].Type == EfiRuntimeServicesData) {
			*d = memmap.desc[i];
			d++->Attribute = EFI_MEMORY_RUNTIME | EFI_MEMORY_XP;
		}
	InstallConfigurationTable(&properties, &rt_state()->properties);
	InstallConfigurationTable(&attributes, mat);
}
