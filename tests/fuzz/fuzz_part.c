/* libFuzzer target for fs/part*.c. Byte 0 of the input holds flags: bit 0, 4096-byte
 * blocks (else 512); bit 1, make the GPT CRCs right afterwards, so the fuzzer gets past
 * them to the fields and entries; bit 2, patch a template disk instead of using the
 * input as the disk; bit 3, that template is an MBR with an extended-partition chain
 * (else a GPT with primary and backup). Raw: byte 1 is a number of zero blocks appended
 * (LBAs past the data), the rest the disk's first blocks. Template: the rest are
 * (offset low, offset high, value) patches, offsets in 512-byte units of each block.
 * A raw disk's data lives in a buffer exactly as large as its blocks. Whatever part_scan
 * reports must be a table a firmware can use as it is. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "console.h"
#include "crc32.h"
#include "part.h"

#define TEMPLATE_BLOCKS 64

void log_msg(int level, const char *fmt, ...)
{
}

/* A small quarantine: each input allocates blocks that ASan would otherwise hand out
 * as fresh pages, and the page faults would cost more than the parsing. */
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=4";
}

struct disk {
	uint8_t *data;
	uint64_t data_blocks;           /* the rest of nr_blocks read as zeros */
	struct blkdev dev;
};

static int disk_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
	struct disk *d = ctx;
	uint32_t bs = d->dev.block_size;

	for (uint64_t i = 0; i < count; i++, lba++) {
		uint8_t *to = (uint8_t *)buf + i * bs;

		if (lba < d->data_blocks)
			memcpy(to, d->data + lba * bs, bs);
		else
			memset(to, 0, bs);
	}
	return 0;
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = v >> 8 * i;
}

/* The CRCs a header at lba would need to be believed, where they can be computed. */
static void fix_crcs(struct disk *d, uint64_t lba)
{
	uint32_t bs = d->dev.block_size, hsize;
	uint64_t size = d->data_blocks * bs, bytes, array;
	uint8_t *h = d->data + lba * bs;

	if (lba >= d->data_blocks || memcmp(h, "EFI PART", 8))
		return;
	bytes = le(h + 80, 4) * le(h + 84, 4), array = le(h + 72, 8), hsize = le(h + 12, 4);
	if (bytes <= PART_ARRAY_MAX && array < d->data_blocks && bytes <= size - array * bs)
		put(h + 88, crc32(d->data + array * bs, bytes), 4);
	if (hsize >= 92 && hsize <= bs) {
		put(h + 16, 0, 4);
		put(h + 16, crc32(h, hsize), 4);
	}
}

/* ---- templates: 64 blocks each ---- */

static void gpt_header(uint8_t *h, uint64_t my, uint64_t alt, uint64_t array)
{
	memcpy(h, "EFI PART", 8);
	put(h + 8, 0x10000, 4);
	put(h + 12, 92, 4);
	put(h + 24, my, 8);
	put(h + 32, alt, 8);
	put(h + 40, 6, 8);                      /* usable 6..58 */
	put(h + 48, 58, 8);
	memset(h + 56, 0x5a, 16);
	put(h + 72, array, 8);
	put(h + 80, 16, 4);                     /* 16 entries of 128 bytes: 4 blocks at 512 */
	put(h + 84, 128, 4);
}

static void gpt_template(struct disk *d)
{
	uint32_t bs = d->dev.block_size;
	uint8_t *mbr = d->data, *e = d->data + 2 * bs;
	static const uint64_t range[3][2] = { { 6, 20 }, { 21, 40 }, { 44, 58 } };

	mbr[446 + 4] = 0xee, mbr[510] = 0x55, mbr[511] = 0xaa;
	put(mbr + 446 + 8, 1, 4);
	put(mbr + 446 + 12, TEMPLATE_BLOCKS - 1, 4);
	for (int i = 0; i < 3; i++) {
		uint8_t *p = e + 128 * (i == 2 ? 5 : i);        /* entries 1, 2 and 6 */

		memset(p, 0x11 * (i + 1), 32);
		put(p + 32, range[i][0], 8);
		put(p + 40, range[i][1], 8);
		p[56] = 'p';
	}
	memcpy(d->data + 59 * bs, e, 16 * 128);
	gpt_header(d->data + bs, 1, 63, 2);
	gpt_header(d->data + 63 * bs, 63, 1, 59);
	fix_crcs(d, 1);
	fix_crcs(d, 63);
}

static void mbr_record(uint8_t *sector, int i, uint8_t type, uint32_t start, uint32_t size)
{
	uint8_t *r = sector + 446 + 16 * i;

	r[4] = type;
	put(r + 8, start, 4);
	put(r + 12, size, 4);
	sector[510] = 0x55, sector[511] = 0xaa;
}

