/* Split virtqueue ring logic (virtio 1.x section 2.7): a free list threaded through the
 * descriptor table's next fields, chains made available in order, used entries reaped
 * in order. Indices are free-running 16-bit counters (they wrap at 65536, as the device's
 * do); a ring slot is the index modulo the queue size. */
#include "virtqueue.h"

/* The device reads the ring after our writes and we read its entries after its idx:
 * the barriers Linux calls virt_wmb/virt_rmb. */
#ifdef __aarch64__
#define wmb() asm volatile("dmb oshst" ::: "memory")
#define rmb() asm volatile("dmb oshld" ::: "memory")
#else
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif

int virtq_init(struct virtq *q, void *mem, unsigned size)
{
	unsigned i;

	if (!size || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
		return -1;
	q->size = size;
	q->desc = mem;
	q->avail = (void *)((char *)mem + VIRTQ_AVAIL_OFF(size));
	q->used = (void *)((char *)mem + VIRTQ_USED_OFF(size));
	q->num_free = size;
	q->free_head = 0;
	q->avail_idx = q->last_used = 0;
	for (i = 0; i < size; i++) {
		q->desc[i].next = i + 1;
		q->chain_len[i] = 0;
	}
	return 0;
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n)
{
	uint16_t head = q->free_head, i = head, last = head;
	unsigned k;

	if (!n || n > q->num_free)
		return -1;
	for (k = 0; k < n; k++) {
		q->desc[i].addr = bufs[k].addr;
		q->desc[i].len = bufs[k].len;
		q->desc[i].flags = (bufs[k].write ? VIRTQ_DESC_F_WRITE : 0) |
				   (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		last = i;
		i = q->desc[i].next;
	}
	q->free_head = i;
	q->desc[last].next = 0;
	q->num_free -= n;
	q->chain_len[head] = n;
	q->avail->ring[q->avail_idx & (q->size - 1)] = head;
	wmb();                          /* the chain and its slot before the index */
	q->avail->idx = ++q->avail_idx;
	return head;
}

int virtq_get(struct virtq *q, uint32_t *len)
{
	uint16_t head, i, n;
	uint32_t id;

	if (q->used->idx == q->last_used)
		return -1;
	rmb();                          /* the entry after the index that published it */
	id = q->used->ring[q->last_used & (q->size - 1)].id;
	*len = q->used->ring[q->last_used & (q->size - 1)].len;
	if (id >= q->size || !q->chain_len[id])
		return -2;
	q->last_used++;
	head = id;
	n = q->chain_len[head];
	q->chain_len[head] = 0;
	q->num_free += n;
	/* The chain goes back on the free list whole: its last descriptor is the n-th
	 * one from the head (the table is ours; the device only reads it). */
	for (i = head; --n; )
		i = q->desc[i].next & (q->size - 1);
	q->desc[i].next = q->free_head;
	q->free_head = head;
	return head;
}
