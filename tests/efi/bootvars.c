/* Writes boot-manager variables as its load options say, then powers off, so that a
 * test can prepare a vars file for the next QEMU start (tests/test_boot_manager.py):
 *   NAME=HEX ...   sets the EFI_GLOBAL_VARIABLE NAME (NV, BS, RT) to the bytes HEX;
 *   NAME=          deletes it. */
#include <efi.h>
#include <efilib.h>

#define NV_BS_RT (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | \
		  EFI_VARIABLE_RUNTIME_ACCESS)

static int nibble(CHAR16 c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One NAME=HEX word at s (ended by a space or the NUL): the rest of the line. */
static CHAR16 *set_one(CHAR16 *s)
{
	static UINT8 data[4096];
	CHAR16 *name = s;
	UINTN n = 0;
	EFI_STATUS st;

	while (*s && *s != '=')
		s++;
	if (*s != '=')
		return s;
	*s++ = 0;
	for (; nibble(s[0]) >= 0 && nibble(s[1]) >= 0 && n < sizeof(data); s += 2)
		data[n++] = nibble(s[0]) << 4 | nibble(s[1]);
	st = uefi_call_wrapper(RT->SetVariable, 5, name, &EfiGlobalVariable,
			       n ? NV_BS_RT : 0, n, data);
	Print(L"bootvars: %s: %lu bytes: %r\n", name, n, st);
	while (*s == ' ')
		s++;
	return s;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_LOADED_IMAGE *li;
	CHAR16 *s;

	InitializeLib(image, st);
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li) ||
	    !li->LoadOptions)
		return EFI_INVALID_PARAMETER;
	for (s = li->LoadOptions; *s; )
		s = set_one(s);
	uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	return EFI_SUCCESS;
}