/* Primary 1, extended 2 at 10 holding EBRs at 10, 20 and 30 (logicals 5, 6, 7). */
static void mbr_template(struct disk *d)
{
	uint32_t bs = d->dev.block_size;

	mbr_record(d->data, 0, 0xef, 2, 8);
	mbr_record(d->data, 1, 0x0f, 10, 54);
	for (int i = 0; i < 3; i++) {
		uint8_t *ebr = d->data + (10 + 10 * i) * bs;

		mbr_record(ebr, 0, 0x83, 2, 6);
		if (i < 2)
			mbr_record(ebr, 1, 0x05, 10 * (i + 1), 10);
	}
}

/* Each template built once, copied for each input: fresh pages and CRCs are slow. */
static uint8_t *template(struct disk *d, uint8_t flags)
{
	static uint8_t pristine[4][TEMPLATE_BLOCKS * 4096], work[TEMPLATE_BLOCKS * 4096];
	static bool built[4];
	size_t size = TEMPLATE_BLOCKS * d->dev.block_size;
	int which = (flags & 1) | (flags >> 2 & 2);

	if (!built[which]) {
		d->data = pristine[which];
		flags & 8 ? mbr_template(d) : gpt_template(d);
		built[which] = true;
	}
	return memcpy(work, pristine[which], size);
}

/* ---- the checks ---- */

static void check(const struct disk *d, const struct part_table *t, int r, const char *why)
{
	if (r < 0) {
		if (!why || !*why || t->count || t->parts)
			abort();
		return;
	}
	if ((uint32_t)r != t->count || t->count > PART_MAX || (t->count && !t->parts))
		abort();
	for (uint32_t i = 0; i < t->count; i++) {
		const struct part *p = &t->parts[i];

		if (!p->first_lba || !p->nr_blocks || p->first_lba >= d->dev.nr_blocks ||
		    p->nr_blocks > d->dev.nr_blocks - p->first_lba || p->name[36] ||
		    (i && p->number <= t->parts[i - 1].number) || !p->number)
			abort();
		if (t->scheme == PART_GPT) {
			for (uint32_t j = 0; j < i; j++)
				if (p->first_lba < t->parts[j].first_lba + t->parts[j].nr_blocks &&
				    t->parts[j].first_lba < p->first_lba + p->nr_blocks)
					abort();
		} else if (t->scheme != PART_MBR || p->type_guid[0]) {
			abort();
		}
	}
}

static int scan(const uint8_t *data, size_t size, struct part_table *t)
{
	uint8_t flags = size ? data[0] : 0;
	uint32_t bs = flags & 1 ? 4096 : 512;
	struct disk d = { .dev = { .block_size = bs, .read_only = true, .read = disk_read } };
	const char *why = NULL;
	int r;

	d.dev.ctx = &d;
	if (flags & 4) {
		d.data_blocks = TEMPLATE_BLOCKS;
		d.data = template(&d, flags);
		for (size_t i = 1; i + 3 <= size; i += 3) {
			uint32_t off = (data[i] | data[i + 1] << 8) % (TEMPLATE_BLOCKS * 512);

			d.data[off / 512 * bs + off % 512] = data[i + 2];
		}
	} else {
		size_t have = size > 2 ? size - 2 : 0;

		d.data_blocks = have / bs;
		d.data = malloc(d.data_blocks * bs + 1);
		memcpy(d.data, data + 2, d.data_blocks * bs);
	}
	d.dev.nr_blocks = d.data_blocks + (!(flags & 4) && size > 1 ? data[1] : 0);
	if (flags & 2) {
		fix_crcs(&d, 1);
		if (d.data_blocks)
			fix_crcs(&d, d.data_blocks - 1);
	}
	r = part_scan(&d.dev, t, &why);
	check(&d, t, r, why);
	if (!(flags & 4))
		free(d.data);
	return r;
}

/* The templates as they are: all their partitions, else the fuzzing would be shallow. */
static void self_check(void)
{
	static const uint8_t gpt = 4, gpt4k = 5, mbr = 12, mbr4k = 13;
	struct part_table t;

	if (scan(&gpt, 1, &t) != 3 || t.parts[2].number != 6 || t.parts[2].first_lba != 44)
		abort();
	part_free(&t);
	if (scan(&gpt4k, 1, &t) != 3 || t.parts[1].nr_blocks != 20)
		abort();
	part_free(&t);
	if (scan(&mbr, 1, &t) != 4 || t.parts[3].number != 7 || t.parts[3].first_lba != 32)
		abort();
	part_free(&t);
	if (scan(&mbr4k, 1, &t) != 4 || !t.parts[0].esp)
		abort();
	part_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool checked;
	struct part_table t;

	if (!checked) {
		checked = true;
		self_check();
	}
	scan(data, size, &t);
	part_free(&t);
	return 0;
}
