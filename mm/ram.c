/* The EFI memory map at boot: RAM from the device tree, minus what is reserved or ours. */
#include "console.h"
#include "layout.h"
#include "memmap.h"
#include "mmu.h"

#define RAM_ATTRS (EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB)

struct memmap memmap;

static void set(uint64_t base, uint64_t end, UINT32 type, const char *what)
{
	base &= ~0xfffULL;
	end = (end + 0xfff) & ~0xfffULL;
	if (memmap_set(&memmap, base, (end - base) >> 12, type, RAM_ATTRS))
		fatal("memory map full describing %s", what);
}

void memory_init(const struct platform *p)
{
	memmap_init(&memmap);
	for (unsigned i = 0; i < p->nr_ram; i++)
		set(p->ram[i].base, p->ram[i].base + p->ram[i].size, EfiConventionalMemory, "RAM");
	for (unsigned i = 0; i < p->nr_reserved; i++)
		set(p->reserved[i].base, p->reserved[i].base + p->reserved[i].size,
		    EfiReservedMemoryType, "reserved memory");
	/* The DTB as QEMU left it, and the firmware's stacks, data and guard page. */
	set(DTB_BASE, DTB_BASE + p->fdt_size, EfiBootServicesData, "the DTB");
	set(FWRAM_BASE - 4096, (uint64_t)__fwdata_end, EfiBootServicesData, "firmware data");
}
