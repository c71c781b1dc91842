/*
 * The boot manager (UEFI 2.10 section 3): what EFI-lite boots when QEMU gives no
 * -kernel. It lists, in this order:
 *   1. BootNext, deleted before anything is tried (section 3.1.1);
 *   2. the active Boot#### options BootOrder names. A path that starts at HD() is
 *      completed with the partition of that signature, a path of FILEPATH nodes alone
 *      is tried on every file system, a path that ends at a device gets the
 *      removable-media file name (section 3.1.2);
 *   3. the removable-media path \EFI\BOOT\BOOTAA64.EFI on the disks QEMU's bootorder
 *      names (-device ...,bootindex=N), then on every file system in the order the
 *      disks were found (section 3.5.1.1);
 *   4. the newest unified kernel image in \EFI\Linux (efi/boot_uki.c).
 * With a timeout the list is offered as a menu (efi/boot_menu.c). An entry that cannot
 * be loaded, or whose image returns, is logged and the next is tried.
 */
#include "efi/boot.h"
#include "efi/disk.h"
#include "efi/load_option.h"
#include "disks.h"
#include "fwcfg.h"
#include "log.h"

#define REMOVABLE_PATH u"\\EFI\\BOOT\\BOOTAA64.EFI"

/* The removable-media file (section 3.5.1.1) as the path a file system's is completed
 * with: one FILEPATH node and the end. */
static const struct {
	EFI_DEVICE_PATH node;
	CHAR16 name[sizeof(REMOVABLE_PATH) / sizeof(CHAR16)];
	EFI_DEVICE_PATH end;
} removable_file = {
	{ MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP, { 4 + sizeof(REMOVABLE_PATH), 0 } },
	REMOVABLE_PATH,
	{ END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, { 4, 0 } },
};
_Static_assert(sizeof(removable_file) == 4 + sizeof(REMOVABLE_PATH) + 4, "packed");

static const EFI_DEVICE_PATH *handle_path(EFI_HANDLE h)
{
	EFI_DEVICE_PATH *p;

	return HandleProtocol(h, &efi_device_path_guid, (void **)&p) ? NULL : p;
}

static bool is_node(const EFI_DEVICE_PATH *n, UINT8 type, UINT8 subtype)
{
	return n->Type == type && n->SubType == subtype;
}

/* Does path begin with every node of prefix? */
static bool starts_with(const EFI_DEVICE_PATH *path, const EFI_DEVICE_PATH *prefix)
{
	for (; !IsDevicePathEnd(prefix); prefix = NextDevicePathNode(prefix)) {
		if (IsDevicePathEnd(path) ||
		    DevicePathNodeLength(path) != DevicePathNodeLength(prefix) ||
		    memcmp(path, prefix, DevicePathNodeLength(prefix)))
			return false;
		path = NextDevicePathNode(path);
	}
	return true;
}

static bool has_file_node(const EFI_DEVICE_PATH *p)
{
	for (; !IsDevicePathEnd(p); p = NextDevicePathNode(p))
		if (is_node(p, MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP))
			return true;
	return false;
}

static const EFI_DEVICE_PATH *last_node(const EFI_DEVICE_PATH *p)
{
	const EFI_DEVICE_PATH *last = p;

	for (; !IsDevicePathEnd(p); p = NextDevicePathNode(p))
		last = p;
	return last;
}

/* The file that file (FILEPATH nodes) names, on every file system at or below the
 * device dev names (NULL: on every one). */
static void add_on_file_systems(struct boot_list *l, const struct boot_entry *e,
				const EFI_DEVICE_PATH *dev, const EFI_DEVICE_PATH *file)
{
	UINTN n;
	EFI_HANDLE *fs = boot_handles(&efi_simple_fs_guid, &n);

	for (UINTN i = 0; i < n; i++) {
		const EFI_DEVICE_PATH *p = handle_path(fs[i]);

		if (p && (!dev || starts_with(p, dev)))
			boot_list_add(l, e, AppendDevicePath(p, file));
	}
	FreePool(fs);
}

static void add_removable(struct boot_list *l, const struct boot_entry *e,
			  const EFI_DEVICE_PATH *dev)
{
	add_on_file_systems(l, e, dev, &removable_file.node);
}

/* path (the option's, kept by the caller) as full paths to files (section 3.1.2). */
static void add_expanded(struct boot_list *l, const struct boot_entry *e,
			 const EFI_DEVICE_PATH *path)
{
	EFI_HANDLE *h;
	UINTN n;

	if (is_node(path, MEDIA_DEVICE_PATH, MEDIA_HARDDRIVE_DP)) {
		h = boot_handles(&efi_block_io_guid, &n);
		for (UINTN i = 0; i < n; i++) {
			const EFI_DEVICE_PATH *p = handle_path(h[i]);
			EFI_DEVICE_PATH *full;

			if (!p || !load_option_hd_match(path, last_node(p)))
				continue;
			full = AppendDevicePath(p, NextDevicePathNode(path));
			if (full)
				add_expanded(l, e, full);
			FreePool(full);
		}
		FreePool(h);
	} else if (is_node(path, MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP)) {
		add_on_file_systems(l, e, NULL, path);
	} else if (has_file_node(path)) {
		boot_list_add(l, e, AppendDevicePath(path, NULL));
	} else {
		add_removable(l, e, path);
	}
}

