/*
 * ExitBootServices (UEFI 2.10 section 7.4.6), the last thing the self-test does: first
 * with a stale map key, which must be refused, as the last registered case; then, after
 * the summary, with a fresh one. After a refused call only memory services may be used
 * (besides ConOut, which the firmware keeps working); after a successful one there is no
 * ConOut, so the result goes straight to QEMU virt's PL011, and the machine is powered
 * off through the runtime ResetSystem, or PSCI when the firmware says that does not work.
 */
#include "selftest.h"

#define PL011_DR        ((volatile UINT32 *)0x09000000)
#define PL011_FR        ((volatile UINT32 *)0x09000018)
#define PL011_FR_TXFF   (1 << 5)
#define PSCI_SYSTEM_OFF 0x84000008

static void uart_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			uart_puts("\r");
		while (*PL011_FR & PL011_FR_TXFF)
			;
		*PL011_DR = *s;
	}
}

/* QEMU virt without EL2 or EL3 firmware takes PSCI calls by HVC. */
static void __attribute__((noreturn)) psci_system_off(void)
{
	register UINT64 x0 asm("x0") = PSCI_SYSTEM_OFF;

	asm volatile("hvc #0" : "+r"(x0) : : "memory");
	for (;;)
		;
}

/* Whether ResetSystem still works after ExitBootServices (section 4.6.2): yes unless an
 * EFI_RT_PROPERTIES_TABLE says otherwise. */
static BOOLEAN reset_works_at_runtime(void)
{
	static EFI_GUID guid = EFI_RT_PROPERTIES_TABLE_GUID;
	struct { UINT16 version, length; UINT32 supported; } *props;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		if (guid_eq(&ST->ConfigurationTable[i].VendorGuid, &guid)) {
			props = ST->ConfigurationTable[i].VendorTable;
			return (props->supported & EFI_RT_SUPPORTED_RESET_SYSTEM) != 0;
		}
	}
	return TRUE;
}

static void __attribute__((noreturn)) power_off(void)
{
	if (reset_works_at_runtime())
		RT->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	psci_system_off();
}

/* The memory map must be current: a change since GetMemoryMap makes the key stale. */
static enum result stale_key(void)
{
	EFI_MEMORY_DESCRIPTOR *map;
	EFI_PHYSICAL_ADDRESS page;
	UINTN size, key, dsize;
	EFI_STATUS s;

	map = memory_map(&size, &key, &dsize);
	CHECK(map);
	EXPECT(BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &page), EFI_SUCCESS);
	s = BS->ExitBootServices(self, key);
	if (s == EFI_SUCCESS) {
		uart_puts("FAIL ebs.stale_key: ExitBootServices took a stale map key\n");
		power_off();
	}
	BS->FreePages(page, 1);
	BS->FreePool(map);
	if (s != EFI_INVALID_PARAMETER)
		return fail(L"ExitBootServices: %r", s);
	return PASS;
}

/* The fields section 7.4.6 has the firmware clear, and the CRC it must then redo. */
static BOOLEAN system_table_cleared(void)
{
	return !ST->BootServices && !ST->ConIn && !ST->ConOut && !ST->StdErr &&
	       !ST->ConsoleInHandle && !ST->ConsoleOutHandle && !ST->StandardErrorHandle &&
	       header_crc_ok(&ST->Hdr);
}

EFI_STATUS exit_boot_services(void)
{
	EFI_MEMORY_DESCRIPTOR *map;
	UINTN size, key, dsize;
	EFI_STATUS s = EFI_ABORTED;

	/* The spec lets ExitBootServices fail again if the map changed meanwhile. */
	for (int tries = 0; tries < 3; tries++) {
		map = memory_map(&size, &key, &dsize);
		if (!map)
			break;
		s = BS->ExitBootServices(self, key);
		if (s != EFI_INVALID_PARAMETER)
			break;
	}
	if (s) {
		Print(L"ExitBootServices: %r\n", s);
		return s;
	}
	uart_puts(system_table_cleared() ? "ExitBootServices: ok\n" :
		  "ExitBootServices: the system table still holds boot-time fields\n");
	power_off();
}

const struct selftest ebs_tests[] = {
	{ L"ebs.stale_key", NULL, stale_key },
	{ NULL }
};
