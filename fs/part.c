/* part_scan: which partition table a disk has (UEFI 2.10 §5.2.3: an MBR with a type 0xEE
 * entry protects a GPT, even in a hybrid MBR), then the scheme's own reader. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "part_int.h"

static const char *scheme_name(const struct part_table *t)
{
	return t->scheme == PART_GPT ? "GPT" : "MBR";
}

void part_refuse(struct part_table *t, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (t->refused++ >= PART_REFUSALS_LOGGED)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn("%s: %s, ignored", scheme_name(t), msg);
}

/* parts[] doubles as needed: most disks have a few partitions, not PART_MAX. */
static bool grow(struct part_table *t)
{
	uint32_t capacity = t->capacity ? 2 * t->capacity : 4;
	struct part *p = calloc(capacity, sizeof(*p));

	if (!p)
		return false;
	if (t->count)
		memcpy(p, t->parts, t->count * sizeof(*p));
	free(t->parts);
	t->parts = p;
	t->capacity = capacity;
	return true;
}

struct part *part_add(struct part_table *t, uint32_t number)
{
	struct part *p;

	if (t->count == PART_MAX) {
		t->dropped++;
		return NULL;
	}
	if (t->count == t->capacity && !grow(t)) {
		t->out_of_memory = true;
		return NULL;
	}
	p = &t->parts[t->count++];
	p->number = number;
	return p;
}

void part_free(struct part_table *t)
{
	free(t->parts);
	t->parts = NULL;
	t->count = t->capacity = 0;
}

static int scan(const struct blkdev *d, struct part_table *t, uint8_t *blk, const char **why)
{
	int r;

	if (blk_read(d, 0, 1, blk))
		return fail(why, "cannot read block 0");
	if (blk[510] != 0x55 || blk[511] != 0xaa)
		return 0;
	t->mbr_signature = get_le32(blk + 440);
	r = mbr_is_protective(blk) ? gpt_scan(d, t, blk, why) : mbr_scan(d, t, blk, why);
	if (t->refused > PART_REFUSALS_LOGGED)
		warn("%s: %u more partitions ignored as above", scheme_name(t),
		     t->refused - PART_REFUSALS_LOGGED);
	if (t->dropped)
		warn("%s: %u more partitions ignored (at most %u are used)", scheme_name(t),
		     t->dropped, PART_MAX);
	if (r == 0 && t->out_of_memory)
		return fail(why, "out of memory");
	return r < 0 ? r : (int)t->count;
}

int part_scan(const struct blkdev *d, struct part_table *t, const char **why)
{
	uint32_t bs = d->block_size;
	uint8_t *blk;
	int r;

	memset(t, 0, sizeof(*t));
	if (bs < 512 || bs > 4096 || (bs & (bs - 1)))
		return fail(why, "block size %u not supported", bs);
	if (!d->nr_blocks)
		return 0;
	blk = calloc(1, bs);
	r = blk ? scan(d, t, blk, why) : fail(why, "out of memory");
	free(blk);
	if (r <= 0) {
		part_free(t);
		if (r < 0)
			t->scheme = PART_NONE;
	}
	return r;
}