static void option_name(CHAR16 name[9], unsigned number)
{
	memcpy(name, u"Boot", 8);
	for (int i = 0; i < 4; i++)     /* a literal, so the linker merges it with printf's */
		name[4 + i] = "0123456789ABCDEF"[(number >> (12 - 4 * i)) & 15];
	name[8] = 0;
}

/* Boot#### (its variable stays allocated: the entries point into it). */
static void add_option(struct boot_list *l, unsigned number, const char *source)
{
	struct boot_entry e = { .source = source, .number = number };
	struct load_option o;
	CHAR16 name[9];
	UINTN size;
	void *buf;

	option_name(name, number);
	buf = efi_global_var(name, &size);
	if (!buf || !load_option_parse(buf, size, &o)) {
		info("EFI-lite: Boot%04X (%s) %s", number, source,
		     buf ? "is malformed: skipped" : "does not exist");
		efi_free(buf);
		return;
	}
	e.description = o.description;
	e.data = o.data_size ? o.data : NULL;
	e.data_size = o.data_size;
	if (!(o.attributes & LOAD_OPTION_ACTIVE) ||
	    (o.attributes & LOAD_OPTION_CATEGORY) != LOAD_OPTION_CATEGORY_BOOT) {
		e.path = NULL;
		boot_entry_print("EFI-lite: ", &e, ": not an active boot option: skipped\n");
		efi_free(buf);
		return;
	}
	add_expanded(l, &e, o.path);
}

static void add_boot_variables(struct boot_list *l)
{
	UINTN size;
	UINT16 *next = efi_global_var(u"BootNext", &size), *order;

	if (next) {
		efi_global_var_delete(u"BootNext");     /* tried once, whatever happens */
		if (size == sizeof(*next))
			add_option(l, *next, "BootNext");
		efi_free(next);
	}
	if ((order = efi_global_var(u"BootOrder", &size))) {
		for (UINTN i = 0; i < size / sizeof(*order); i++)
			add_option(l, order[i], "BootOrder");
		efi_free(order);
	}
}

/* The removable-media path on the disks QEMU's bootorder names, in its order. */
static void add_bootindex(struct boot_list *l)
{
	struct boot_entry e = { .source = "bootindex", .number = -1 };
	struct fwcfg_boot_device b;
	UINT16 item;
	UINT32 size;
	char *buf, *line, *nl;

	if (fwcfg_find_file("bootorder", &item, &size) || !size || !(buf = efi_alloc(size + 1)))
		return;
	if (fwcfg_read(item, 0, buf, size))
		size = 0;
	for (line = buf; line < buf + size; line = nl + 1) {
		struct disk d = { 0 };
		EFI_DEVICE_PATH *dev;

		nl = memchr(line, '\n', buf + size - line);
		if (!nl)
			nl = buf + size;
		if (fwcfg_bootorder_line(line, nl - line, &b)) {
			debug("bootorder: a device that is no virtio disk: not booted");
			continue;
		}
		d.transport = b.mmio ? VIRTIO_MMIO : VIRTIO_PCI;
		d.mmio_base = b.mmio_base;
		d.pci_depth = b.pci_depth;
		_Static_assert(sizeof(d.pci_path) == sizeof(b.pci_path), "one PCI path layout");
		memcpy(d.pci_path, b.pci_path, sizeof(b.pci_path));
		if ((dev = efi_disk_device_path(&d)))
			add_removable(l, &e, dev);
		efi_free(dev);
	}
	efi_free(buf);
}

/* Load and start one entry: true when its image was found (it ran, or failed to load
 * for another reason than being absent). */
static bool try_entry(const struct boot_entry *e)
{
	EFI_LOADED_IMAGE *li;
	EFI_HANDLE image;
	EFI_STATUS s = LoadImage(TRUE, efi_firmware_handle, e->path, NULL, 0, &image);

	if (s) {
		if (e->number >= 0 || s != EFI_NOT_FOUND) {
			boot_entry_print("EFI-lite: ", e, ": cannot load: ");
			printf("%s\n", efi_status_str(s));
		}
		return s != EFI_NOT_FOUND;
	}
	HandleProtocol(image, &efi_loaded_image_guid, (void **)&li);
	li->LoadOptions = (void *)e->data;
	li->LoadOptionsSize = e->data_size;
	efi_boot_current(e->number);
	boot_entry_print("EFI-lite: booting ", e, "\n");
	s = StartImage(image, NULL, NULL);
	boot_entry_print("EFI-lite: returned from ", e, ": ");
	printf("%s\n", efi_status_str(s));
	return true;
}

void efi_boot_manager(void)
{
	static struct boot_list l;
	struct boot_entry removable = { .source = "removable media", .number = -1 };
	unsigned first, found = 0;

	add_boot_variables(&l);
	add_bootindex(&l);
	add_removable(&l, &removable, NULL);
	boot_add_ukis(&l);
	first = boot_menu(&l);
	if (first < l.n)
		found += try_entry(&l.e[first]);
	for (unsigned i = 0; i < l.n; i++)
		if (i != first)
			found += try_entry(&l.e[i]);
	if (found)
		fatal("nothing more to boot: every boot option was tried");
	fatal("nothing to boot: no -kernel, no boot option, and no disk holds "
	      "\\EFI\\BOOT\\BOOTAA64.EFI or a UKI in \\EFI\\Linux");
}
