/* The system table, configuration tables and table CRCs (UEFI 2.10 sections 4, 7.3.9). */
#include <libfdt.h>
#include "console.h"
#include "crc32.h"
#include "efi/core.h"
#include "efi/runtime.h"
#include "fwcfg.h"
#include "memmap.h"
#include "platform.h"

EFI_SYSTEM_TABLE *efi_st;

UINT32 efi_crc32(const void *data, UINTN size)
{
	return crc32(data, size);
}

EFI_STATUS EFIAPI CalculateCrc32(VOID *data, UINTN size, UINT32 *crc)
{
	if (!data || !size || !crc)
		return EFI_INVALID_PARAMETER;
	*crc = efi_crc32(data, size);
	return EFI_SUCCESS;
}

void efi_table_crc(EFI_TABLE_HEADER *hdr)
{
	hdr->CRC32 = 0;
	hdr->CRC32 = efi_crc32(hdr, hdr->HeaderSize);
}

EFI_STATUS EFIAPI InstallConfigurationTable(EFI_GUID *guid, VOID *table)
{
	EFI_CONFIGURATION_TABLE *t = efi_st->ConfigurationTable;
	UINTN i, n = efi_st->NumberOfTableEntries;

	if (!guid)
		return EFI_INVALID_PARAMETER;
	for (i = 0; i < n && !efi_guid_eq(&t[i].VendorGuid, guid); i++)
		;
	if (i == n && !table)
		return EFI_NOT_FOUND;
	if (i == n && n == RT_MAX_CONFIG_TABLES)
		return EFI_OUT_OF_RESOURCES;
	if (table) {
		t[i].VendorGuid = *guid;
		t[i].VendorTable = table;
		if (i == n)
			efi_st->NumberOfTableEntries++;
	} else {
		memmove(&t[i], &t[i + 1], (n - i - 1) * sizeof(*t));
		efi_st->NumberOfTableEntries--;
	}
	efi_table_crc(&efi_st->Hdr);
	return EFI_SUCCESS;
}

/* The system table lives in the runtime blob: the OS reads it after ExitBootServices. */
void efi_systab_init(EFI_HANDLE console)
{
	struct rt_state *state = rt_state();

	efi_st = &state->st;
	efi_st->Hdr = (EFI_TABLE_HEADER){ EFI_SYSTEM_TABLE_SIGNATURE, EFI_2_100_SYSTEM_TABLE_REVISION,
					  sizeof(*efi_st), 0, 0 };
	efi_st->FirmwareVendor = state->vendor;
	efi_st->FirmwareRevision = 1;
	efi_st->ConsoleInHandle = efi_st->ConsoleOutHandle = efi_st->StandardErrorHandle = console;
	efi_st->ConIn = &efi_conin;
	efi_st->ConOut = efi_st->StdErr = &efi_conout;
	efi_st->RuntimeServices = &state->rs;
	efi_st->BootServices = &efi_bs;
	efi_st->ConfigurationTable = state->config;
	efi_table_crc(&efi_st->Hdr);
}

/* The seeds QEMU put in /chosen went into our RNG: the kernel must not credit the same
 * bytes again, so the copy it gets carries fresh generator output instead. */
static void replace_seeds(void *fdt)
{
	static const char *const names[] = { "rng-seed", "kaslr-seed" };
	int chosen = fdt_path_offset(fdt, "/chosen"), len;

	for (unsigned i = 0; chosen >= 0 && i < sizeof(names) / sizeof(names[0]); i++) {
		void *seed = (void *)fdt_getprop(fdt, chosen, names[i], &len);

		if (seed && len > 0)
			efi_random(seed, len);
	}
}

/* The DTB as a configuration table, in its own allocation: QEMU's copy sits in a 1 MiB
 * blob that is mostly empty, so only the used part is copied, with some room to grow. */
static void install_fdt(const void *fdt)
{
	static EFI_GUID guid = EFI_DEVICE_TREE_GUID;
	UINT32 used = fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt);
	UINT32 size = used + 0x4000;
	void *copy;

	if (used > fdt_totalsize(fdt) || fdt_off_dt_struct(fdt) > fdt_off_dt_strings(fdt) ||
	    AllocatePool(EfiBootServicesData, size, &copy))
		fatal("cannot copy the device tree");
	memcpy(copy, fdt, used);
	fdt_set_totalsize(copy, size);
	replace_seeds(copy);
	efi_var_flash_fdt(copy);
	InstallConfigurationTable(&guid, copy);
}

void efi_init(const struct platform *p)
{
	EFI_HANDLE console = NULL;

	efi_boot_services_init();
	efi_runtime_init(p);
	efi_var_flash_init(p);
	if (efi_console_init(&console))
		fatal("cannot install the console protocols");
	efi_systab_init(console);
	efi_variables_init();
	efi_image_init();
	if (efi_memattr_init())
		fatal("cannot install EFI_MEMORY_ATTRIBUTE_PROTOCOL");
	if (efi_devpath_init())
		fatal("cannot install EFI_DEVICE_PATH_UTILITIES_PROTOCOL");
	if (efi_rng_init(p->rng_seed, p->rng_seed_len))
		warn("no entropy (no rng-seed, no RNDR): EFI_RNG_PROTOCOL not offered");
	install_fdt(p->fdt);
	if (!p->fwcfg || fwcfg_init(p->fwcfg))
		fatal("no usable fw_cfg device: cannot load a kernel");
	efi_acpi_init();
	efi_smbios_init();
	/* Last: the Memory Attributes Table lists every runtime region made so far. */
	efi_runtime_tables();
}
