/* What the FAT files share: the mounted volume, open files, and the helpers of each
 * file (fat.c mount, fat_table.c the FAT, fat_data.c cluster chains and data,
 * fat_dir.c directory entries and names, fat_file.c the EFI_FILE_PROTOCOL shape). */
#ifndef EFILITE_FS_FAT_PRIV_H
#define EFILITE_FS_FAT_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include "blkdev.h"
#include "fat.h"

#define FAT_CACHE_SLOTS 8       /* pieces of the FAT kept (write-back) */
#define FAT_SLOT_BYTES  16384   /* each: a chain walk through a 28 MiB file of 512-byte
				 * clusters reads its 224 KiB of FAT in 14 requests */
#define DIRENT 32               /* bytes in a directory entry */
#define DIR_MAX_BYTES (65536u * DIRENT) /* the spec's limit on a directory */

struct fat_cache_slot {
	uint32_t sector;        /* the first, relative to the start of a FAT */
	uint32_t count;         /* sectors held: slot_sectors, fewer at the FAT's end */
	bool valid, dirty;
	uint8_t *buf;
};

struct fat_volume {
	struct blkdev dev;
	void (*now)(struct fat_time *t);
	unsigned bits;          /* 12, 16, 32 */
	uint32_t bps, spc, cluster_size;
	uint32_t fat_start, fat_size, nfats;
	int active_fat;         /* -1: all FATs mirror each other */
	uint64_t root_start, root_sectors;      /* the fixed root of FAT12/16 */
	uint64_t data_start;
	uint32_t nclusters;     /* valid cluster numbers: 2 .. nclusters + 1 */
	uint32_t root_cluster;  /* FAT32 */
	uint32_t fsinfo_sector; /* 0: none */
	uint32_t free_count, next_free;
	bool free_known, fsinfo_dirty;
	struct fat_cache_slot cache[FAT_CACHE_SLOTS];
	unsigned cache_next, cache_last;        /* the slot to replace next; the last used */
	uint32_t slot_sectors;                  /* FAT_SLOT_BYTES / bps */
	uint8_t *sect;          /* one sector of scratch for partial-sector I/O, */
	uint64_t sect_lba;      /* holding this one (UINT64_MAX: none): directory scans */
	uint8_t label[11];
};

struct fat_file {
	struct fat_volume *v;
	struct fat_file *parent;        /* holds a reference; NULL for the root */
	unsigned refs;
	bool is_dir, fixed_root, writable, dirty;
	uint32_t first;                 /* first cluster; 0: none yet */
	uint32_t size;
	uint64_t pos;
	uint32_t cur_idx, cur_clus;     /* chain cache: cluster cur_clus is number cur_idx */
	uint32_t lfn_off, de_off;       /* where the entries are in the parent */
	uint8_t de[DIRENT];             /* the short entry, as it goes back to disk */
	uint16_t name[FAT_NAME_MAX + 1];
};

/* One directory entry as fat_dir_next found it. */
struct fat_found {
	uint32_t lfn_off, de_off;
	uint8_t de[DIRENT];
	uint16_t name[FAT_NAME_MAX + 1];        /* long name, else the 8.3 name */
	uint16_t sname[13];                     /* the 8.3 name */
};

static inline uint16_t get16(const uint8_t *p) { return p[0] | p[1] << 8; }
static inline uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static inline void put16(uint8_t *p, uint16_t x) { p[0] = x; p[1] = x >> 8; }
static inline void put32(uint8_t *p, uint32_t x) { put16(p, x); put16(p + 2, x >> 16); }

/* fat_table.c */
#define FAT_EOC 0x0FFFFFFFu
int fat_entry_get(struct fat_volume *v, uint32_t n, uint32_t *val);
int fat_entry_set(struct fat_volume *v, uint32_t n, uint32_t val);
int fat_next(struct fat_volume *v, uint32_t c, uint32_t *next);  /* *next 0: end */
int fat_alloc(struct fat_volume *v, uint32_t prev, uint32_t *out);
int fat_free_chain(struct fat_volume *v, uint32_t first);
int fat_count_free(struct fat_volume *v);
int fat_table_flush(struct fat_volume *v);
static inline bool fat_valid_cluster(const struct fat_volume *v, uint32_t c)
{
	return c >= 2 && c - 2 < v->nclusters;
}

/* fat_data.c */
int fat_io(struct fat_volume *v, uint64_t byte, void *buf, uint64_t len, bool write);
int fat_stream(struct fat_file *f, uint64_t pos, void *buf, uint64_t len, bool write,
	       uint64_t *done);
int fat_stream_all(struct fat_file *f, uint64_t pos, void *buf, uint64_t len, bool write);
int fat_chain_resize(struct fat_file *f, uint32_t clusters, bool zero);
uint32_t fat_clusters_for(const struct fat_volume *v, uint64_t bytes);
int fat_zero_cluster(struct fat_volume *v, uint32_t c);

/* fat_dir.c */
int fat_dir_next(struct fat_file *dir, uint32_t *off, struct fat_found *out);
int fat_dir_lookup(struct fat_file *dir, const uint16_t *name, uint32_t len,
		   struct fat_found *out);
int fat_dir_add(struct fat_file *dir, const uint16_t *name, uint32_t len, const uint8_t *de,
		struct fat_found *out);
/* The first short entry (not deleted, not a long name's) called name, 11 bytes as on
 * disk (NULL: the first volume label), at *off and in e; else FAT_NOT_FOUND. */
int fat_dir_find_short(struct fat_file *dir, const uint8_t *name, uint32_t *off, uint8_t *e);
int fat_dir_remove(struct fat_file *dir, uint32_t lfn_off, uint32_t de_off);
int fat_dir_empty(struct fat_file *dir);
bool fat_name_valid(const uint16_t *name, uint32_t len);
uint32_t fat_de_cluster(const struct fat_volume *v, const uint8_t *de);
void fat_de_set_cluster(uint8_t *de, uint32_t c);
void fat_stamp(struct fat_volume *v, uint8_t *de, bool create);
uint32_t fat_u16len(const uint16_t *s, uint32_t max);

#endif
