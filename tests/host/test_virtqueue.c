/* Host tests for drivers/virtqueue.c against a fake device that plays the other side of
 * the split ring (virtio 1.2 section 2.7) as a device would: it takes available heads in
 * order, walks each chain by its NEXT flags, fills the device-writable buffers and
 * returns used entries, in order or not. Index wrap at 65536 and ring wrap at the queue
 * size are driven for real. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "virtqueue.h"

struct fake {
	struct virtq *q;
	uint16_t last_avail;            /* the device's own counter */
	uint16_t used_idx;
	unsigned pending[VIRTQ_MAX_SIZE];   /* heads taken, not yet returned */
	uint32_t pending_len[VIRTQ_MAX_SIZE];
	unsigned nr_pending;
};

static void *ring_mem(unsigned size)
{
	void *m = aligned_alloc(4096, (VIRTQ_BYTES(size) + 4095) & ~4095u);

	assert_non_null(m);
	memset(m, 0, VIRTQ_BYTES(size));
	return m;
}

/* Take every available chain: check it, write a pattern into its writable buffers
 * (the head number, so a mix-up shows), remember it as pending. */
static void fake_take(struct fake *f)
{
	struct virtq *q = f->q;

	while (f->last_avail != q->avail->idx) {
		unsigned head = q->avail->ring[f->last_avail++ % q->size], i = head, n = 0;
		uint32_t written = 0;

		assert_true(head < q->size);
		for (;;) {
			volatile struct virtq_desc *d = &q->desc[i];

			assert_true(++n <= q->size);            /* no loop */
			if (d->flags & VIRTQ_DESC_F_WRITE) {
				memset((void *)(uintptr_t)d->addr, (uint8_t)head, d->len);
				written += d->len;
			}
			if (!(d->flags & VIRTQ_DESC_F_NEXT))
				break;
			i = d->next;
			assert_true(i < q->size);
		}
		f->pending[f->nr_pending] = head;
		f->pending_len[f->nr_pending++] = written;
	}
}

/* Return pending chain k (0: the oldest) as used. */
static void fake_return(struct fake *f, unsigned k)
{
	struct virtq *q = f->q;

	assert_true(k < f->nr_pending);
	q->used->ring[f->used_idx % q->size].id = f->pending[k];
	q->used->ring[f->used_idx % q->size].len = f->pending_len[k];
	q->used->idx = ++f->used_idx;
	memmove(&f->pending[k], &f->pending[k + 1], (f->nr_pending - k - 1) * sizeof(unsigned));
	memmove(&f->pending_len[k], &f->pending_len[k + 1],
		(f->nr_pending - k - 1) * sizeof(uint32_t));
	f->nr_pending--;
}

static void test_layout(void **state)
{
	struct virtq q;
	void *m = ring_mem(256);

	assert_int_equal(virtq_init(&q, m, 0), -1);
	assert_int_equal(virtq_init(&q, m, 3), -1);
	assert_int_equal(virtq_init(&q, m, 512), -1);
	assert_int_equal(virtq_init(&q, m, 256), 0);
	/* Alignments of section 2.7 (16, 2, 4) and the legacy used-ring page. */
	assert_ptr_equal((void *)q.desc, m);
	assert_int_equal((char *)q.avail - (char *)m, 4096);
	assert_int_equal((char *)q.used - (char *)m, 8192);
	assert_int_equal(VIRTQ_BYTES(256), 8192 + 6 + 8 * 256);
	assert_int_equal(VIRTQ_USED_OFF(8), 4096);
	free(m);
}

static void test_chain(void **state)
{
	struct virtq q;
	struct fake f = { .q = &q };
	void *m = ring_mem(8);
	char hdr[16], data[3][100], status = 0x55;
	struct virtq_buf b[] = {
		{ (uintptr_t)hdr, 16, false }, { (uintptr_t)data[0], 100, true },
		{ (uintptr_t)data[1], 100, true }, { (uintptr_t)data[2], 50, true },
		{ (uintptr_t)&status, 1, true },
	};
	uint32_t len;
	int head;

	assert_int_equal(virtq_init(&q, m, 8), 0);
	assert_int_equal(virtq_get(&q, &len), -1);      /* nothing used yet */
	assert_int_equal(virtq_add(&q, b, 0), -1);
	head = virtq_add(&q, b, 5);
	assert_true(head >= 0);
	assert_int_equal(q.avail->idx, 1);
	assert_int_equal(q.num_free, 3);
	/* The chain as the device sees it: readable header, then writable buffers. */
	assert_int_equal(q.desc[head].flags, VIRTQ_DESC_F_NEXT);
	assert_int_equal(q.desc[head].len, 16);
	fake_take(&f);
	assert_int_equal(virtq_get(&q, &len), -1);      /* taken, not yet used */
	fake_return(&f, 0);
	assert_int_equal(virtq_get(&q, &len), head);
	assert_int_equal(len, 251);
	assert_int_equal((uint8_t)data[2][49], head);
	assert_int_equal((uint8_t)status, head);
	assert_int_equal(q.num_free, 8);
	assert_int_equal(virtq_get(&q, &len), -1);
	free(m);
}

