/* The smallest real EFI application: gnu-efi's library, a line on ConOut, a status. */
#include <efi.h>
#include <efilib.h>

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_LOADED_IMAGE *li;

	InitializeLib(image, st);
	Print(L"hello from a gnu-efi application\n");
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li))
		return EFI_LOAD_ERROR;
	Print(L"load options: %s\n", (CHAR16 *)li->LoadOptions);
	return EFI_WARN_UNKNOWN_GLYPH;    /* a status the firmware must report by name */
}
