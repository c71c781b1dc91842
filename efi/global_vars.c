/*
 * The variables an OS expects to find (UEFI 2.10 section 3.3): boot manager variables
 * describing the one boot option EFI-lite has (the -kernel in fw_cfg), the platform
 * language, and the Secure Boot state told honestly: EFI-lite has no Secure Boot, so
 * SecureBoot is 0 and, with no Platform Key enrolled, SetupMode is 1. Those that
 * describe the firmware itself are read-only.
 */
#include "log.h"
#include "efi/core.h"
#include "runtime.h"
#include "efi/load_option.h"

#define RO EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS
#define NV EFI_VARIABLE_NON_VOLATILE | RO

static EFI_GUID global = EFI_GLOBAL_VARIABLE;

static EFI_STATUS get(const CHAR16 *name, UINTN *size, void *buf)
{
	return RT_CALL(rt_GetVariable)((CHAR16 *)name, &global, NULL, size, buf);
}

/* The variables that describe the firmware (RO: boot and runtime access) are
 * read-only; the others (NV) the OS may change. */
static void set(const CHAR16 *name, UINTN size, const void *data, bool readonly)
{
	EFI_STATUS s = readonly ?
		RT_CALL(rt_variable_set_readonly)(name, &global, RO, size, data) :
		RT_CALL(rt_SetVariable)((CHAR16 *)name, &global, NV, size, (void *)data);

	if (s)
		fatal("cannot set a firmware variable: %s", efi_status_str(s));
}

/* An NV setting the user may have changed (efibootmgr -t ...): kept if it is there. */
static void set_default(const CHAR16 *name, UINTN size, const void *data)
{
	UINTN have = 0;

	if (get(name, &have, NULL) != EFI_BUFFER_TOO_SMALL)
		set(name, size, data, false);
}

void efi_global_vars_init(void)
{
	static const UINT8 secure_boot = 0, setup_mode = 1;
	static const UINT64 os_indications = 0;
	static const UINT16 timeout = 0;
	/* Boot#### may name applications; no hot keys (Key####), no SysPrep####. */
	static const UINT32 boot_option_support = EFI_BOOT_OPTION_SUPPORT_APP;

	set(u"PlatformLangCodes", sizeof("en-US"), "en-US", true);
	set_default(u"PlatformLang", sizeof("en-US"), "en-US");
	set_default(u"Timeout", sizeof(timeout), &timeout);
	set(u"BootOptionSupport", sizeof(boot_option_support), &boot_option_support, true);
	set(u"OsIndicationsSupported", sizeof(os_indications), &os_indications, true);
	set(u"SecureBoot", sizeof(secure_boot), &secure_boot, true);
	set(u"SetupMode", sizeof(setup_mode), &setup_mode, true);
}

/* Boot0000, BootCurrent and (when there is none) BootOrder: the image QEMU's -kernel
 * gave, found at path. */
void efi_global_vars_boot_option(const EFI_DEVICE_PATH *path, const CHAR16 *description)
{
	static const UINT16 order = 0;
	UINTN plen = efi_devpath_size(path), dlen = 0, size;
	UINT8 *opt;

	while (description[dlen++])
		;
	size = sizeof(UINT32) + sizeof(UINT16) + 2 * dlen + plen;
	opt = efi_alloc(size);
	if (!opt)
		fatal("no memory for Boot0000");
	*(UINT32 *)opt = LOAD_OPTION_ACTIVE;
	memcpy(opt + 4, &(UINT16){ plen }, 2);
	memcpy(opt + 6, description, 2 * dlen);
	memcpy(opt + 6 + 2 * dlen, path, plen);
	set(u"Boot0000", size, opt, false);
	/* A BootOrder the OS wrote (efibootmgr) survives: -kernel boots first anyway. */
	set_default(u"BootOrder", sizeof(order), &order);
	efi_boot_current(0);
	efi_free(opt);
}

void efi_boot_current(int number)
{
	UINT16 n = number;

	set(u"BootCurrent", number < 0 ? 0 : sizeof(n), &n, true);
}

void *efi_global_var(const CHAR16 *name, UINTN *size)
{
	void *buf;

	*size = 0;
	if (get(name, size, NULL) != EFI_BUFFER_TOO_SMALL || !(buf = efi_alloc(*size)))
		return NULL;
	if (get(name, size, buf)) {
		efi_free(buf);
		return NULL;
	}
	return buf;
}

void efi_global_var_delete(const CHAR16 *name)
{
	EFI_STATUS s = RT_CALL(rt_SetVariable)((CHAR16 *)name, &global, 0, 0, NULL);

	if (s && s != EFI_NOT_FOUND)
		warn("cannot delete a boot variable: %s", efi_status_str(s));
}
