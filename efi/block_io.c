/*
 * EFI_BLOCK_IO_PROTOCOL (UEFI 2.10 section 13.9) and EFI_DISK_IO_PROTOCOL (13.7) over any
 * struct blkdev: a whole disk, or a partition's window on it. Requests are checked as
 * the spec says before they reach the device; DiskIo reads and writes bytes, going
 * through a block-sized bounce buffer only for the partial blocks at either end.
 */
#include <stdlib.h>
#include <string.h>
#include "efi/core.h"
#include "efi/disk.h"

#define BLOCK_IO_REVISION3 0x0002001f

static struct efi_block *of_bio(EFI_BLOCK_IO_PROTOCOL *bio)
{
	return (struct efi_block *)((char *)bio - __builtin_offsetof(struct efi_block, bio));
}

static struct efi_block *of_dio(EFI_DISK_IO_PROTOCOL *dio)
{
	return (struct efi_block *)((char *)dio - __builtin_offsetof(struct efi_block, dio));
}

static EFI_STATUS EFIAPI Reset(EFI_BLOCK_IO_PROTOCOL *this, BOOLEAN extended)
{
	return EFI_SUCCESS;
}

/* The checks ReadBlocks and WriteBlocks share (section 13.9.3). */
static EFI_STATUS check_blocks(struct efi_block *b, UINT32 media_id, EFI_LBA lba, UINTN size,
			       const VOID *buf)
{
	const EFI_BLOCK_IO_MEDIA *m = &b->media;

	if (media_id != m->MediaId)
		return EFI_MEDIA_CHANGED;
	if (!m->MediaPresent)
		return EFI_NO_MEDIA;
	if (!buf)
		return EFI_INVALID_PARAMETER;
	if (size % m->BlockSize)
		return EFI_BAD_BUFFER_SIZE;
	if (lba > m->LastBlock || size / m->BlockSize > m->LastBlock + 1 - lba)
		return EFI_INVALID_PARAMETER;
	if (m->IoAlign > 1 && ((UINTN)buf & (m->IoAlign - 1)))
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI ReadBlocks(EFI_BLOCK_IO_PROTOCOL *this, UINT32 media_id, EFI_LBA lba,
				    UINTN size, VOID *buf)
{
	struct efi_block *b = of_bio(this);
	EFI_STATUS s = check_blocks(b, media_id, lba, size, buf);

	if (s || !size)
		return s;
	return blk_read(b->dev, lba, size / b->media.BlockSize, buf) ? EFI_DEVICE_ERROR
								      : EFI_SUCCESS;
}

static EFI_STATUS EFIAPI WriteBlocks(EFI_BLOCK_IO_PROTOCOL *this, UINT32 media_id, EFI_LBA lba,
				     UINTN size, VOID *buf)
{
	struct efi_block *b = of_bio(this);
	EFI_STATUS s = check_blocks(b, media_id, lba, size, buf);

	if (s)
		return s;
	if (b->media.ReadOnly)
		return EFI_WRITE_PROTECTED;
	if (!size)
		return EFI_SUCCESS;
	return blk_write(b->dev, lba, size / b->media.BlockSize, buf) ? EFI_DEVICE_ERROR
								       : EFI_SUCCESS;
}

static EFI_STATUS EFIAPI FlushBlocks(EFI_BLOCK_IO_PROTOCOL *this)
{
	struct efi_block *b = of_bio(this);

	if (b->media.ReadOnly || !b->dev->flush)
		return EFI_SUCCESS;
	return b->dev->flush(b->dev->ctx) ? EFI_DEVICE_ERROR : EFI_SUCCESS;
}

/* Bytes [off, off + len) of the device: whole blocks straight between the device and
 * buf, the partial ones at either end through one bounce block. */
static EFI_STATUS disk_io(struct efi_block *b, UINT32 media_id, UINT64 off, UINTN len,
			  VOID *buf, bool write)
{
	UINT32 bs = b->media.BlockSize;
	UINT64 end = off + len, total = (b->media.LastBlock + 1) * (UINT64)bs;
	UINT8 *p = buf, *bounce = NULL;
	EFI_STATUS s = EFI_SUCCESS;

	if (media_id != b->media.MediaId)
		return EFI_MEDIA_CHANGED;
	if (!b->media.MediaPresent)
		return EFI_NO_MEDIA;
	if (!buf || end < off || end > total)
		return EFI_INVALID_PARAMETER;
	if (write && b->media.ReadOnly)
		return EFI_WRITE_PROTECTED;
	while (off < end && !s) {
		UINT64 lba = off / bs, in = off % bs, n = end - off;

		if (in || n < bs) {             /* a partial block: read, patch, write back */
			if (!bounce && !(bounce = calloc(1, bs)))
				return EFI_OUT_OF_RESOURCES;
			n = n < bs - in ? n : bs - in;
			if (blk_read(b->dev, lba, 1, bounce))
				s = EFI_DEVICE_ERROR;
			else if (!write)
				memcpy(p, bounce + in, n);
			else if (memcpy(bounce + in, p, n), blk_write(b->dev, lba, 1, bounce))
				s = EFI_DEVICE_ERROR;
		} else {
			n -= n % bs;
			if (write ? blk_write(b->dev, lba, n / bs, p) : blk_read(b->dev, lba, n / bs, p))
				s = EFI_DEVICE_ERROR;
		}
		off += n;
		p += n;
	}
	free(bounce);
	return s;
}

static EFI_STATUS EFIAPI ReadDisk(EFI_DISK_IO_PROTOCOL *this, UINT32 media_id, UINT64 off,
				  UINTN len, VOID *buf)
{
	return disk_io(of_dio(this), media_id, off, len, buf, false);
}

static EFI_STATUS EFIAPI WriteDisk(EFI_DISK_IO_PROTOCOL *this, UINT32 media_id, UINT64 off,
				   UINTN len, VOID *buf)
{
	return disk_io(of_dio(this), media_id, off, len, buf, true);
}

void efi_block_init(struct efi_block *b, const struct blkdev *dev, bool partition)
{
	b->dev = dev;
	b->media = (EFI_BLOCK_IO_MEDIA){
		.MediaId = 0,
		.RemovableMedia = FALSE,
		.MediaPresent = dev->nr_blocks > 0,    /* an empty drive reads as no medium */
		.LogicalPartition = partition,
		.ReadOnly = dev->read_only,
		.WriteCaching = dev->flush != NULL,
		.BlockSize = dev->block_size,
		.IoAlign = 0,                   /* virtio DMA takes any address */
		.LastBlock = dev->nr_blocks ? dev->nr_blocks - 1 : 0,
		.LowestAlignedLba = 0,
		.LogicalBlocksPerPhysicalBlock = 1,
		.OptimalTransferLengthGranularity = 0,
	};
	b->bio = (EFI_BLOCK_IO_PROTOCOL){
		.Revision = BLOCK_IO_REVISION3,
		.Media = &b->media,
		.Reset = Reset,
		.ReadBlocks = ReadBlocks,
		.WriteBlocks = WriteBlocks,
		.FlushBlocks = FlushBlocks,
	};
	b->dio = (EFI_DISK_IO_PROTOCOL){
		.Revision = EFI_DISK_IO_PROTOCOL_REVISION,
		.ReadDisk = ReadDisk,
		.WriteDisk = WriteDisk,
	};
}
