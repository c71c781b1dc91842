/* Sets global variables (EFI_GLOBAL_VARIABLE, non-volatile, boot and runtime access) from
 * its load options, then shuts the machine down: how the boot-loader tests
 * (tests/loaders.py) write Boot#### and BootOrder into a variable store whose format
 * only the firmware knows, EDK2's as well as EFI-lite's. The options are words
 * NAME=HEX (the value's bytes) or NAME=- (delete it), e.g. "BootOrder=0100 Boot0001=...".
 * Each word gets a line "setvar: NAME: STATUS". */
#include <efi.h>
#include <efilib.h>

#define NV_BS_RT (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | \
		  EFI_VARIABLE_RUNTIME_ACCESS)
#define MAX_VALUE 1024

static int nibble(CHAR16 c)
{
	if (c >= L'0' && c <= L'9')
		return c - L'0';
	if (c >= L'a' && c <= L'f')
		return c - L'a' + 10;
	if (c >= L'A' && c <= L'F')
		return c - L'A' + 10;
	return -1;
}

/* The bytes that HEX (up to a space or the end) spells, or -1 when it is malformed. */
static INTN unhex(const CHAR16 *hex, UINT8 *out)
{
	INTN n = 0;

	for (; *hex && *hex != L' '; hex += 2, n++) {
		int hi = nibble(hex[0]), lo = hex[1] ? nibble(hex[1]) : -1;

		if (hi < 0 || lo < 0 || n == MAX_VALUE)
			return -1;
		out[n] = hi << 4 | lo;
	}
	return n;
}

/* One NAME=VALUE word at *opt: set it, say so, and step past it. */
static void set_one(CHAR16 **opt)
{
	static UINT8 value[MAX_VALUE];
	CHAR16 name[64], *p = *opt;
	UINTN len = 0;
	INTN size;
	EFI_STATUS s;

	while (*p && *p != L'=' && *p != L' ' && len < 63)
		name[len++] = *p++;
	name[len] = 0;
	if (*p == L'=' && p[1] == L'-' && (p[2] == L' ' || !p[2]))
		size = 0;			/* SetVariable with no data deletes */
	else
		size = *p == L'=' ? unhex(p + 1, value) : -1;
	s = size < 0 ? EFI_INVALID_PARAMETER :
	    uefi_call_wrapper(RT->SetVariable, 5, name, &gEfiGlobalVariableGuid,
			      size ? NV_BS_RT : 0, (UINTN)size, value);
	Print(L"setvar: %s: %r\n", name, s);
	while (*p && *p != L' ')
		p++;
	while (*p == L' ')
		p++;
	*opt = p;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_LOADED_IMAGE *li;
	CHAR16 *opt;

	InitializeLib(image, st);
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li))
		return EFI_LOAD_ERROR;
	opt = li->LoadOptions ? (CHAR16 *)li->LoadOptions : L"";
	while (*opt == L' ')
		opt++;
	while (*opt)
		set_one(&opt);
	Print(L"setvar: done\n");
	uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	return EFI_SUCCESS;
}
