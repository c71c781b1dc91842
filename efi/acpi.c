/* ACPI: QEMU's tables, loaded by its etc/table-loader script (efi/acpi_loader.c), with
 * the RSDP installed as the ACPI 2.0 configuration table (UEFI 2.10 section 4.6). The
 * device tree stays installed too: Linux on arm64 keeps using it unless told acpi=force
 * (or the tree is empty), so offering both changes nothing by default. */
#include "log.h"
#include "efi/acpi_loader.h"
#include "efi/core.h"
#include "fwcfg.h"

/*
 * Where the files go. Both zones QEMU names are satisfied below 4 GiB: "HIGH" means
 * anywhere a 32-bit pointer reaches, and the x86 F segment (FSEG, for the RSDP of BIOS
 * boots) does not exist on arm, where an RSDP is found through the configuration table.
 * The tables themselves go in EfiACPIReclaimMemory (UEFI 2.10 section 2.3.6); any other
 * file (the GHES error blocks of -M virt,ras=on, a TPM event log) holds data the OS
 * reads, and QEMU may write, for as long as the OS runs, so it goes in EfiACPIMemoryNVS,
 * which the OS never reuses.
 */
static bool is_table_file(const char *name)
{
	return !strcmp(name, "etc/acpi/tables") || !strcmp(name, ACPI_RSDP_FILE);
}

static int allocate(const char *name, uint8_t **data, uint32_t *size)
{
	EFI_PHYSICAL_ADDRESS addr = 0xffffffff;
	EFI_MEMORY_TYPE type = is_table_file(name) ? EfiACPIReclaimMemory : EfiACPIMemoryNVS;
	UINTN pages;
	uint16_t item;

	if (fwcfg_find_file(name, &item, size) || !*size) {
		err("ACPI: no fw_cfg file %s, or an empty one", name);
		return -1;
	}
	pages = EFI_SIZE_TO_PAGES(*size);
	if (AllocatePages(AllocateMaxAddress, type, pages, &addr)) {
		err("ACPI: no memory below 4 GiB for %s (%u bytes)", name, *size);
		return -1;
	}
	/* The whole pages: fw_cfg reads past the file's end as zeros, so no stale bytes
	 * follow the tables. */
	if (fwcfg_read(item, 0, (void *)addr, pages * EFI_PAGE_SIZE)) {
		FreePages(addr, pages);
		return -1;
	}
	*data = (uint8_t *)addr;
	return 0;
}

/* Tell QEMU where a file landed (the GHES error source of ras=on, vmgenid): the
 * little-endian address goes into its fw_cfg file by a DMA write. */
static int write_pointer(const char *name, uint32_t offset, uint64_t value, uint8_t size)
{
	uint32_t file_size;
	uint16_t item;

	if (fwcfg_find_file(name, &item, &file_size) || offset > file_size ||
	    size > file_size - offset) {
		err("ACPI: no fw_cfg file %s with %u bytes at %#x", name, size, offset);
		return -1;
	}
	return fwcfg_write(item, offset, &value, size);
}

static const struct acpi_loader_ops ops = { allocate, write_pointer };

static void free_blobs(const struct acpi_loader *l)
{
	for (unsigned i = 0; i < l->nr_blobs; i++)
		FreePages((uintptr_t)l->blob[i].data, EFI_SIZE_TO_PAGES(l->blob[i].size));
}

void efi_acpi_init(void)
{
	static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
	static struct acpi_loader l;
	const char *why;
	uint32_t size;
	uint16_t item;
	void *script, *rsdp = NULL;       /* set when acpi_loader_check succeeds */

	if (fwcfg_find_file("etc/table-loader", &item, &size)) {
		info("EFI-lite: no ACPI tables from QEMU (acpi=off?): device tree only");
		return;
	}
	script = efi_alloc(size);
	if (!script || fwcfg_read(item, 0, script, size)) {
		err("ACPI: cannot read etc/table-loader (%u bytes): device tree only", size);
		efi_free(script);
		return;
	}
	if (acpi_loader_run(&l, script, size, &ops, &why) || acpi_loader_check(&l, &rsdp, &why)) {
		err("ACPI: tables refused: %s: device tree only", why);
		free_blobs(&l);
	} else if (InstallConfigurationTable(&acpi20_guid, rsdp)) {
		err("ACPI: no room for the configuration table: device tree only");
		free_blobs(&l);
	} else {
		info("EFI-lite: ACPI RSDP at %p (%u files loaded)", rsdp, l.nr_blobs);
	}
	efi_free(script);
}
