/* A split virtqueue (virtio 1.x section 2.7), driven by polling: the pure ring logic,
 * which a host test drives against a fake device (tests/host/test_virtqueue.c). The
 * device is untrusted: a used entry naming no chain in flight is refused, not followed. */
#ifndef EFILITE_VIRTQUEUE_H
#define EFILITE_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2       /* device-writable */
#define VIRTQ_MAX_SIZE     256     /* what we use at most; QEMU offers 256 for virtio-blk */

struct virtq_desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct virtq_avail { uint16_t flags, idx, ring[]; };      /* then used_event */
struct virtq_used_elem { uint32_t id, len; };
struct virtq_used { uint16_t flags, idx; struct virtq_used_elem ring[]; };

/* Where the three parts of a queue of `size` entries go in one zeroed, page-aligned
 * allocation of VIRTQ_BYTES(size): the legacy layout (2.7 "Legacy Interfaces": used ring
 * on the next 4 KiB boundary), which also meets the 1.x alignments (16, 2, 4), so one
 * layout serves virtio-mmio version 1 as well as the modern transports. */
#define VIRTQ_AVAIL_OFF(size) (16u * (size))
#define VIRTQ_USED_OFF(size)  ((VIRTQ_AVAIL_OFF(size) + 6u + 2u * (size) + 4095u) & ~4095u)
#define VIRTQ_BYTES(size)     (VIRTQ_USED_OFF(size) + 6u + 8u * (size))

struct virtq {
	uint16_t size;                  /* a power of two */
	uint16_t num_free, free_head;
	uint16_t avail_idx;             /* our copy of avail->idx: free-running, wraps at 2^16 */
	uint16_t last_used;             /* used entries reaped so far, free-running */
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint16_t chain_len[VIRTQ_MAX_SIZE];   /* per head in flight, 0 otherwise */
};

/* One buffer of a chain: driver-readable, or device-writable when write is set. */
struct virtq_buf {
	uint64_t addr;
	uint32_t len;
	bool write;
};

/* Lay the queue out in mem (VIRTQ_BYTES(size), zeroed); size a power of two up to
 * VIRTQ_MAX_SIZE. Returns 0, or -1 for a bad size. */
int virtq_init(struct virtq *q, void *mem, unsigned size);
/* Put a chain of n buffers in the descriptor table and make it available. Returns its
 * head, or -1 when n is 0 or more than the free descriptors. */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n);
/* Reap one used entry: returns the head it names (and *len, the bytes the device wrote),
 * -1 when none is waiting, -2 when the device returned a head not in flight. */
int virtq_get(struct virtq *q, uint32_t *len);

#endif
