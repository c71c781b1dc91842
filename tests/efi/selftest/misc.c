/* The system table, CRC32, configuration tables and the small boot services
 * (UEFI 2.10 sections 4 and 7.5). */
#include "selftest.h"

static BOOLEAN header_ok(EFI_TABLE_HEADER *hdr, UINT64 signature, UINTN min_size)
{
	return hdr->Signature == signature && hdr->HeaderSize >= min_size &&
	       hdr->Revision >= (2 << 16) && header_crc_ok(hdr);
}

static enum result tables(void)
{
	void *p;

	CHECK(header_ok(&ST->Hdr, EFI_SYSTEM_TABLE_SIGNATURE, sizeof(*ST)));
	CHECK(header_ok(&BS->Hdr, EFI_BOOT_SERVICES_SIGNATURE, sizeof(*BS)));
	CHECK(header_ok(&RT->Hdr, EFI_RUNTIME_SERVICES_SIGNATURE, sizeof(*RT)));
	CHECK(ST->FirmwareVendor && ST->FirmwareVendor[0]);
	CHECK(ST->ConOut && ST->StdErr && ST->ConIn);
	EXPECT(BS->HandleProtocol(ST->ConsoleOutHandle, &gEfiSimpleTextOutProtocolGuid, &p),
	       EFI_SUCCESS);
	EXPECT(BS->HandleProtocol(ST->ConsoleInHandle, &gEfiSimpleTextInProtocolGuid, &p),
	       EFI_SUCCESS);
	return PASS;
}

static enum result crc(void)
{
	static const struct { const char *s; UINT32 crc; } v[] = {
		{ "123456789", 0xcbf43926 },
		{ "a", 0xe8b7be43 },
		{ "The quick brown fox jumps over the lazy dog", 0x414fa339 },
	};
	UINT8 bytes[256];
	UINT32 c;

	for (UINTN i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		EXPECT(BS->CalculateCrc32((void *)v[i].s, strlena((CHAR8 *)v[i].s), &c),
		       EFI_SUCCESS);
		if (c != v[i].crc)
			return fail(L"CRC32 of \"%a\" is %x, not %x", v[i].s, (UINTN)c,
				    (UINTN)v[i].crc);
	}
	for (UINTN i = 0; i < sizeof(bytes); i++)
		bytes[i] = i;
	EXPECT(BS->CalculateCrc32(bytes, sizeof(bytes), &c), EFI_SUCCESS);
	CHECK(c == 0x29058c73 && crc32(bytes, sizeof(bytes)) == c);
	EXPECT(BS->CalculateCrc32(bytes, 0, &c), EFI_INVALID_PARAMETER);
	EXPECT(BS->CalculateCrc32(NULL, 1, &c), EFI_INVALID_PARAMETER);
	EXPECT(BS->CalculateCrc32(bytes, 1, NULL), EFI_INVALID_PARAMETER);
	return PASS;
}

static EFI_GUID table_guid = SELFTEST_GUID(0x20);

static void *find_table(void)
{
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
		if (guid_eq(&ST->ConfigurationTable[i].VendorGuid, &table_guid))
			return ST->ConfigurationTable[i].VendorTable;
	return NULL;
}

static enum result config_teardown(void)
{
	if (find_table())
		BS->InstallConfigurationTable(&table_guid, NULL);
	return PASS;
}

/* Add, replace, remove; the system table's CRC follows (InstallConfigurationTable, section 7.5). */
static enum result config_tables(void)
{
	static UINT64 x, y;
	UINTN n = ST->NumberOfTableEntries;

	EXPECT(BS->InstallConfigurationTable(&table_guid, &x), EFI_SUCCESS);
	CHECK(ST->NumberOfTableEntries == n + 1 && find_table() == &x);
	CHECK(header_ok(&ST->Hdr, EFI_SYSTEM_TABLE_SIGNATURE, sizeof(*ST)));
	EXPECT(BS->InstallConfigurationTable(&table_guid, &y), EFI_SUCCESS);
	CHECK(ST->NumberOfTableEntries == n + 1 && find_table() == &y);
	EXPECT(BS->InstallConfigurationTable(&table_guid, NULL), EFI_SUCCESS);
	CHECK(ST->NumberOfTableEntries == n && !find_table());
	CHECK(header_ok(&ST->Hdr, EFI_SYSTEM_TABLE_SIGNATURE, sizeof(*ST)));
	EXPECT(BS->InstallConfigurationTable(&table_guid, NULL), EFI_NOT_FOUND);
	EXPECT(BS->InstallConfigurationTable(NULL, &x), EFI_INVALID_PARAMETER);
	return PASS;
}

/* Stall against the generic timer: never short, and not grossly long (the bound allows
 * for a loaded host: QEMU's counter follows the host's clock). */
static enum result stall(void)
{
	static const UINTN us[] = { 1000, 10000, 100000 };

	for (UINTN i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
		UINT64 start = now_us(), took;

		EXPECT(BS->Stall(us[i]), EFI_SUCCESS);
		took = now_us() - start;
		if (took < us[i] || took > 5 * us[i] + 100000)
			return fail(L"Stall(%d) took %d us", us[i], took);
	}
	return PASS;
}

static enum result monotonic(void)
{
	UINT64 a, b;

	EXPECT(BS->GetNextMonotonicCount(&a), EFI_SUCCESS);
	EXPECT(BS->GetNextMonotonicCount(&b), EFI_SUCCESS);
	CHECK(b > a);
	EXPECT(BS->GetNextMonotonicCount(NULL), EFI_INVALID_PARAMETER);
	return PASS;
}

/* CopyMem handles overlap either way, as memmove does (CopyMem, section 7.5). */
static enum result copy_set_mem(void)
{
	UINT8 b[16];

	for (UINTN i = 0; i < sizeof(b); i++)
		b[i] = i;
	BS->CopyMem(b + 1, b, 8);
	CHECK(b[0] == 0 && b[1] == 0 && b[8] == 7 && b[9] == 9);
	BS->CopyMem(b, b + 1, 8);
	CHECK(b[0] == 0 && b[1] == 1 && b[7] == 7 && b[8] == 7);
	BS->SetMem(b + 2, 4, 0xa5);
	CHECK(b[1] == 1 && b[2] == 0xa5 && b[5] == 0xa5 && b[6] == 6);
	return PASS;
}

/* Codes up to 0xffff are the firmware's; an image arms and disarms with its own. */
static enum result watchdog(void)
{
	EXPECT(BS->SetWatchdogTimer(600, 0x10000, 0, NULL), EFI_SUCCESS);
	EXPECT(BS->SetWatchdogTimer(0, 0x10000, 0, NULL), EFI_SUCCESS);
	return PASS;
}

/* GRUB disarms the watchdog with code 0: SetWatchdogTimer(0, 0, 0, NULL). */
static enum result watchdog_off_code0(void)
{
	EXPECT(BS->SetWatchdogTimer(0, 0, 0, NULL), EFI_SUCCESS);
	return PASS;
}

const struct selftest misc_tests[] = {
	{ L"misc.tables", NULL, tables },
	{ L"misc.crc32", NULL, crc },
	{ L"misc.config_tables", NULL, config_tables, config_teardown },
	{ L"misc.stall", NULL, stall },
	{ L"misc.monotonic", NULL, monotonic },
	{ L"misc.copy_set_mem", NULL, copy_set_mem },
	{ L"misc.watchdog", NULL, watchdog },
	{ L"misc.watchdog_off_code0", NULL, watchdog_off_code0 },
	{ NULL }
};
