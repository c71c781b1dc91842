/*
 * The second image, which the self-test embeds and loads from memory (image.c). Its load
 * options say how to end: "exit" calls Exit with exit data, "return" returns a warning.
 */
#include <efi.h>

#define EXIT_DATA L"child exit data"

static BOOLEAN is(const EFI_LOADED_IMAGE *li, const CHAR16 *word, UINTN size)
{
	const CHAR16 *o = li->LoadOptions;

	if (li->LoadOptionsSize != size)
		return FALSE;
	for (UINTN i = 0; i < size / sizeof(CHAR16); i++)
		if (o[i] != word[i])
			return FALSE;
	return TRUE;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_LOADED_IMAGE *li;
	CHAR16 *data;

	if (bs->HandleProtocol(image, &li_guid, (void **)&li))
		return EFI_LOAD_ERROR;
	if (is(li, L"return", sizeof(L"return")))
		return EFI_WARN_WRITE_FAILURE;
	if (!is(li, L"exit", sizeof(L"exit")))
		return EFI_INVALID_PARAMETER;
	/* Exit data must come from the pool: the caller frees it (Exit, section 7.4). */
	if (bs->AllocatePool(EfiLoaderData, sizeof(EXIT_DATA), (void **)&data))
		return EFI_OUT_OF_RESOURCES;
	bs->CopyMem(data, EXIT_DATA, sizeof(EXIT_DATA));
	bs->Exit(image, EFI_INCOMPATIBLE_VERSION, sizeof(EXIT_DATA), data);
	return EFI_ABORTED;     /* Exit does not return */
}
