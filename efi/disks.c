/*
 * The disks as EFI sees them: a handle per disk with its device path, BlockIo and DiskIo;
 * a handle per partition with the disk's path plus an HD() node, BlockIo and DiskIo on
 * its window of the disk, and EFI_PARTITION_INFO_PROTOCOL (UEFI 2.10 section 13.18);
 * SimpleFileSystem wherever a FAT volume is found. The drivers (drivers/disks.c) and
 * the partition parser (fs/part*.c) know nothing of this.
 */
#include <string.h>
#include "disks.h"
#include "efi/core.h"
#include "efi/disk.h"
#include "efi/load_option.h"
#include "log.h"
#include "part.h"

#define EFI_PARTITION_INFO_PROTOCOL_GUID \
	{ 0x8cf2f62c, 0xbc9b, 0x4821, { 0x80, 0x8d, 0xec, 0x9e, 0xc4, 0x21, 0xa1, 0xa0 } }
#define EFI_PART_TYPE_EFI_SYSTEM_PART_GUID \
	{ 0xc12a7328, 0xf81f, 0x11d2, { 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b } }

struct partition_info {                 /* EFI_PARTITION_INFO_PROTOCOL */
	UINT32 Revision;                /* 0x1000 */
	UINT32 Type;                    /* 0 other, 1 MBR, 2 GPT */
	UINT8 System;                   /* 1: the EFI system partition */
	UINT8 Reserved[7];
	UINT8 Info[128];                /* the MBR record or the GPT entry, as on disk */
} __attribute__((packed));

/* A partition: its window on the disk, as a block device of its own. */
struct partition {
	struct blkdev dev;
	const struct blkdev *disk;
	UINT64 first;
	struct efi_block block;
	struct partition_info info;
};

static EFI_GUID disk_io_guid = EFI_DISK_IO_PROTOCOL_GUID;
static EFI_GUID partition_info_guid = EFI_PARTITION_INFO_PROTOCOL_GUID;
static EFI_GUID esp_guid = EFI_PART_TYPE_EFI_SYSTEM_PART_GUID;

static int window_read(void *ctx, uint64_t lba, uint64_t n, void *buf)
{
	struct partition *p = ctx;

	return blk_read(p->disk, p->first + lba, n, buf);
}

static int window_write(void *ctx, uint64_t lba, uint64_t n, const void *buf)
{
	struct partition *p = ctx;

	return blk_write(p->disk, p->first + lba, n, buf);
}

static int window_flush(void *ctx)
{
	struct partition *p = ctx;

	return p->disk->flush(p->disk->ctx);
}

/* ---- device paths ---- */

static void *node(void *at, UINT8 type, UINT8 subtype, UINT16 len)
{
	EFI_DEVICE_PATH *n = at;

	n->Type = type;
	n->SubType = subtype;
	n->Length[0] = len & 0xff;
	n->Length[1] = len >> 8;
	return (UINT8 *)at + len;
}

/* PciRoot(0)/Pci(d,f)..., or VenHw(virtio-mmio, base), then the end node. */
EFI_DEVICE_PATH *efi_disk_device_path(const struct disk *d)
{
	static const EFI_GUID mmio = VIRTIO_MMIO_GUID;
	UINT8 *path = efi_alloc(12 + 6 * PCI_MAX_DEPTH + 28 + 4), *p = path;

	if (!path)
		return NULL;
	if (d->transport == VIRTIO_MMIO) {
		memcpy(p + 4, &mmio, sizeof(mmio));
		memcpy(p + 20, &d->mmio_base, 8);
		p = node(p, HARDWARE_DEVICE_PATH, HW_VENDOR_DP, 28);
	} else {
		UINT32 hid = PNP0A03, uid = 0;

		memcpy(p + 4, &hid, 4);
		memcpy(p + 8, &uid, 4);
		p = node(p, ACPI_DEVICE_PATH, ACPI_DP, 12);
		for (unsigned i = 0; i < d->pci_depth; i++) {
			p[4] = d->pci_path[i].fn;
			p[5] = d->pci_path[i].dev;
			p = node(p, HARDWARE_DEVICE_PATH, HW_PCI_DP, 6);
		}
	}
	node(p, END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, 4);
	return (EFI_DEVICE_PATH *)path;
}

