/* Shared by fs/part.c, fs/part_mbr.c and fs/part_gpt.c only. Fields are read byte by
 * byte: on-disk structures are little-endian and need not be aligned in our buffers. */
#ifndef EFILITE_FS_PART_INT_H
#define EFILITE_FS_PART_INT_H

#include <stddef.h>
#include "part.h"
#include "why.h"

static inline uint32_t get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* The next free slot of t, numbered; NULL (and counted in t->dropped) when full. */
struct part *part_add(struct part_table *t, uint32_t number);
/* Logs "GPT: <what>, ignored" (or MBR:) for the first few, counts them all. */
void part_refuse(struct part_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* LBA 0 is in blk (a block_size buffer they may reuse). */
bool mbr_is_protective(const uint8_t *mbr);
int mbr_scan(const struct blkdev *d, struct part_table *t, uint8_t *blk, const char **why);
int gpt_scan(const struct blkdev *d, struct part_table *t, uint8_t *blk, const char **why);

#endif
