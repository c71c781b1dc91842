/* Started from a disk: says where it was loaded from (LoadedImage.DeviceHandle's path
 * and FilePath, through the firmware's DevicePathToText), with which load options and
 * BootCurrent, and reads a file beside it through SimpleFileSystem, so a test can
 * check the whole chain from the disk up. */
#include <efi.h>
#include <efilib.h>

static EFI_GUID to_text_guid = EFI_DEVICE_PATH_TO_TEXT_PROTOCOL_GUID;

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_DEVICE_PATH_TO_TEXT_PROTOCOL *tt;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_DEVICE_PATH *dev;
	EFI_FILE_PROTOCOL *root, *f;
	EFI_LOADED_IMAGE *li;
	CHAR8 text[64] = { 0 };
	UINTN size = sizeof(text) - 1;
	UINT16 current;

	InitializeLib(image, st);
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li) ||
	    uefi_call_wrapper(BS->LocateProtocol, 3, &to_text_guid, NULL, (void **)&tt) ||
	    uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &DevicePathProtocol,
			      (void **)&dev))
		return EFI_LOAD_ERROR;
	Print(L"whereami: device %s\n", tt->ConvertDevicePathToText(dev, FALSE, FALSE));
	Print(L"whereami: file %s\n", tt->ConvertDevicePathToText(li->FilePath, FALSE, FALSE));
	if (li->LoadOptionsSize >= 2 && li->LoadOptions)
		Print(L"whereami: load options %.*s\n", (int)(li->LoadOptionsSize / 2),
		      (CHAR16 *)li->LoadOptions);
	if (!uefi_call_wrapper(RT->GetVariable, 5, L"BootCurrent", &EfiGlobalVariable, NULL,
			       &(UINTN){ sizeof(current) }, &current))
		Print(L"whereami: BootCurrent %04x\n", current);
	if (uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &FileSystemProtocol,
			      (void **)&fs) ||
	    uefi_call_wrapper(fs->OpenVolume, 2, fs, &root) ||
	    uefi_call_wrapper(root->Open, 5, root, &f, L"\\efi\\boot\\Note With Long Name.txt",
			      EFI_FILE_MODE_READ, 0) ||
	    uefi_call_wrapper(f->Read, 3, f, &size, text))
		return EFI_NOT_FOUND;
	Print(L"whereami: the note says: %a\n", text);
	return EFI_SUCCESS;
}