static void test_full(void **state)
{
	struct virtq q;
	struct fake f = { .q = &q };
	void *m = ring_mem(4);
	char buf[4];
	struct virtq_buf b[5] = { { (uintptr_t)buf, 1, true }, { (uintptr_t)buf, 1, true },
				  { (uintptr_t)buf, 1, true }, { (uintptr_t)buf, 1, true },
				  { (uintptr_t)buf, 1, true } };
	uint32_t len;
	int h1, h2;

	assert_int_equal(virtq_init(&q, m, 4), 0);
	assert_int_equal(virtq_add(&q, b, 5), -1);      /* longer than the table */
	h1 = virtq_add(&q, b, 3);
	assert_true(h1 >= 0);
	assert_int_equal(virtq_add(&q, b, 2), -1);      /* one left */
	h2 = virtq_add(&q, b, 1);
	assert_true(h2 >= 0 && h2 != h1);
	assert_int_equal(virtq_add(&q, b, 1), -1);
	fake_take(&f);
	fake_return(&f, 1);                             /* out of order: h2 first */
	assert_int_equal(virtq_get(&q, &len), h2);
	assert_int_equal(virtq_add(&q, b, 2), -1);
	assert_true(virtq_add(&q, b, 1) >= 0);          /* h2's descriptor again */
	fake_return(&f, 0);
	assert_int_equal(virtq_get(&q, &len), h1);
	assert_int_equal(q.num_free, 3);
	assert_true(virtq_add(&q, b, 3) >= 0);
	free(m);
}

/* 70000 requests through an 8-entry queue, up to three in flight, chains of 1 to 4
 * descriptors, completed in a shuffled order: avail->idx and used->idx wrap past 65535
 * and every ring slot is reused thousands of times; each buffer holds its own head. */
static void test_wrap(void **state)
{
	struct virtq q;
	struct fake f = { .q = &q };
	void *m = ring_mem(8);
	static uint8_t data[8][4][64];
	unsigned done = 0, issued = 0, seed = 1;
	int heads[8], nr = 0;

	assert_int_equal(virtq_init(&q, m, 8), 0);
	while (done < 70000) {
		unsigned n = 1 + (seed = seed * 1103515245 + 12345) % 4;

		if (nr < 3 && q.num_free >= n) {
			struct virtq_buf b[4];
			int h;

			for (unsigned k = 0; k < n; k++)
				b[k] = (struct virtq_buf){ 0, 64, true };
			h = virtq_add(&q, b, n);
			assert_true(h >= 0);
			/* Point the chain's buffers at the head's own slot, now that it is known. */
			for (unsigned k = 0, i = h; k < n; k++, i = q.desc[i].next)
				q.desc[i].addr = (uintptr_t)data[h][k];
			heads[nr++] = h;
			issued++;
			continue;
		}
		fake_take(&f);
		fake_return(&f, (seed >> 8) % f.nr_pending);
		uint32_t len;
		int h = virtq_get(&q, &len);

		assert_true(h >= 0);
		for (int k = 0; k < nr; k++)
			if (heads[k] == h) {
				heads[k] = heads[--nr];
				goto found;
			}
		fail_msg("virtq_get returned %d, not in flight", h);
found:
		assert_int_equal(len % 64, 0);
		for (unsigned k = 0; k < len / 64; k++)
			assert_int_equal(data[h][k][63], h);
		done++;
	}
	assert_int_equal(q.avail->idx, issued % 65536);
	assert_int_equal(q.used->idx, done % 65536);
	assert_true(issued > 65536);
	free(m);
}

/* The device is not trusted: a used entry that names no chain in flight is refused. */
static void test_bad_device(void **state)
{
	struct virtq q;
	void *m = ring_mem(8);
	char buf[8];
	struct virtq_buf b = { (uintptr_t)buf, 8, true };
	uint32_t len;
	int h;

	assert_int_equal(virtq_init(&q, m, 8), 0);
	h = virtq_add(&q, &b, 1);
	q.used->ring[0].id = 200;                       /* beyond the table */
	q.used->idx = 1;
	assert_int_equal(virtq_get(&q, &len), -2);
	q.used->ring[0].id = (h + 1) % 8;               /* a free descriptor */
	assert_int_equal(virtq_get(&q, &len), -2);
	q.used->ring[0].id = h;
	assert_int_equal(virtq_get(&q, &len), h);
	q.used->ring[1].id = h;                         /* the same head twice */
	q.used->idx = 2;
	assert_int_equal(virtq_get(&q, &len), -2);
	assert_int_equal(q.num_free, 8);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_bad_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
