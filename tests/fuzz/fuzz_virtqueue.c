/* libFuzzer target for drivers/virtqueue.c with a hostile device. The input is a script:
 * the first byte picks the queue size, then each op adds a chain, lets the device write
 * arbitrary bytes over the used ring (entries and idx), or reaps. Whatever the device
 * writes, the driver must only ever reap chains it has in flight, keep every descriptor
 * in exactly one place (a chain in flight or the free list), and never read outside the
 * ring memory (AddressSanitizer: the allocation is exactly VIRTQ_BYTES). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "virtqueue.h"

static void check_accounting(struct virtq *q, const uint8_t *in_flight)
{
	uint8_t owner[VIRTQ_MAX_SIZE] = { 0 };
	unsigned n = 0, i, k, used = 0;

	for (i = 0; i < q->size; i++) {
		if (!in_flight[i])
			continue;
		if (!q->chain_len[i])
			abort();
		for (k = 0, n = i; k < q->chain_len[i]; k++, n = q->desc[n].next) {
			if (n >= q->size || owner[n]++)
				abort();        /* shared or out of the table */
			used++;
		}
	}
	for (i = q->free_head, k = 0; k < q->num_free; k++, i = q->desc[i].next)
		if (i >= q->size || owner[i]++)
			abort();
	if (used + q->num_free != q->size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[64];
	uint8_t in_flight[VIRTQ_MAX_SIZE] = { 0 };
	struct virtq_buf b[VIRTQ_MAX_SIZE];
	struct virtq *q;
	unsigned qsize, i;
	uint32_t len;
	void *mem;
	int h;

	if (size < 1)
		return 0;
	qsize = 1u << (data[0] % 9);
	mem = calloc(1, VIRTQ_BYTES(qsize));
	q = calloc(1, sizeof(*q));
	if (!mem || !q || virtq_init(q, mem, qsize))
		abort();
	for (i = 0; i < VIRTQ_MAX_SIZE; i++)
		b[i] = (struct virtq_buf){ (uintptr_t)buf, sizeof(buf), i & 1 };
	for (size_t p = 1; p + 1 < size; p += 2) {
		uint8_t op = data[p], arg = data[p + 1];

		switch (op % 3) {
		case 0:
			h = virtq_add(q, b, arg % (qsize + 2));
			if (h >= 0) {
				if (h >= (int)qsize || in_flight[h])
					abort();
				in_flight[h] = 1;
			}
			break;
		case 1: {       /* the device scribbles: op's high bits pick the byte */
			uint8_t *used = (uint8_t *)mem + VIRTQ_USED_OFF(qsize);
			unsigned span = 4 + 8 * qsize;

			used[(op >> 2 | (unsigned)arg << 6) % span] = arg;
			break;
		}
		case 2:
			h = virtq_get(q, &len);
			if (h >= 0) {
				if (h >= (int)qsize || !in_flight[h])
					abort();
				in_flight[h] = 0;
			} else if (h != -1 && h != -2) {
				abort();
			}
			break;
		}
		check_accounting(q, in_flight);
	}
	free(mem);
	free(q);
	return 0;
}
