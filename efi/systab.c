/* The system table's configuration tables and the table CRCs (UEFI 2.10 sections 4,
 * 7.3.9). The table itself lives in the runtime blob; boot/main.c fills it in. */
#include "crc32.h"
#include "efi/core.h"
#include "runtime.h"

EFI_SYSTEM_TABLE *efi_st;

EFI_STATUS EFIAPI CalculateCrc32(VOID *data, UINTN size, UINT32 *crc)
{
	if (!data || !size || !crc)
		return EFI_INVALID_PARAMETER;
	*crc = crc32(data, size);
	return EFI_SUCCESS;
}

void efi_table_crc(EFI_TABLE_HEADER *hdr)
{
	hdr->CRC32 = 0;
	hdr->CRC32 = crc32(hdr, hdr->HeaderSize);
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
