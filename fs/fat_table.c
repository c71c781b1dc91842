/* The file allocation table: a few sectors cached write-back, entries of 12, 16 or 32
 * bits read and written through them, clusters allocated and freed, the free count
 * counted once (FSInfo's is only a hint), and every FAT copy written on flush. */
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "fat_priv.h"

#define FSI_Free_Count  488
#define FSI_Nxt_Free    492

static unsigned first_fat(const struct fat_volume *v)
{
	return v->active_fat < 0 ? 0 : v->active_fat;
}

/* A dirty sector goes to every FAT copy (or only the active one when mirroring is off). */
static int write_slot(struct fat_volume *v, struct fat_cache_slot *s)
{
	for (unsigned i = 0; i < v->nfats; i++) {
		if (v->active_fat >= 0 && i != (unsigned)v->active_fat)
			continue;
		if (blk_write(&v->dev, v->fat_start + (uint64_t)i * v->fat_size + s->sector,
			      s->count, s->buf))
			return FAT_DEVICE_ERROR;
	}
	s->dirty = false;
	return FAT_OK;
}

/* The slot holding FAT sector sector, read in with its neighbours if need be. */
static struct fat_cache_slot *slot_for(struct fat_volume *v, uint32_t sector, int *rc)
{
	struct fat_cache_slot *s = &v->cache[v->cache_last];
	uint32_t first = sector - sector % v->slot_sectors;

	/* A chain walk stays in one slot for thousands of entries: try it first. */
	if (s->valid && s->sector == first)
		return s;
	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++)
		if (v->cache[i].valid && v->cache[i].sector == first)
			return &v->cache[v->cache_last = i];
	v->cache_last = v->cache_next++ % FAT_CACHE_SLOTS;
	s = &v->cache[v->cache_last];
	if (s->valid && s->dirty && (*rc = write_slot(v, s)))
		return NULL;
	s->valid = false;
	s->count = v->fat_size - first < v->slot_sectors ? v->fat_size - first : v->slot_sectors;
	if (blk_read(&v->dev, v->fat_start + (uint64_t)first_fat(v) * v->fat_size + first,
		     s->count, s->buf)) {
		*rc = FAT_DEVICE_ERROR;
		return NULL;
	}
	s->sector = first;
	s->valid = true;
	return s;
}

/* The byte at offset off of the FAT, in the cache; marked dirty when it will change. */
static uint8_t *fat_byte(struct fat_volume *v, uint32_t off, bool dirty, int *rc)
{
	struct fat_cache_slot *s = slot_for(v, off / v->bps, rc);

	if (!s)
		return NULL;
	s->dirty |= dirty;
	return s->buf + (off - s->sector * v->bps);
}

/* An entry's bits in the table: FAT12 packs two entries in three bytes (the odd one in
 * the high 12 bits of its pair), FAT32 reserves the top 4 bits of each. */
static uint32_t entry_mask(const struct fat_volume *v)
{
	return v->bits == 32 ? 0x0FFFFFFF : (1u << v->bits) - 1;
}

/* Entries 12 and 16 bits wide go through 16 bits, those of FAT32 through 32. One slot
 * holds a whole entry: FAT16 and FAT32 entries are aligned to their size, and all of a
 * FAT12 table (fewer than 4096 entries, 6 KiB) is in the first slot. */
_Static_assert(FAT_SLOT_BYTES >= 4096 * 3 / 2, "a FAT12 table spans slots");
static uint32_t entry_at(const struct fat_volume *v, const uint8_t *p, uint32_t shift)
{
	return (v->bits == 32 ? get32(p) : get16(p)) >> shift & entry_mask(v);
}

static int entry_rw(struct fat_volume *v, uint32_t n, uint32_t *val, bool write)
{
	uint64_t bit = (uint64_t)n * v->bits;
	uint32_t shift = bit % 8, mask = entry_mask(v) << shift, x;
	uint8_t *p;
	int rc = FAT_OK;

	if (n >= v->nclusters + 2)
		return FAT_VOLUME_CORRUPTED;
	if (!(p = fat_byte(v, bit / 8, write, &rc)))
		return rc;
	if (!write) {
		*val = entry_at(v, p, shift);
		return FAT_OK;
	}
	x = v->bits == 32 ? get32(p) : get16(p);
	x = (x & ~mask) | (*val << shift & mask);
	if (v->bits == 32)
		put32(p, x);
	else
		put16(p, x);
	return FAT_OK;
}

int fat_entry_get(struct fat_volume *v, uint32_t n, uint32_t *val)
{
	return entry_rw(v, n, val, false);
}

/* The free clusters are counted before the first change: the count reads the FAT from
 * the disk, which the cache then still matches. */
int fat_entry_set(struct fat_volume *v, uint32_t n, uint32_t val)
{
	int rc = fat_count_free(v);

	return rc ? rc : entry_rw(v, n, &val, true);
}

