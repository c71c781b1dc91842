/*
 * The boot menu, on the serial console: the boot manager's list, numbered, for as long
 * as the timeout says. The timeout is QEMU's when it is given -boot menu=on (its
 * splash-time in ms, 3 s without one, as EDK2 does), otherwise the Timeout variable
 * (efibootmgr -t; 0 boots at once, 0xFFFF waits for a key). A digit picks an entry,
 * Enter boots the first, any other key stops the countdown.
 */
#include "efi/boot.h"
#include "fwcfg.h"
#include "log.h"
#include "timer.h"

#define FW_CFG_BOOT_MENU 0x0e           /* le16: 1 with -boot menu=on */
#define MENU_DEFAULT_MS  3000
#define MENU_ENTRIES     9              /* one digit each */
#define WAIT_FOREVER     0xffff

/* The timeout in ms; UINT64_MAX waits for a key. */
static UINT64 timeout_ms(void)
{
	UINT16 item, ms = 0, *timeout;
	UINT32 size;
	UINTN vsize;
	UINT64 t = 0;

	if (fwcfg_read_le32(FW_CFG_BOOT_MENU) & 0xffff) {
		if (fwcfg_find_file("etc/boot-menu-wait", &item, &size) || size != 2 ||
		    fwcfg_read(item, 0, &ms, 2))
			ms = MENU_DEFAULT_MS;
		return ms;
	}
	if ((timeout = efi_global_var(u"Timeout", &vsize))) {
		if (vsize == sizeof(*timeout))
			t = *timeout == WAIT_FOREVER ? UINT64_MAX : *timeout * 1000ULL;
		efi_free(timeout);
	}
	return t;
}

/* A key within ms (or forever): its character, or 0 when time ran out. */
static CHAR16 wait_key(UINT64 ms)
{
	UINT64 end = ms == UINT64_MAX ? UINT64_MAX : timer_us() + ms * 1000;
	EFI_INPUT_KEY key;

	while (timer_us() < end)
		if (!efi_conin.ReadKeyStroke(&efi_conin, &key))
			return key.UnicodeChar ? key.UnicodeChar : 0x1b;
	return 0;
}

unsigned boot_menu(const struct boot_list *l)
{
	UINT64 ms = timeout_ms();
	unsigned shown = l->n < MENU_ENTRIES ? l->n : MENU_ENTRIES;
	CHAR16 c;

	if (!ms || !l->n)
		return 0;
	printf("EFI-lite boot menu:\n");
	for (unsigned i = 0; i < shown; i++) {
		printf("  %u. ", i + 1);
		boot_entry_print("", &l->e[i], "\n");
	}
	printf("Press 1-%u to boot that entry, Enter for 1", shown);
	if (ms != UINT64_MAX)
		printf("; 1 boots in %llu ms", (unsigned long long)ms);
	printf(".\n");
	for (c = wait_key(ms); c; c = wait_key(UINT64_MAX)) {
		if (c >= '1' && c < '1' + shown)
			return c - '1';
		if (c == '\r' || c == '\n')
			return 0;
		/* any other key: the countdown stops, the menu waits for a choice */
	}
	return 0;
}
