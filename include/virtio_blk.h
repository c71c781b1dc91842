/* virtio-blk (virtio 1.x section 5.2) over either transport, as a struct blkdev:
 * read, write, flush and get-id requests, polled, each carrying up to
 * VIRTIO_BLK_REQ_BYTES in segments within the device's seg_max and size_max. */
#ifndef EFILITE_VIRTIO_BLK_H
#define EFILITE_VIRTIO_BLK_H

#include "blkdev.h"
#include "virtio.h"

#define VIRTIO_BLK_REQ_BYTES (1u << 20)    /* 30 MiB cost 30 requests */
#define VIRTIO_BLK_SEG_BYTES (64u << 10)   /* per descriptor, unless size_max says less */

struct virtio_blk {
	struct virtio_dev vdev;
	struct blkdev blk;              /* blk.ctx points back here */
	uint64_t capacity;              /* in 512-byte sectors, whatever the block size */
	uint32_t seg_bytes, max_segs;   /* data segments: bytes each, per request */
	unsigned requests;              /* requests completed since init */
	bool broken;                    /* timed out or misbehaved: reset, no more requests */
	struct virtio_blk_dma *dma;     /* request header and status, in their own page */
	struct virtq q;
};

/* Negotiate, set up the queue and read the geometry of an opened virtio device of type
 * VIRTIO_ID_BLOCK. 0, or -1 with *why set (the device is then reset). */
int virtio_blk_init(struct virtio_blk *b, const char **why);
/* The device's serial (GET_ID, up to 20 bytes, NUL-terminated in id); -1 if it has none. */
int virtio_blk_get_id(struct virtio_blk *b, char id[21]);

#endif
