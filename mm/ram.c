/* The EFI memory map at boot: RAM from the device tree, minus what is reserved or ours. */
#include "log.h"
#include "layout.h"
#include "memmap.h"
#include "mmu.h"

#define RAM_ATTRS (EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB)
#define STR_(x) #x
#define STR(x)  STR_(x)
/* Free RAM the UEFI core needs for its own tables and pools, and below which a
 * payload is unlikely to fit (a distribution kernel alone is 30 MiB). */
#define MIN_FREE_KIB   4096
#define LOW_FREE_KIB   65536

/* Fixed: the reserved ranges, the DTB, our data, and the RTC (efi/runtime_setup.c). */
_Static_assert(PLAT_MAX_RESERVED + 3 <= MEMMAP_FIXED_MAX, "fixed ranges do not fit the map");

struct memmap memmap;

/* Describe [base, end) in whole pages. A fixed range is the platform's: FreePages can
 * never take it, whatever its type. */
static void set(uint64_t base, uint64_t end, UINT32 type, bool fixed, const char *what,
		const char *name)
{
	UINT64 pages;
	EFI_STATUS status;

	base &= ~0xfffULL;
	pages = PAGES(end - base);
	status = fixed ? memmap_reserve(&memmap, base, pages, type, RAM_ATTRS) :
			 memmap_set(&memmap, base, pages, type, RAM_ATTRS);
	if (status)
		fatal("memory map full (MEMMAP_MAX " STR(MEMMAP_MAX) " descriptors, "
		      "MEMMAP_FIXED_MAX " STR(MEMMAP_FIXED_MAX) " fixed ranges) describing %s%s",
		      what, name ? name : "");
}

static bool overlaps(const struct region *r, uint64_t base, uint64_t end)
{
	return r->base < end && base < r->base + r->size;
}

static const char *rsv_kind(const struct region *r)
{
	return r->name ? "/reserved-memory/" : "/memreserve/";
}

/* A reservation over the firmware's stacks, data and early heap claims memory EFI-lite
 * is already using: nothing can honour it, and the translation tables would find no
 * room. Name it rather than fail later for want of memory. */
static void check_reserved(const struct platform *p)
{
	for (unsigned i = 0; i < p->nr_reserved; i++) {
		const struct region *r = &p->reserved[i];

		if (overlaps(r, FWRAM_BASE - 4096, FWRAM_END))
			fatal("device tree: reserved memory %s%s %#llx-%#llx covers EFI-lite's own "
			      "memory %#x-%#x: EFI-lite cannot run with it",
			      rsv_kind(r), r->name ? r->name : "entry", (unsigned long long)r->base,
			      (unsigned long long)(r->base + r->size - 1), FWRAM_BASE - 4096,
			      FWRAM_END - 1);
	}
}

/* With the reservations subtracted, RAM must be left for the UEFI core (or nothing
 * works) and for the payload (or it will not load): name the largest reservation. */
static void check_free(const struct platform *p)
{
	UINT64 kib = memmap_pages_of(&memmap, EfiConventionalMemory) * 4;
	const struct region *big = NULL;

	if (kib >= LOW_FREE_KIB || !p->nr_reserved)
		return;
	for (unsigned i = 0; i < p->nr_reserved; i++)
		if (!big || p->reserved[i].size > big->size)
			big = &p->reserved[i];
	if (kib < MIN_FREE_KIB)
		fatal("device tree: reserved memory leaves %llu KiB of RAM free, %u KiB needed; "
		      "the largest reservation is %s%s %#llx-%#llx", (unsigned long long)kib,
		      MIN_FREE_KIB, rsv_kind(big), big->name ? big->name : "entry",
		      (unsigned long long)big->base,
		      (unsigned long long)(big->base + big->size - 1));
	warn("device tree: reserved memory leaves only %llu KiB of RAM free; the largest "
	     "reservation is %s%s %#llx-%#llx", (unsigned long long)kib, rsv_kind(big),
	     big->name ? big->name : "entry", (unsigned long long)big->base,
	     (unsigned long long)(big->base + big->size - 1));
}

void memory_init(const struct platform *p)
{
	memmap_init(&memmap);
	for (unsigned i = 0; i < p->nr_ram; i++)
		set(p->ram[i].base, p->ram[i].base + p->ram[i].size, EfiConventionalMemory,
		    false, "RAM", NULL);
	check_reserved(p);
	for (unsigned i = 0; i < p->nr_reserved; i++)
		set(p->reserved[i].base, p->reserved[i].base + p->reserved[i].size,
		    EfiReservedMemoryType, true, p->reserved[i].name ? "/reserved-memory/" :
		    "a /memreserve/ entry", p->reserved[i].name);
	/* The DTB as QEMU left it, and the firmware's stacks, data and guard page. */
	set(DTB_BASE, DTB_BASE + p->fdt_size, EfiBootServicesData, true, "the DTB", NULL);
	set(FWRAM_BASE - 4096, (uint64_t)__fwdata_end, EfiBootServicesData, true,
	    "firmware data", NULL);
	check_free(p);
}
