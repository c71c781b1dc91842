/* The boot manager's list (include/efi/boot.h): entries added once, printed in one
 * form for the log and the menu; and the handles its parts walk. */
#include "efi/boot.h"
#include "log.h"

void boot_list_add(struct boot_list *l, const struct boot_entry *e, EFI_DEVICE_PATH *path)
{
	UINTN size;

	if (!path)
		return;
	size = efi_devpath_size(path);
	for (unsigned i = 0; i < l->n; i++) {
		const struct boot_entry *o = &l->e[i];

		if (efi_devpath_size(o->path) == size && !memcmp(o->path, path, size) &&
		    o->data_size == e->data_size &&
		    (!e->data_size || !memcmp(o->data, e->data, e->data_size))) {
			FreePool(path);
			return;
		}
	}
	if (l->n == BOOT_MAX) {
		if (!l->full++)
			warn("EFI-lite: more than %u things to boot: the rest are ignored",
			     BOOT_MAX);
		FreePool(path);
		return;
	}
	l->e[l->n] = *e;
	l->e[l->n++].path = path;
}

EFI_HANDLE *boot_handles(EFI_GUID *protocol, UINTN *n)
{
	EFI_HANDLE *h;

	if (LocateHandleBuffer(ByProtocol, protocol, NULL, n, &h)) {
		*n = 0;
		return NULL;
	}
	return h;
}

static void print_ucs2(const CHAR16 *s)
{
	for (; s && *s; s++)
		printf("%c", *s < 0x80 ? (char)*s : '?');
}

void boot_entry_print(const char *before, const struct boot_entry *e, const char *after)
{
	EFI_DEVICE_PATH_TO_TEXT_PROTOCOL *tt;
	CHAR16 *text = NULL;

	if (e->number >= 0) {
		printf("%sBoot%04X \"", before, e->number);
		print_ucs2(e->description);
		printf("\" (%s)", e->source);
	} else {
		printf("%s%s", before, e->source);
	}
	if (e->path && !LocateProtocol(&efi_device_path_to_text_guid, NULL, (void **)&tt))
		text = tt->ConvertDevicePathToText(e->path, FALSE, FALSE);
	if (text) {
		printf(" ");
		print_ucs2(text);
	}
	FreePool(text);
	printf("%s", after);
}