/* The disk's path with an HD() node for the partition in place of its end. */
static EFI_DEVICE_PATH *partition_path(const EFI_DEVICE_PATH *disk, const struct part_table *t,
				       const struct part *pt)
{
	UINTN len = efi_devpath_size(disk) - 4;
	UINT8 *path = efi_alloc(len + sizeof(struct hd_node) + 4);
	struct hd_node *hd;

	if (!path)
		return NULL;
	memcpy(path, disk, len);
	hd = (struct hd_node *)(path + len);
	hd->PartitionNumber = pt->number;
	hd->PartitionStart = pt->first_lba;
	hd->PartitionSize = pt->nr_blocks;
	if (t->scheme == PART_GPT) {
		memcpy(hd->Signature, pt->unique_guid, 16);
		hd->MBRType = 2;
		hd->SignatureType = 2;
	} else {
		memcpy(hd->Signature, &t->mbr_signature, 4);
		hd->MBRType = 1;
		hd->SignatureType = t->mbr_signature ? 1 : 0;
	}
	node(node(hd, MEDIA_DEVICE_PATH, MEDIA_HARDDRIVE_DP, sizeof(*hd)),
	     END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, 4);
	return (EFI_DEVICE_PATH *)path;
}

/* ---- handles ---- */

/* A FAT volume starts with a jump and ends its first sector with 55 AA: anything else
 * (ext4, swap, an empty partition) is not offered to the FAT code, which would log. */
static bool looks_like_fat(const struct blkdev *dev)
{
	UINT8 *b = efi_alloc(dev->block_size);
	bool fat = b && dev->nr_blocks && !blk_read(dev, 0, 1, b) &&
		   (b[0] == 0xeb || b[0] == 0xe9) && b[510] == 0x55 && b[511] == 0xaa;

	efi_free(b);
	return fat;
}

/* DevicePath, BlockIo and DiskIo on a new handle; SimpleFileSystem too when asked and
 * a FAT volume is there. */
static EFI_STATUS install(EFI_HANDLE *h, EFI_DEVICE_PATH *path, struct efi_block *b,
			  const struct blkdev *dev, const char *name, bool try_fs)
{
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs = NULL;
	EFI_STATUS s;

	if (!path)
		return EFI_OUT_OF_RESOURCES;
	s = InstallMultipleProtocolInterfaces(h, &efi_device_path_guid, path, &efi_block_io_guid,
					      &b->bio, &disk_io_guid, &b->dio, NULL);
	if (!s && try_fs && looks_like_fat(dev) && (fs = efi_simple_fs_mount(dev)))
		s = InstallProtocolInterface(h, &efi_simple_fs_guid, EFI_NATIVE_INTERFACE, fs);
	if (s)
		warn("disk %s: cannot install its protocols: %s", name, efi_status_str(s));
	return s;
}

static void add_partition(const struct disk *d, const EFI_DEVICE_PATH *disk_path,
			  const struct part_table *t, const struct part *pt)
{
	struct partition *p = efi_alloc(sizeof(*p));
	EFI_HANDLE h = NULL;

	if (!p)
		return;
	p->disk = d->blk;
	p->first = pt->first_lba;
	p->dev = (struct blkdev){ p, d->blk->block_size, pt->nr_blocks, d->blk->read_only,
				  window_read, window_write,
				  d->blk->flush ? window_flush : NULL };
	efi_block_init(&p->block, &p->dev, true);
	p->info.Revision = 0x1000;
	p->info.Type = t->scheme == PART_GPT ? 2 : 1;
	p->info.System = pt->esp;
	memcpy(p->info.Info, pt->raw, t->scheme == PART_GPT ? 128 : 16);
	if (install(&h, partition_path(disk_path, t, pt), &p->block, &p->dev, d->name, true))
		return;
	InstallProtocolInterface(&h, &partition_info_guid, EFI_NATIVE_INTERFACE, &p->info);
	if (pt->esp)
		InstallProtocolInterface(&h, &esp_guid, EFI_NATIVE_INTERFACE, NULL);
}

static void add_disk(const struct disk *d)
{
	struct efi_block *b = efi_alloc(sizeof(*b));
	EFI_DEVICE_PATH *path = efi_disk_device_path(d);
	struct part_table t = { 0 };
	const char *why;
	EFI_HANDLE h = NULL;
	int n;

	if (!b)
		return;
	efi_block_init(b, d->blk, false);
	/* The whole disk gets a file system only when it has no partition table. */
	n = part_scan(d->blk, &t, &why);
	if (n < 0)
		warn("disk %s: %s", d->name, why);
	if (!install(&h, path, b, d->blk, d->name, n <= 0 && t.scheme == PART_NONE))
		for (int i = 0; i < n; i++)
			add_partition(d, path, &t, &t.parts[i]);
	part_free(&t);
}

static VOID EFIAPI quiesce(EFI_EVENT event, VOID *ctx)
{
	disks_quiesce();
}

void efi_disks_init(void)
{
	EFI_EVENT exit;

	for (unsigned i = 0; i < disk_count(); i++)
		add_disk(disk_get(i));
	/* At ExitBootServices the devices stop: the OS reassigns their BARs. */
	if (disk_count() && CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, quiesce, NULL,
					  &efi_exit_boot_services_guid, &exit))
		warn("disks: no ExitBootServices event: devices stay live");
}
