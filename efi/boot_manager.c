/*
 * What EFI-lite boots when QEMU gives no -kernel: the removable-media path,
 * \EFI\BOOT\BOOTAA64.EFI, on each file system in the order the disks were found (UEFI
 * 2.10 section 3.5.1.1). An image that cannot be loaded, or that returns, is logged and
 * the next one is tried. (Boot#### and BootOrder come with the boot manager proper.)
 */
#include "efi/core.h"
#include "log.h"
#include "psci.h"

#define REMOVABLE_PATH u"\\EFI\\BOOT\\BOOTAA64.EFI"

/* The path as text for the log, through our own DevicePathToText. */
static void log_path(const char *what, EFI_DEVICE_PATH *path, EFI_STATUS s)
{
	EFI_DEVICE_PATH_TO_TEXT_PROTOCOL *tt;
	CHAR16 *text = NULL;

	if (!LocateProtocol(&efi_device_path_to_text_guid, NULL, (void **)&tt))
		text = tt->ConvertDevicePathToText(path, FALSE, FALSE);
	printf("EFI-lite: %s ", what);
	for (CHAR16 *c = text; c && *c; c++)
		printf("%c", *c < 0x80 ? (char)*c : '?');
	if (s)
		printf(": %s", efi_status_str(s));
	printf("\n");
	FreePool(text);
}

void efi_boot_from_disks(void)
{
	EFI_HANDLE *fs, image;
	UINTN n = 0, tried = 0;

	if (LocateHandleBuffer(ByProtocol, &efi_simple_fs_guid, NULL, &n, &fs))
		n = 0;
	for (UINTN i = 0; i < n; i++) {
		EFI_DEVICE_PATH *path = efi_file_path(fs[i], REMOVABLE_PATH);
		EFI_STATUS s;

		if (!path)
			continue;
		s = LoadImage(TRUE, efi_firmware_handle, path, NULL, 0, &image);
		if (s == EFI_NOT_FOUND) {
			debug("no \\EFI\\BOOT\\BOOTAA64.EFI on file system %u", (unsigned)i);
		} else if (s) {
			log_path("cannot load", path, s);
			tried++;
		} else {
			tried++;
			log_path("booting", path, 0);
			s = StartImage(image, NULL, NULL);
			log_path("returned from", path, s);
		}
		FreePool(path);
	}
	if (tried)
		fatal("nothing more to boot: every \\EFI\\BOOT\\BOOTAA64.EFI found was tried");
	fatal("nothing to boot: no -kernel, and no disk holds \\EFI\\BOOT\\BOOTAA64.EFI");
}
