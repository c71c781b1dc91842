/* The boot manager's list of what to try: efi/boot_manager.c builds and runs it,
 * efi/boot_list.c holds it, efi/boot_menu.c shows it, efi/boot_uki.c adds unified
 * kernel images to it. */
#ifndef EFILITE_EFI_BOOT_H
#define EFILITE_EFI_BOOT_H

#include "efi/core.h"

#define BOOT_MAX 32

struct boot_entry {
	EFI_DEVICE_PATH *path;          /* a file on a device, in full */
	const char *source;             /* "BootNext", "BootOrder", "bootindex" ... */
	const CHAR16 *description;      /* the option's, or NULL */
	int number;                     /* its Boot####, or -1 */
	const void *data;               /* OptionalData: the image's LoadOptions */
	UINTN data_size;
};

struct boot_list {
	struct boot_entry e[BOOT_MAX];
	unsigned n, full;               /* full: entries that found no room */
};

/* Append a copy of *e for path (its e->path unused), unless an entry with the same path
 * and data is there already. Takes path, new pool memory: freed when not kept; NULL (an
 * allocation that failed) adds nothing. */
void boot_list_add(struct boot_list *l, const struct boot_entry *e, EFI_DEVICE_PATH *path);

/* The handles with protocol (n of them), or NULL and 0 when none. */
EFI_HANDLE *boot_handles(EFI_GUID *protocol, UINTN *n);

/* efi/boot_menu.c: with a timeout (QEMU's -boot menu=on, or the Timeout variable), show
 * the list on the console and wait for a choice: the index of the entry to try first. */
unsigned boot_menu(const struct boot_list *l);

/* efi/boot_uki.c: the newest \EFI\Linux\*.efi of each file system. */
void boot_add_ukis(struct boot_list *l);

/* Write the entry between before and after: Boot0001 "debian" (BootOrder) PciRoot(0x0)/... */
void boot_entry_print(const char *before, const struct boot_entry *e, const char *after);

#endif
