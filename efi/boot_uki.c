/*
 * Unified kernel images, the Boot Loader Specification's type #2 entries: a disk whose
 * ESP holds \EFI\Linux\*.efi and no boot loader still boots. Of each file system the
 * newest image is offered, by version order of the file names, as systemd-boot would
 * list it first; names starting with a dot are hidden, as the specification says.
 */
#include "efi/boot.h"
#include "utf.h"
#include "util.h"

#define UKI_DIR  u"\\EFI\\Linux\\"
#define MAX_NAME 256                    /* CHAR16, the NUL included: FAT's limit + 1 */

static bool is_uki(const EFI_FILE_INFO *info)
{
	UINTN n = ucs2_strlen(info->FileName);
	const CHAR16 *ext = info->FileName + n - 4;

	if (info->Attribute & EFI_FILE_DIRECTORY || n < 5 || n >= MAX_NAME ||
	    info->FileName[0] == '.')
		return false;
	return ext[0] == '.' && (ext[1] | 0x20) == 'e' && (ext[2] | 0x20) == 'f' &&
	       (ext[3] | 0x20) == 'i';
}

/* The newest name in dir into best (empty when there is none). */
static void newest(EFI_FILE_PROTOCOL *dir, EFI_FILE_INFO *info, UINTN info_size,
		   CHAR16 *best)
{
	best[0] = 0;
	for (;;) {
		UINTN size = info_size;

		if (dir->Read(dir, &size, info) || !size)
			return;
		if (is_uki(info) && (!best[0] || ucs2_vercmp(info->FileName, best) > 0))
			memcpy(best, info->FileName, (ucs2_strlen(info->FileName) + 1) * 2);
	}
}

static void add_newest(struct boot_list *l, EFI_HANDLE h, EFI_FILE_INFO *info,
		       UINTN info_size)
{
	static const CHAR16 dir_name[] = UKI_DIR;
	struct boot_entry e = { .source = "UKI", .number = -1 };
	CHAR16 name[ARRAY_SIZE(dir_name) + MAX_NAME];
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_PROTOCOL *root, *dir;

	if (HandleProtocol(h, &efi_simple_fs_guid, (void **)&fs) || fs->OpenVolume(fs, &root))
		return;
	if (!root->Open(root, &dir, u"\\EFI\\Linux", EFI_FILE_MODE_READ, 0)) {
		memcpy(name, dir_name, sizeof(dir_name));
		newest(dir, info, info_size, name + ARRAY_SIZE(dir_name) - 1);
		if (name[ARRAY_SIZE(dir_name) - 1])
			boot_list_add(l, &e, efi_file_path(h, name));
		dir->Close(dir);
	}
	root->Close(root);
}

void boot_add_ukis(struct boot_list *l)
{
	UINTN n, info_size = sizeof(EFI_FILE_INFO) + MAX_NAME * sizeof(CHAR16);
	EFI_FILE_INFO *info = efi_alloc(info_size);
	EFI_HANDLE *fs = boot_handles(&efi_simple_fs_guid, &n);

	for (UINTN i = 0; info && i < n; i++)
		add_newest(l, fs[i], info, info_size);
	FreePool(fs);
	efi_free(info);
}
