/* SMBIOS: QEMU's structures (-smbios options included) under a 64-bit entry point, as
 * the SMBIOS3_TABLE_GUID configuration table (UEFI 2.10 section 4.6; the assembly is
 * efi/smbios_build.c). */
#include "log.h"
#include "efi/core.h"
#include "efi/smbios.h"
#include "version.h"
#include "fwcfg.h"

static const struct smbios_bios_info bios = { "EFI-lite", efilite_version, efilite_date };

/*
 * Entry point, type 0 room and table in one allocation of EfiRuntimeServicesData: the
 * OS reads them after ExitBootServices (Linux's DMI code runs long after), so they must
 * not be in memory it reclaims, and runtime data is where EDK2's SmbiosDxe (and so
 * ArmVirtQemu) puts them, for the OS to map like other firmware data.
 */
void efi_smbios_init(void)
{
	static EFI_GUID smbios3_guid = SMBIOS3_TABLE_GUID;
	uint8_t anchor[0x20];           /* either entry point: 0x18 or 0x1f bytes */
	uint16_t anchor_item, table_item;
	uint32_t anchor_size, table_size;
	UINTN head = sizeof(struct smbios3_entry_point) + smbios_type0_size(&bios), pages;
	EFI_PHYSICAL_ADDRESS addr;
	const char *why;

	if (fwcfg_find_file("etc/smbios/smbios-anchor", &anchor_item, &anchor_size) ||
	    fwcfg_find_file("etc/smbios/smbios-tables", &table_item, &table_size)) {
		info("EFI-lite: no SMBIOS tables from QEMU");
		return;
	}
	if (anchor_size > sizeof(anchor)) {
		err("SMBIOS: an anchor of %u bytes is no entry point", anchor_size);
		return;
	}
	pages = EFI_SIZE_TO_PAGES(head + table_size);
	if (AllocatePages(AllocateAnyPages, EfiRuntimeServicesData, pages, &addr)) {
		err("SMBIOS: no memory for a table of %u bytes", table_size);
		return;
	}
	if (fwcfg_read(anchor_item, 0, anchor, anchor_size) ||
	    fwcfg_read(table_item, 0, (uint8_t *)addr + head, table_size))
		goto fail;
	if (smbios_build((uint8_t *)addr, table_size, anchor, anchor_size, &bios, &why)) {
		err("SMBIOS: QEMU's tables refused: %s", why);
		goto fail;
	}
	if (InstallConfigurationTable(&smbios3_guid, (void *)addr)) {
		err("SMBIOS: no room for the configuration table");
		goto fail;
	}
	info("EFI-lite: SMBIOS %u.%u entry point at %#llx", ((uint8_t *)addr)[7], ((uint8_t *)addr)[8],
	     (unsigned long long)addr);
	return;
fail:
	FreePages(addr, pages);
}
