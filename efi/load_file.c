/*
 * Files named by device paths (UEFI 2.10 section 7.4.1, LoadImage: "the file is loaded
 * through EFI_SIMPLE_FILE_SYSTEM_PROTOCOL"): the part of the path up to the file system,
 * then FILEPATH nodes, one or several, that together name the file.
 */
#include <string.h>
#include "efi/core.h"
#include "log.h"
#include "utf.h"

#define MAX_NAME 512                    /* CHAR16 of a whole file name */

/* The FILEPATH nodes of rest joined into name ("\EFI" "BOOT" -> "\EFI\BOOT"); false when
 * rest holds another kind of node, or the name is too long or empty. */
static bool file_name(const EFI_DEVICE_PATH *rest, CHAR16 *name)
{
	UINTN n = 0;

	for (; !IsDevicePathEnd(rest); rest = NextDevicePathNode(rest)) {
		const CHAR16 *s = ((const FILEPATH_DEVICE_PATH *)rest)->PathName;
		UINTN len = (DevicePathNodeLength(rest) - 4) / sizeof(CHAR16);

		if (DevicePathType(rest) != MEDIA_DEVICE_PATH ||
		    DevicePathSubType(rest) != MEDIA_FILEPATH_DP || DevicePathNodeLength(rest) < 4)
			return false;
		while (len && !s[len - 1])
			len--;                  /* the node's NUL, if it has one */
		if (n && name[n - 1] != '\\' && len && s[0] != '\\')
			name[n++] = '\\';
		if (n + len >= MAX_NAME)
			return false;
		memcpy(name + n, s, len * sizeof(CHAR16));
		n += len;
	}
	name[n] = 0;
	return n > 0;
}

EFI_DEVICE_PATH *efi_file_path(EFI_HANDLE dev, const CHAR16 *name)
{
	UINTN len = 4 + (ucs2_strlen(name) + 1) * sizeof(CHAR16);
	EFI_DEVICE_PATH *path, *node;

	if (HandleProtocol(dev, &efi_device_path_guid, (void **)&path) || !(node = efi_alloc(len)))
		return NULL;
	node->Type = MEDIA_DEVICE_PATH;
	node->SubType = MEDIA_FILEPATH_DP;
	SetDevicePathNodeLength(node, len);
	memcpy(((FILEPATH_DEVICE_PATH *)node)->PathName, name, len - 4);
	path = AppendDeviceNode(path, node);
	efi_free(node);
	return path;
}

static EFI_STATUS read_all(EFI_FILE_PROTOCOL *f, void **buf, UINTN *size)
{
	UINTN info_size = 0;
	EFI_FILE_INFO *info;
	EFI_STATUS s = f->GetInfo(f, &efi_file_info_guid, &info_size, NULL);

	if (s != EFI_BUFFER_TOO_SMALL)
		return s ? s : EFI_DEVICE_ERROR;
	if ((s = AllocatePool(EfiBootServicesData, info_size, (void **)&info)))
		return s;
	s = f->GetInfo(f, &efi_file_info_guid, &info_size, info);
	*size = info->FileSize;
	if (!s && (info->Attribute & EFI_FILE_DIRECTORY))
		s = EFI_NOT_FOUND;
	FreePool(info);
	if (s || (s = AllocatePool(EfiBootServicesData, *size ? *size : 1, buf)))
		return s;
	s = f->Read(f, size, *buf);
	if (s)
		FreePool(*buf);
	return s;
}

EFI_STATUS efi_load_file(EFI_DEVICE_PATH *path, void **buf, UINTN *size,
			 EFI_DEVICE_PATH **full)
{
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_PROTOCOL *root, *f;
	EFI_DEVICE_PATH *rest = path;
	EFI_HANDLE dev;
	CHAR16 *name;
	EFI_STATUS s;

	if (LocateDevicePath(&efi_simple_fs_guid, &rest, &dev) ||
	    HandleProtocol(dev, &efi_simple_fs_guid, (void **)&fs))
		return EFI_NOT_FOUND;
	if (!(name = efi_alloc(MAX_NAME * sizeof(CHAR16))))
		return EFI_OUT_OF_RESOURCES;
	s = file_name(rest, name) ? fs->OpenVolume(fs, &root) : EFI_NOT_FOUND;
	if (!s) {
		s = root->Open(root, &f, name, EFI_FILE_MODE_READ, 0);
		if (!s) {
			s = read_all(f, buf, size);
			f->Close(f);
		}
		root->Close(root);
	}
	if (!s && full && !(*full = efi_file_path(dev, name))) {
		FreePool(*buf);
		s = EFI_OUT_OF_RESOURCES;
	}
	efi_free(name);
	return s == EFI_NOT_FOUND || s == EFI_INVALID_PARAMETER ? EFI_NOT_FOUND : s;
}
