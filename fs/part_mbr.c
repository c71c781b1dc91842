/* MBR partition tables (UEFI 2.10 §5.2.1) with extended partitions: a chain of EBRs, each
 * holding a logical partition relative to itself and a link relative to the start of the
 * extended partition. Numbered as Linux and the UEFI HD() node number them: primaries by
 * slot 1-4, logical partitions 5.. in chain order. Extended containers get no number. */
#include <string.h>
#include "log.h"
#include "part_int.h"

#define MBR_ENTRIES     446             /* four 16-byte records */
#define MBR_TYPE_GPT    0xee
#define MBR_TYPE_ESP    0xef

struct mbr_chain {
	const struct blkdev *d;
	struct part_table *t;
	uint8_t *blk;
	uint32_t next_number;           /* of the next logical partition */
	uint32_t nr_visited;
	uint64_t visited[PART_MAX];     /* EBR blocks seen: a loop is refused, never walked */
};

static bool is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

bool mbr_is_protective(const uint8_t *mbr)
{
	for (int i = 0; i < 4; i++)
		if (mbr[MBR_ENTRIES + 16 * i + 4] == MBR_TYPE_GPT)
			return true;
	return false;
}

/* A data partition: rec is its 16-byte record, base what its StartingLBA counts from. */
static void add_record(const struct blkdev *d, struct part_table *t, const uint8_t *rec,
		       uint64_t base, uint32_t number)
{
	uint64_t first = base + get_le32(rec + 8), size = get_le32(rec + 12);
	struct part *p;

	if (first == 0 || first >= d->nr_blocks || size > d->nr_blocks - first) {
		part_refuse(t, "partition %u (blocks %llu+%llu) is past the end of the disk (%llu blocks)",
			    number, (unsigned long long)first, (unsigned long long)size,
			    (unsigned long long)d->nr_blocks);
		return;
	}
	p = part_add(t, number);
	if (!p)
		return;
	p->first_lba = first;
	p->nr_blocks = size;
	p->mbr_type = rec[4];
	p->esp = rec[4] == MBR_TYPE_ESP;
	memcpy(p->raw, rec, 16);
}

static bool seen(struct mbr_chain *c, uint64_t ebr)
{
	for (uint32_t i = 0; i < c->nr_visited; i++)
		if (c->visited[i] == ebr)
			return true;
	return false;
}

/* One EBR: its data records become partitions; returns the next EBR's block or 0. */
static uint64_t walk_ebr(struct mbr_chain *c, uint64_t ebr, uint64_t ext_start)
{
	const uint8_t *link = NULL;

	if (ebr >= c->d->nr_blocks) {
		warn("MBR: extended partition link to block %llu is past the end of the disk, ignored",
		     (unsigned long long)ebr);
		return 0;
	}
	if (seen(c, ebr) || c->nr_visited == PART_MAX) {
		warn("MBR: extended partition chain loops back to block %llu (or is longer than %u), stopped there",
		     (unsigned long long)ebr, PART_MAX);
		return 0;
	}
	c->visited[c->nr_visited++] = ebr;
	if (blk_read(c->d, ebr, 1, c->blk) || c->blk[510] != 0x55 || c->blk[511] != 0xaa) {
		warn("MBR: no extended boot record at block %llu, chain stopped",
		     (unsigned long long)ebr);
		return 0;
	}
	for (int i = 0; i < 4; i++) {
		const uint8_t *rec = c->blk + MBR_ENTRIES + 16 * i;

		if (!rec[4] || !get_le32(rec + 12))
			continue;
		if (is_extended(rec[4]))
			link = link ? link : rec;
		else
			add_record(c->d, c->t, rec, ebr, c->next_number++);
	}
	return link ? ext_start + get_le32(link + 8) : 0;
}

static void walk_extended(struct mbr_chain *c, uint64_t ext_start)
{
	uint64_t ebr = ext_start;

	if (!ext_start)
		warn("MBR: extended partition at block 0, ignored");
	while (ebr)
		ebr = walk_ebr(c, ebr, ext_start);
}

int mbr_scan(const struct blkdev *d, struct part_table *t, uint8_t *blk, const char **why)
{
	struct mbr_chain c = { .d = d, .t = t, .blk = blk, .next_number = 5 };
	uint8_t rec[4][16];

	memcpy(rec, blk + MBR_ENTRIES, sizeof(rec));
	/* A FAT or other boot sector also ends in 55 AA; its bytes here fail this test. */
	for (int i = 0; i < 4; i++)
		if (rec[i][0] & 0x7f) {
			debug("MBR: boot indicator %#x in record %d: not a partition table",
			      rec[i][0], i + 1);
			return 0;
		}
	/* Four empty records are no table either: FAT on a whole disk looks just so. */
	if (!memcmp(rec, (uint8_t[sizeof(rec)]){ 0 }, sizeof(rec)))
		return 0;
	t->scheme = PART_MBR;
	for (int i = 0; i < 4; i++)
		if (rec[i][4] && get_le32(rec[i] + 12) && !is_extended(rec[i][4]))
			add_record(d, t, rec[i], 0, i + 1);
	for (int i = 0; i < 4; i++)
		if (is_extended(rec[i][4]) && get_le32(rec[i] + 12))
			walk_extended(&c, get_le32(rec[i] + 8));
	return 0;
}
