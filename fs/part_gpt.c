/* GUID Partition Tables (UEFI 2.10 §5.3): the primary header at LBA 1 and its entry array
 * when both check out, else the backup (the primary's AlternateLBA, else the last block).
 * Entries outside the usable blocks or overlapping an earlier entry are refused with a
 * log line; the other partitions stay usable. */
#include <stdarg.h>
#include <string.h>
#include "log.h"
#include "crc32.h"
#include "part_int.h"

#define GPT_REVISION_MAJOR      1
#define GPT_HEADER_MIN          92
#define GPT_ENTRY_MIN           128

/* EFI_PARTITION_TABLE_HEADER fields we use (byte offsets in the comments). */
struct gpt_header {
	uint64_t my_lba;                /* 24 */
	uint64_t alternate_lba;         /* 32 */
	uint64_t first_usable;          /* 40 */
	uint64_t last_usable;           /* 48 */
	uint8_t disk_guid[16];          /* 56 */
	uint64_t array_lba;             /* 72 */
	uint32_t nr_entries;            /* 80 */
	uint32_t entry_size;            /* 84 */
	uint32_t array_crc;             /* 88 */
};

static const uint8_t esp_guid[16] = {   /* C12A7328-F81F-11D2-BA4B-00A0C93EC93B */
	0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
	0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b,
};

typedef char gpt_msg[96];