static uint32_t eoc_min(const struct fat_volume *v)
{
	return entry_mask(v) - 7;       /* 0xFF8, 0xFFF8, 0x0FFFFFF8 */
}

int fat_next(struct fat_volume *v, uint32_t c, uint32_t *next)
{
	uint32_t x;
	int rc;

	if (!fat_valid_cluster(v, c))
		return FAT_VOLUME_CORRUPTED;
	rc = fat_entry_get(v, c, &x);
	if (rc)
		return rc;
	if (x >= eoc_min(v)) {
		*next = 0;
		return FAT_OK;
	}
	if (!fat_valid_cluster(v, x)) {
		warn("fat: cluster %u links to %#x, not a cluster of this volume\n", c, x);
		return FAT_VOLUME_CORRUPTED;
	}
	*next = x;
	return FAT_OK;
}

/* Counted once per mount, before the first change (fat_entry_set sees to it), then kept
 * up to date: slot by slot through the cache, each slot's entries read in one loop. */
int fat_count_free(struct fat_volume *v)
{
	uint32_t n = 0, c = 2;
	int rc;

	if (v->free_known)
		return FAT_OK;
	while (c < v->nclusters + 2) {
		uint64_t bit = (uint64_t)c * v->bits, start, end;
		struct fat_cache_slot *s = slot_for(v, bit / 8 / v->bps, &rc);

		if (!s)
			return rc;
		start = (uint64_t)s->sector * v->bps;
		end = start + (uint64_t)s->count * v->bps;
		for (; c < v->nclusters + 2 && (bit = (uint64_t)c * v->bits) / 8 < end; c++)
			n += !entry_at(v, s->buf + (bit / 8 - start), bit % 8);
	}
	v->free_count = n;
	v->free_known = true;
	return FAT_OK;
}

/* A free cluster, marked end-of-chain and linked after prev (0: none), searched from
 * the next-free hint onwards, at most once round the volume. */
int fat_alloc(struct fat_volume *v, uint32_t prev, uint32_t *out)
{
	uint32_t c = v->next_free, x;
	int rc = fat_count_free(v);

	if (rc)
		return rc;
	if (!v->free_count)
		return FAT_NO_SPACE;
	for (uint32_t i = 0; i < v->nclusters; i++, c++) {
		if (!fat_valid_cluster(v, c))
			c = 2;
		if ((rc = fat_entry_get(v, c, &x)))
			return rc;
		if (x)
			continue;
		if ((rc = fat_entry_set(v, c, FAT_EOC)) ||
		    (prev && (rc = fat_entry_set(v, prev, c))))
			return rc;
		v->free_count--;
		v->next_free = c + 1;
		v->fsinfo_dirty = true;
		*out = c;
		return FAT_OK;
	}
	warn("fat: free count said %u, but no cluster is free\n", v->free_count);
	v->free_count = 0;
	return FAT_NO_SPACE;
}

/* Frees first and what follows it. A cluster already free means a cross-link or a
 * chain broken elsewhere: the walk stops there rather than free what is not ours. */
int fat_free_chain(struct fat_volume *v, uint32_t first)
{
	uint32_t c = first, next, x;
	int rc = fat_count_free(v);

	for (uint32_t i = 0; !rc && c && i < v->nclusters; i++) {
		if (!fat_valid_cluster(v, c))
			return FAT_VOLUME_CORRUPTED;
		if ((rc = fat_entry_get(v, c, &x)))
			return rc;
		if (!x) {
			warn("fat: cluster %u of a chain is already free\n", c);
			return FAT_OK;
		}
		next = x >= eoc_min(v) || !fat_valid_cluster(v, x) ? 0 : x;
		if ((rc = fat_entry_set(v, c, 0)))
			return rc;
		v->free_count++;
		v->fsinfo_dirty = true;
		c = next;
	}
	return rc;
}

static int write_fsinfo(struct fat_volume *v)
{
	uint8_t *s = v->sect;

	if (!v->fsinfo_sector || !v->fsinfo_dirty)
		return FAT_OK;
	v->sect_lba = UINT64_MAX;
	if (blk_read(&v->dev, v->fsinfo_sector, 1, s))
		return FAT_DEVICE_ERROR;
	put32(s + FSI_Free_Count, v->free_known ? v->free_count : 0xFFFFFFFF);
	put32(s + FSI_Nxt_Free, v->next_free);
	if (blk_write(&v->dev, v->fsinfo_sector, 1, s))
		return FAT_DEVICE_ERROR;
	v->fsinfo_dirty = false;
	return FAT_OK;
}

int fat_table_flush(struct fat_volume *v)
{
	int rc;

	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++)
		if (v->cache[i].valid && v->cache[i].dirty && (rc = write_slot(v, &v->cache[i])))
			return rc;
	if ((rc = write_fsinfo(v)))
		return rc;
	if (v->dev.flush && !v->dev.read_only && v->dev.flush(v->dev.ctx))
		return FAT_DEVICE_ERROR;
	return FAT_OK;
}
