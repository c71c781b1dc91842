/* The EFI memory map at boot: RAM from the device tree, minus what is reserved or ours. */
#include "log.h"
#include "layout.h"
#include "memmap.h"
#include "mmu.h"

#define RAM_ATTRS (EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB)

/* Fixed: the reserved ranges, the DTB, our data, and the RTC (efi/runtime_setup.c). */
_Static_assert(PLAT_MAX_RESERVED + 3 <= MEMMAP_FIXED_MAX, "fixed ranges do not fit the map");

struct memmap memmap;

/* Describe [base, end) in whole pages. A fixed range is the platform's: FreePages can
 * never take it, whatever its type. */
static void set(uint64_t base, uint64_t end, UINT32 type, bool fixed, const char *what)
{
	UINT64 pages;
	EFI_STATUS status;

	base &= ~0xfffULL;
	pages = PAGES(end - base);
	status = fixed ? memmap_reserve(&memmap, base, pages, type, RAM_ATTRS) :
			 memmap_set(&memmap, base, pages, type, RAM_ATTRS);
	if (status)
		fatal("memory map full describing %s", what);
}

void memory_init(const struct platform *p)
{
	memmap_init(&memmap);
	for (unsigned i = 0; i < p->nr_ram; i++)
		set(p->ram[i].base, p->ram[i].base + p->ram[i].size, EfiConventionalMemory,
		    false, "RAM");
	for (unsigned i = 0; i < p->nr_reserved; i++)
		set(p->reserved[i].base, p->reserved[i].base + p->reserved[i].size,
		    EfiReservedMemoryType, true, "reserved memory");
	/* The DTB as QEMU left it, and the firmware's stacks, data and guard page. */
	set(DTB_BASE, DTB_BASE + p->fdt_size, EfiBootServicesData, true, "the DTB");
	set(FWRAM_BASE - 4096, (uint64_t)__fwdata_end, EfiBootServicesData, true,
	    "firmware data");
}