static int bad(gpt_msg msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(gpt_msg msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(gpt_msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void parse_header(const uint8_t *b, struct gpt_header *h)
{
	h->my_lba = get_le64(b + 24);
	h->alternate_lba = get_le64(b + 32);
	h->first_usable = get_le64(b + 40);
	h->last_usable = get_le64(b + 48);
	memcpy(h->disk_guid, b + 56, 16);
	h->array_lba = get_le64(b + 72);
	h->nr_entries = get_le32(b + 80);
	h->entry_size = get_le32(b + 84);
	h->array_crc = get_le32(b + 88);
}

/* The header's own fields: signature, revision, size, CRC, MyLBA. */
static int check_header(const struct blkdev *d, uint64_t lba, uint8_t *b, gpt_msg msg)
{
	uint32_t size, want, got;

	if (lba >= d->nr_blocks || blk_read(d, lba, 1, b))
		return bad(msg, "cannot read block %llu", (unsigned long long)lba);
	if (memcmp(b, "EFI PART", 8))
		return bad(msg, "no signature");
	if (get_le32(b + 8) >> 16 != GPT_REVISION_MAJOR)
		return bad(msg, "revision %#x", get_le32(b + 8));
	size = get_le32(b + 12);
	if (size < GPT_HEADER_MIN || size > d->block_size)
		return bad(msg, "header size %u", size);
	want = get_le32(b + 16);
	memset(b + 16, 0, 4);
	got = crc32(b, size);
	if (want != got)
		return bad(msg, "header CRC %#x, computed %#x", want, got);
	if (get_le64(b + 24) != lba)
		return bad(msg, "MyLBA %llu in block %llu", (unsigned long long)get_le64(b + 24),
			   (unsigned long long)lba);
	return 0;
}

/* Where the header puts things: usable blocks and the entry array, inside the disk,
 * apart from each other and from the MBR and this header. */
static int check_layout(const struct blkdev *d, const struct gpt_header *h, gpt_msg msg)
{
	uint64_t bytes = (uint64_t)h->nr_entries * h->entry_size;
	uint64_t blocks = (bytes + d->block_size - 1) / d->block_size, end;

	if (h->first_usable < 2 || h->first_usable > h->last_usable ||
	    h->last_usable >= d->nr_blocks ||
	    (h->my_lba >= h->first_usable && h->my_lba <= h->last_usable))
		return bad(msg, "usable blocks %llu..%llu", (unsigned long long)h->first_usable,
			   (unsigned long long)h->last_usable);
	if (h->entry_size < GPT_ENTRY_MIN || h->entry_size % 8)
		return bad(msg, "entry size %u", h->entry_size);
	if (bytes > PART_ARRAY_MAX)
		return bad(msg, "%u entries of %u bytes", h->nr_entries, h->entry_size);
	if (!blocks)
		return 0;
	end = h->array_lba + blocks - 1;
	if (h->array_lba == 0 || h->array_lba >= d->nr_blocks || blocks > d->nr_blocks - h->array_lba ||
	    (h->my_lba >= h->array_lba && h->my_lba <= end) ||
	    (end >= h->first_usable && h->array_lba <= h->last_usable))
		return bad(msg, "entry array at blocks %llu..%llu",
			   (unsigned long long)h->array_lba, (unsigned long long)end);
	return 0;
}

struct gpt_walk {
	const struct blkdev *d;
	const struct gpt_header *h;
	struct part_table *t;           /* NULL: only the CRC */
	uint8_t *blk;
};

static const struct part *overlapping(const struct part_table *t, uint64_t first, uint64_t last)
{
	for (uint32_t i = 0; i < t->count; i++)
		if (first < t->parts[i].first_lba + t->parts[i].nr_blocks &&
		    last >= t->parts[i].first_lba)
			return &t->parts[i];
	return NULL;
}

/* One EFI_PARTITION_ENTRY (its first 128 bytes), number index + 1. */
static void add_entry(struct gpt_walk *w, const uint8_t *e, uint32_t number)
{
	static const uint8_t unused[16];
	uint64_t first = get_le64(e + 32), last = get_le64(e + 40);
	const struct part *o;
	struct part *p;

	if (!memcmp(e, unused, 16))
		return;
	if (first > last || first < w->h->first_usable || last > w->h->last_usable) {
		part_refuse(w->t, "partition %u (blocks %llu..%llu) is outside the usable blocks %llu..%llu",
			    number, (unsigned long long)first, (unsigned long long)last,
			    (unsigned long long)w->h->first_usable,
			    (unsigned long long)w->h->last_usable);
		return;
	}
	o = overlapping(w->t, first, last);
	if (o) {
		part_refuse(w->t, "partition %u (blocks %llu..%llu) overlaps partition %u", number,
			    (unsigned long long)first, (unsigned long long)last, o->number);
		return;
	}
	p = part_add(w->t, number);
	if (!p)
		return;
	p->first_lba = first;
	p->nr_blocks = last - first + 1;
	memcpy(p->type_guid, e, 16);
	memcpy(p->unique_guid, e + 16, 16);
	p->attributes = get_le64(e + 48);
	for (int i = 0; i < 36; i++)
		p->name[i] = e[56 + 2 * i] | e[57 + 2 * i] << 8;
	p->esp = !memcmp(e, esp_guid, 16);
	memcpy(p->raw, e, 128);
}

/* Streams the entry array block by block: without w->t, its CRC into *crc; with w->t,
 * the entries into the table. An entry may straddle blocks (any multiple of 8 is a
 * legal size). */
static int walk_array(struct gpt_walk *w, uint32_t *crc)
{
	uint64_t total = (uint64_t)w->h->nr_entries * w->h->entry_size, off = 0;
	uint32_t bs = w->d->block_size, in_entry = 0, index = 0;
	uint8_t entry[GPT_ENTRY_MIN];

	*crc = 0;
	for (; off < total; off += bs) {
		uint32_t len = total - off < bs ? total - off : bs;

		if (blk_read(w->d, w->h->array_lba + off / bs, 1, w->blk))
			return -1;
		if (!w->t)
			*crc = crc32_update(*crc, w->blk, len);
		for (uint32_t i = 0; w->t && i < len;) {
			uint32_t take = len - i < w->h->entry_size - in_entry ?
					len - i : w->h->entry_size - in_entry;

			if (in_entry < GPT_ENTRY_MIN)
				memcpy(entry + in_entry, w->blk + i,
				       take < GPT_ENTRY_MIN - in_entry ? take : GPT_ENTRY_MIN - in_entry);
			in_entry += take;
			i += take;
			if (in_entry == w->h->entry_size) {
				add_entry(w, entry, ++index);
				in_entry = 0;
			}
		}
	}
	return 0;
}

/* A header at lba and its entry array, all checked. */
static int load(const struct blkdev *d, uint64_t lba, uint8_t *blk, struct gpt_header *h,
		gpt_msg msg)
{
	struct gpt_walk w = { .d = d, .h = h, .blk = blk };
	uint32_t crc;

	if (check_header(d, lba, blk, msg))
		return -1;
	parse_header(blk, h);
	if (check_layout(d, h, msg))
		return -1;
	if (walk_array(&w, &crc))
		return bad(msg, "cannot read the entry array");
	if (crc != h->array_crc)
		return bad(msg, "entry array CRC %#x, computed %#x", h->array_crc, crc);
	return 0;
}

/* The backup: where a primary that was readable says, else the last block. */
static int load_backup(const struct blkdev *d, uint8_t *blk, struct gpt_header *h,
		       gpt_msg msg)
{
	uint64_t last = d->nr_blocks - 1, alt = h->alternate_lba;

	if (alt > 1 && alt < last && !load(d, alt, blk, h, msg))
		return 0;
	return load(d, last, blk, h, msg);
}

int gpt_scan(const struct blkdev *d, struct part_table *t, uint8_t *blk, const char **why)
{
	struct gpt_header h = { 0 };
	struct gpt_walk w = { .d = d, .h = &h, .t = t, .blk = blk };
	gpt_msg primary, backup;
	uint32_t crc;

	t->scheme = PART_GPT;
	if (load(d, 1, blk, &h, primary)) {
		if (load_backup(d, blk, &h, backup))
			return fail(why, "GPT: primary header bad (%s), backup bad (%s)",
					 primary, backup);
		warn("GPT: primary header bad (%s), using the backup", primary);
		t->gpt_backup = true;
	}
	memcpy(t->disk_guid, h.disk_guid, 16);
	if (walk_array(&w, &crc))
		return fail(why, "GPT: cannot read the entry array again");
	return 0;
}
