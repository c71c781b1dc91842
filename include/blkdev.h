/* A block device as the disk-format code (fs/: partition tables, FAT) sees it: a
 * block size, a block count and two callbacks. The virtio-blk driver, a partition of a
 * disk, or a host test's image file stand behind it; the parsers never know which. */
#ifndef EFILITE_BLKDEV_H
#define EFILITE_BLKDEV_H

#include <stdbool.h>
#include <stdint.h>

struct blkdev {
	void *ctx;
	uint32_t block_size;            /* bytes: a power of two, 512 to 4096 */
	uint64_t nr_blocks;
	bool read_only;                 /* write may still be set; it then fails */
	/* Both return 0, or -1 on an I/O error or a range beyond nr_blocks. */
	int (*read)(void *ctx, uint64_t lba, uint64_t count, void *buf);
	int (*write)(void *ctx, uint64_t lba, uint64_t count, const void *buf);
	int (*flush)(void *ctx);        /* NULL when the device has no write cache */
};

static inline int blk_read(const struct blkdev *d, uint64_t lba, uint64_t count, void *buf)
{
	if (lba > d->nr_blocks || count > d->nr_blocks - lba)
		return -1;
	return d->read(d->ctx, lba, count, buf);
}

static inline int blk_write(const struct blkdev *d, uint64_t lba, uint64_t count,
			    const void *buf)
{
	if (d->read_only || !d->write || lba > d->nr_blocks || count > d->nr_blocks - lba)
		return -1;
	return d->write(d->ctx, lba, count, buf);
}

#endif
