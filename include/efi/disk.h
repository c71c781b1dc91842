/* The EFI side of disks: BlockIo and DiskIo on every disk and partition (efi/block_io.c),
 * partitions and their HD() paths (efi/disks.c), file systems (efi/simple_fs.c). */
#ifndef EFILITE_EFI_DISK_H
#define EFILITE_EFI_DISK_H

#include <stdbool.h>
#include "blkdev.h"
#include "efi/core.h"

/* EDK2's vendor GUID for virtio-mmio transports, so paths read as EDK2's do. */
#define VIRTIO_MMIO_GUID \
	{ 0x837dca9e, 0xe874, 0x4d82, { 0xb2, 0x9a, 0x23, 0xfe, 0x0e, 0x23, 0xd1, 0xe2 } }
#define PNP0A03 0x0a0341d0              /* EISA id of a PCI root bridge */

/* One BlockIo + DiskIo pair over a block device (UEFI 2.10 sections 13.7, 13.9). */
struct efi_block {
	EFI_BLOCK_IO_PROTOCOL bio;
	EFI_BLOCK_IO_MEDIA media;
	EFI_DISK_IO_PROTOCOL dio;
	const struct blkdev *dev;
};

/* Fill in both protocols for dev (kept, not copied); partition sets LogicalPartition. */
void efi_block_init(struct efi_block *b, const struct blkdev *dev, bool partition);

/* efi/simple_fs.c: SimpleFileSystem on the FAT volume of dev, or NULL (not FAT, no
 * memory: the FAT code has said why). */
EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *efi_simple_fs_mount(const struct blkdev *dev);

/* efi/disks.c: handles for every disk drivers/disks.c found, their partitions and file
 * systems; the devices stop at ExitBootServices. */
void efi_disks_init(void);
/* The device path of a disk at d's place (its transport, PCI path or MMIO base):
 * PciRoot(0)/Pci(d,f)... or VenHw(virtio-mmio, base); efi_alloc memory, or NULL. */
struct disk;
EFI_DEVICE_PATH *efi_disk_device_path(const struct disk *d);

#endif
