/* virtio-blk requests (virtio 1.2 section 5.2.6): a header the device reads, the data
 * (device-writable for reads), one status byte the device writes. The sector in the
 * header is always in 512-byte units; BLK_SIZE only changes the block we present. */
#include "log.h"
#include "timer.h"
#include "pages.h"
#include "virtio_blk.h"

#define VIRTIO_BLK_F_SIZE_MAX (1u << 1)
#define VIRTIO_BLK_F_SEG_MAX  (1u << 2)
#define VIRTIO_BLK_F_RO       (1u << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1u << 6)
#define VIRTIO_BLK_F_FLUSH    (1u << 9)

/* struct virtio_blk_config offsets */
#define CFG_CAPACITY 0
#define CFG_SIZE_MAX 8
#define CFG_SEG_MAX  12
#define CFG_BLK_SIZE 20

enum { VIRTIO_BLK_T_IN = 0, VIRTIO_BLK_T_OUT = 1, VIRTIO_BLK_T_FLUSH = 4,
       VIRTIO_BLK_T_GET_ID = 8 };
#define VIRTIO_BLK_S_OK 0
#define TIMEOUT_US 10000000             /* a request QEMU has not answered in 10 s */

struct virtio_blk_dma {
	struct { uint32_t type, reserved; uint64_t sector; } hdr;
	uint8_t status;
	char id[20];
};

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

/* Wait for the one request in flight; a device that answers late, with the wrong
 * head or not at all is reset and not used again. */
static int complete(struct virtio_blk *b, int head)
{
	uint64_t start = timer_us();
	uint32_t len;
	int got;

	while ((got = virtq_get(&b->q, &len)) == -1 && timer_us() - start < TIMEOUT_US)
		;
	if (got != head) {
		err("virtio-blk: %s: device disabled", got == -1 ? "request timed out"
							      : "bad used ring entry");
		b->broken = true;
		virtio_reset(&b->vdev);
		return -1;
	}
	b->requests++;
	return *(volatile uint8_t *)&b->dma->status == VIRTIO_BLK_S_OK ? 0 : -1;
}

/* One request: header, bytes at buf in segments, status. */
static int request(struct virtio_blk *b, uint32_t type, uint64_t sector, void *buf,
		   uint32_t bytes, bool dev_writes)
{
	struct virtq_buf c[VIRTQ_MAX_SIZE];
	unsigned n = 0;
	uint32_t seg;
	int head;

	if (b->broken)
		return -1;
	b->dma->hdr.type = type;
	b->dma->hdr.reserved = 0;
	b->dma->hdr.sector = sector;
	b->dma->status = 0xff;
	c[n++] = (struct virtq_buf){ (uint64_t)&b->dma->hdr, sizeof(b->dma->hdr), false };
	for (; bytes; bytes -= seg, buf = (char *)buf + seg) {
		seg = bytes < b->seg_bytes ? bytes : b->seg_bytes;
		c[n++] = (struct virtq_buf){ (uint64_t)buf, seg, dev_writes };
	}
	c[n++] = (struct virtq_buf){ (uint64_t)&b->dma->status, 1, true };
	head = virtq_add(&b->q, c, n);
	if (head < 0)
		return -1;
	virtio_notify(&b->vdev);
	return complete(b, head);
}

static int transfer(struct virtio_blk *b, uint32_t type, uint64_t lba, uint64_t count,
		    void *buf)
{
	uint32_t spb = b->blk.block_size / 512;
	uint64_t bytes = count * b->blk.block_size, max = (uint64_t)b->seg_bytes * b->max_segs;
	uint64_t sector = lba * spb, chunk;
	unsigned before = b->requests;

	if (lba > b->blk.nr_blocks || count > b->blk.nr_blocks - lba)
		return -1;
	if (max > VIRTIO_BLK_REQ_BYTES)
		max = VIRTIO_BLK_REQ_BYTES;
	max &= ~(uint64_t)(b->blk.block_size - 1);
	for (; bytes; bytes -= chunk, sector += chunk / 512, buf = (char *)buf + chunk) {
		chunk = bytes < max ? bytes : max;
		if (request(b, type, sector, buf, chunk, type == VIRTIO_BLK_T_IN))
			return -1;
	}
	debug("virtio-blk: %s %llu blocks at %llu in %u requests", type ? "wrote" : "read",
	      (unsigned long long)count, (unsigned long long)lba, b->requests - before);
	return 0;
}

