/* The device tree the OS gets: QEMU's, as the DEVICE_TREE_GUID configuration table. */
#include <libfdt.h>
#include "log.h"
#include "efi/core.h"
#include "util.h"

/* The seeds QEMU put in /chosen went into our RNG: the kernel must not credit the same
 * bytes again, so the copy it gets carries fresh generator output instead. */
static void replace_seeds(void *fdt)
{
	static const char *const names[] = { "rng-seed", "kaslr-seed" };
	int chosen = fdt_path_offset(fdt, "/chosen"), len;

	for (unsigned i = 0; chosen >= 0 && i < ARRAY_SIZE(names); i++) {
		void *seed = (void *)fdt_getprop(fdt, chosen, names[i], &len);

		if (seed && len > 0)
			efi_random(seed, len);
	}
}

/* The DTB as a configuration table, in its own allocation: QEMU's copy sits in a 1 MiB
 * blob that is mostly empty, so only the used part is copied, with some room to grow. */
void efi_install_fdt(const void *fdt)
{
	UINT32 used = fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt);
	UINT32 size = used + 0x4000;
	void *copy;

	if (used > fdt_totalsize(fdt) || fdt_off_dt_struct(fdt) > fdt_off_dt_strings(fdt) ||
	    !(copy = efi_pool(size)))
		fatal("cannot copy the device tree");
	memcpy(copy, fdt, used);
	fdt_set_totalsize(copy, size);
	replace_seeds(copy);
	efi_var_flash_fdt(copy);
	InstallConfigurationTable(&efi_device_tree_guid, copy);
}
