/*
 * Where the NV variables live: the first VS_SECTORS 256 KiB sectors of the cfi-flash
 * node's second bank (QEMU's `-drive if=pflash,unit=1`). The store itself is runtime
 * code (runtime/varstore.c); this sets it up at boot, gives the OS the region as
 * runtime MMIO to map for SetVariable, and keeps Linux's own flash driver off it.
 * Without a usable bank the variables stay in RAM, as the warning says.
 */
#include <libfdt.h>
#include "dt_edit.h"
#include "log.h"
#include "timer.h"
#include "efi/core.h"
#include "runtime.h"
#include "memmap.h"
#include "platform.h"
#include "../runtime/varstore.h"      /* the store format: private to runtime/ and here */

#define SECTOR_SIZE 0x40000             /* virt's pflash: 256 KiB erase blocks */
#define STORE_SIZE  (VS_SECTORS * SECTOR_SIZE)

static bool in_use;

void efi_var_flash_init(const struct platform *p)
{
	struct vs_flash f = { p->flash1, SECTOR_SIZE };
	uint64_t t0 = timer_us();
	int s;

	if (!p->flash1 || p->flash1_size < STORE_SIZE) {
		warn("variables: no flash bank 1 in the device tree: NV variables last until reset");
		return;
	}
	s = RT_CALL(rt_variables_load)(&f);
	if (s == VS_ERROR) {
		warn("variables: flash bank 1 at %#llx is read-only or not responding: "
		     "changes to NV variables last until reset", (unsigned long long)p->flash1);
		return;
	}
	if (s == VS_FORMATTED)
		info("variables: no store in flash bank 1 at %#llx (blank or foreign): formatted",
		     (unsigned long long)p->flash1);
	else
		info("variables: NV store in flash bank 1 at %#llx, read in %llu us",
		     (unsigned long long)p->flash1, (unsigned long long)(timer_us() - t0));
	/* The OS maps it for the runtime SetVariable, uncached as the device needs. */
	if (memmap_reserve(&memmap, p->flash1, EFI_SIZE_TO_PAGES(STORE_SIZE),
			   EfiMemoryMappedIO, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME))
		fatal("memory map full");
	in_use = true;
}

/* As EDK2 does: a flash node the OS would bind a driver to is marked disabled, so
 * nothing but our runtime services sends commands to the bank. (This hides bank 0 as
 * well: the OS has no business with the firmware's code either.) */
void efi_var_flash_fdt(void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "cfi-flash");

	if (in_use && node >= 0 && dt_setprop(fdt, node, "status", "disabled", sizeof("disabled")))
		warn("variables: cannot disable the flash node in the OS's device tree");
}