static int blk_read_cb(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
	return transfer(ctx, VIRTIO_BLK_T_IN, lba, count, buf);
}

static int blk_write_cb(void *ctx, uint64_t lba, uint64_t count, const void *buf)
{
	struct virtio_blk *b = ctx;

	return b->blk.read_only ? -1 : transfer(b, VIRTIO_BLK_T_OUT, lba, count, (void *)buf);
}

static int blk_flush_cb(void *ctx)
{
	return request(ctx, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, false);
}

int virtio_blk_get_id(struct virtio_blk *b, char id[21])
{
	if (request(b, VIRTIO_BLK_T_GET_ID, 0, b->dma->id, sizeof(b->dma->id), true))
		return -1;
	__builtin_memcpy(id, b->dma->id, 20);
	id[20] = '\0';
	return 0;
}

/* Block size, capacity and request limits from the config space. */
static int geometry(struct virtio_blk *b, const char **why)
{
	uint32_t f = (uint32_t)b->vdev.features, bs = 512, size_max, segs = 1;

	if (f & VIRTIO_BLK_F_BLK_SIZE)
		bs = virtio_cfg32(&b->vdev, CFG_BLK_SIZE);
	if (bs < 512 || bs > 4096 || (bs & (bs - 1)))
		return fail(why, "unsupported block size (512 to 4096, a power of two)");
	b->capacity = virtio_cfg64(&b->vdev, CFG_CAPACITY);
	b->blk = (struct blkdev){ .ctx = b, .block_size = bs,
				  .nr_blocks = b->capacity / (bs / 512),
				  .read_only = f & VIRTIO_BLK_F_RO, .read = blk_read_cb,
				  .write = blk_write_cb,
				  .flush = f & VIRTIO_BLK_F_FLUSH ? blk_flush_cb : NULL };
	b->seg_bytes = VIRTIO_BLK_SEG_BYTES;
	size_max = f & VIRTIO_BLK_F_SIZE_MAX ? virtio_cfg32(&b->vdev, CFG_SIZE_MAX) : 0;
	if (size_max && size_max < b->seg_bytes)
		b->seg_bytes = size_max;
	if (f & VIRTIO_BLK_F_SEG_MAX)
		segs = virtio_cfg32(&b->vdev, CFG_SEG_MAX);
	if (!segs)
		segs = 1;
	/* Header and status take two descriptors of the ring. */
	b->max_segs = segs < b->q.size - 2u ? segs : b->q.size - 2u;
	if ((uint64_t)b->seg_bytes * b->max_segs < bs)
		return fail(why, "seg_max and size_max leave less than one block per request");
	return 0;
}

int virtio_blk_init(struct virtio_blk *b, const char **why)
{
	uint64_t wanted = VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_RO |
			  VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH;

	if (b->vdev.type != VIRTIO_ID_BLOCK)
		return fail(why, "not a block device");
	if (virtio_negotiate(&b->vdev, wanted, why) ||
	    virtio_queue_setup(&b->vdev, &b->q, VIRTQ_MAX_SIZE, why))
		goto out;
	if (b->q.size < 3) {
		fail(why, "queue too small for a request");
		goto out;
	}
	b->dma = page_alloc(1);
	if (!b->dma) {
		fail(why, "out of memory");
		goto out;
	}
	if (geometry(b, why))
		goto out;
	virtio_driver_ok(&b->vdev);
	return 0;
out:
	virtio_reset(&b->vdev);
	return -1;
}
