/* The EFI side of disks: BlockIo and DiskIo on every disk and partition (efi/block_io.c),
 * partitions and their HD() paths (efi/disks.c), file systems (efi/simple_fs.c). */
#ifndef EFILITE_EFI_DISK_H
#define EFILITE_EFI_DISK_H

#include <stdbool.h>
#include "blkdev.h"
#include "efi/core.h"

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

#endif
