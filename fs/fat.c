/* Mounting a FAT volume: the BPB checked field by field (a disk is untrusted input),
 * FAT12/16/32 told apart by cluster count as the spec says, FSInfo taken as a hint. */
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "fat_priv.h"

/* BPB offsets (FAT spec §3.1-3.3) */
#define BPB_BytsPerSec  11
#define BPB_SecPerClus  13
#define BPB_RsvdSecCnt  14
#define BPB_NumFATs     16
#define BPB_RootEntCnt  17
#define BPB_TotSec16    19
#define BPB_FATSz16     22
#define BPB_TotSec32    32
#define BPB_FATSz32     36
#define BPB_ExtFlags    40
#define BPB_RootClus    44
#define BPB_FSInfo      48
#define BS_VolLab16     43
#define BS_VolLab32     71
#define FSI_LeadSig     0x41615252
#define FSI_StrucSig    0x61417272
#define FSI_TrailSig    0xAA550000

static int bad(const char *what, uint64_t val)
{
	warn("fat: not mounting: %s (%llu)\n", what, (unsigned long long)val);
	return FAT_VOLUME_CORRUPTED;
}

static bool pow2(uint32_t x) { return x && !(x & (x - 1)); }

/* The geometry from the BPB, every field checked before it is used. */
static int parse_bpb(struct fat_volume *v, const uint8_t *bs)
{
	uint32_t bps = get16(bs + BPB_BytsPerSec), spc = bs[BPB_SecPerClus];
	uint32_t rsvd = get16(bs + BPB_RsvdSecCnt), root_ents = get16(bs + BPB_RootEntCnt);
	uint64_t total = get16(bs + BPB_TotSec16) ?: get32(bs + BPB_TotSec32);
	uint64_t fatsz = get16(bs + BPB_FATSz16) ?: get32(bs + BPB_FATSz32);
	uint64_t data, clusters, fat_holds;

	if (get16(bs + 510) != 0xAA55)
		return bad("no boot signature", get16(bs + 510));
	if (bps != v->dev.block_size)
		return bad("bytes per sector differ from the device's block size", bps);
	if (!pow2(spc) || (uint64_t)spc * bps > 65536)
		return bad("sectors per cluster", spc);
	if (!rsvd || !bs[BPB_NumFATs] || bs[BPB_NumFATs] > 4)
		return bad(rsvd ? "number of FATs" : "reserved sectors", rsvd ? bs[BPB_NumFATs] : 0);
	if (!fatsz || fatsz > 0x1000000)
		return bad("FAT size", fatsz);
	if (!total || total > v->dev.nr_blocks)
		return bad("total sectors beyond the device", total);
	v->bps = bps;
	v->slot_sectors = FAT_SLOT_BYTES / bps;
	v->spc = spc;
	v->cluster_size = bps * spc;
	v->nfats = bs[BPB_NumFATs];
	v->fat_start = rsvd;
	v->fat_size = fatsz;
	v->root_start = rsvd + v->nfats * fatsz;
	v->root_sectors = ((uint64_t)root_ents * DIRENT + bps - 1) / bps;
	data = v->root_start + v->root_sectors;
	if (data >= total)
		return bad("no room for data after the FATs and root", data);
	v->data_start = data;
	clusters = (total - data) / spc;
	v->bits = clusters < 4085 ? 12 : clusters < 65525 ? 16 : 32;
	if ((v->bits == 32) != !root_ents)
		return bad("root entries for this FAT type", root_ents);
	if (v->bits == 32 && clusters > 0x0FFFFFF5)
		clusters = 0x0FFFFFF5;
	fat_holds = fatsz * bps * 8 / v->bits;
	if (fat_holds < 2 + 1)
		return bad("FAT too small", fatsz);
	if (clusters + 2 > fat_holds) {
		warn("fat: the FAT maps %llu of %llu clusters; using those\n",
		     (unsigned long long)(fat_holds - 2), (unsigned long long)clusters);
		clusters = fat_holds - 2;
	}
	if (!clusters)
		return bad("no clusters", 0);
	v->nclusters = clusters;
	v->active_fat = -1;
	memcpy(v->label, bs + (v->bits == 32 ? BS_VolLab32 : BS_VolLab16), 11);
	if (v->bits == 32) {
		if (bs[BPB_ExtFlags] & 0x80)
			v->active_fat = (bs[BPB_ExtFlags] & 15) % v->nfats;
		v->root_cluster = get32(bs + BPB_RootClus) & 0x0FFFFFFF;
		if (!fat_valid_cluster(v, v->root_cluster))
			return bad("root cluster", v->root_cluster);
		v->fsinfo_sector = get16(bs + BPB_FSInfo);
		if (v->fsinfo_sector >= rsvd || v->fsinfo_sector == 0xFFFF)
			v->fsinfo_sector = 0;
	}
	return FAT_OK;
}

/* FSInfo's free count and next-free are hints (spec §5): kept only when in range. */
static void read_fsinfo(struct fat_volume *v)
{
	const uint8_t *s = v->sect;

	v->next_free = 2;
	v->sect_lba = UINT64_MAX;       /* the scratch sector holds other sectors below */
	if (!v->fsinfo_sector || blk_read(&v->dev, v->fsinfo_sector, 1, v->sect))
		return;
	if (get32(s) != FSI_LeadSig || get32(s + 484) != FSI_StrucSig ||
	    get32(s + 508) != FSI_TrailSig) {
		warn("fat: FSInfo signatures wrong; ignoring it\n");
		v->fsinfo_sector = 0;
		return;
	}
	if (fat_valid_cluster(v, get32(s + 492)))
		v->next_free = get32(s + 492);
}

/* The volume and its buffers: the cache's slots, then the scratch sector, in one block. */
static void release(struct fat_volume *v)
{
	free(v->cache[0].buf);
	free(v);
}

int fat_mount(const struct blkdev *dev, void (*now)(struct fat_time *t),
	      struct fat_volume **out)
{
	struct fat_volume *v;
	uint8_t *mem;
	int rc;

	if (dev->block_size < 512 || dev->block_size > 4096 || !pow2(dev->block_size))
		return FAT_INVALID;
	v = calloc(1, sizeof(*v));
	mem = v ? calloc(1, FAT_CACHE_SLOTS * FAT_SLOT_BYTES + dev->block_size) : NULL;
	if (!mem) {
		free(v);
		return FAT_OUT_OF_RESOURCES;
	}
	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++)
		v->cache[i].buf = mem + i * FAT_SLOT_BYTES;
	v->sect = mem + FAT_CACHE_SLOTS * FAT_SLOT_BYTES;
	v->dev = *dev;
	v->now = now;
	rc = FAT_DEVICE_ERROR;
	if (blk_read(&v->dev, 0, 1, v->sect) || (rc = parse_bpb(v, v->sect))) {
		release(v);
		return rc;
	}
	read_fsinfo(v);
	*out = v;
	return FAT_OK;
}

int fat_unmount(struct fat_volume *v)
{
	int rc = fat_table_flush(v);

	release(v);
	return rc;
}

/* The label lives in two places: a VOLUME_ID entry in the root (what Windows, mtools
 * and Linux read first) and the boot sector (what is read when that entry is absent). */
static int root_label(struct fat_volume *v, uint8_t *name, bool write)
{
	struct fat_file *root;
	struct fat_found f;
	uint8_t de[DIRENT];
	uint32_t off;
	bool found;
	int rc = fat_open_root(v, &root);

	if (rc)
		return rc;
	/* a root that cannot be read to its end has no entry we know of: as when it has none,
	 * the boot sector's label is read, and a new entry is put where there is room */
	found = !fat_dir_find_short(root, NULL, &off, de);
	if (!write) {
		if (found)
			memcpy(name, de, 11);   /* else name stays the boot sector's */
	} else {
		if (!found) {
			memset(de, 0, sizeof(de));
			de[11] = FAT_ATTR_VOLUME_ID;
		}
		memcpy(de, name, 11);
		fat_stamp(v, de, !found);
		rc = found ? fat_stream_all(root, off, de, DIRENT, true)
			   : fat_dir_add(root, NULL, 0, de, &f);
	}
	fat_close(root);
	return rc;
}

static void label_to_utf16(const uint8_t *l, uint16_t *out)
{
	int n = 11;

	while (n && l[n - 1] == ' ')
		n--;
	if (n == 7 && !memcmp(l, "NO NAME", 7))
		n = 0;
	for (int i = 0; i < n; i++)
		out[i] = l[i];
	out[n] = 0;
}

int fat_volinfo(struct fat_volume *v, struct fat_volinfo *info)
{
	uint8_t lab[11];
	int rc = fat_count_free(v);

	if (rc)
		return rc;
	memset(info, 0, sizeof(*info));
	info->read_only = v->dev.read_only;
	info->volume_size = (uint64_t)v->nclusters * v->cluster_size;
	info->free_space = (uint64_t)v->free_count * v->cluster_size;
	info->cluster_size = v->cluster_size;
	info->fat_bits = v->bits;
	memcpy(lab, v->label, 11);
	root_label(v, lab, false);
	label_to_utf16(lab, info->label);
	return FAT_OK;
}

int fat_set_label(struct fat_volume *v, const uint16_t *label)
{
	uint8_t name[11];
	uint32_t n = fat_u16len(label, 12);
	int rc;

	if (v->dev.read_only)
		return FAT_WRITE_PROTECTED;
	if (n > 11)
		return FAT_INVALID;
	memset(name, ' ', 11);
	for (uint32_t i = 0; i < n; i++) {
		uint16_t c = label[i];

		if (c >= 'a' && c <= 'z')
			c -= 32;
		if (c < 0x20 || c > 0x7E || memchr("\"*+,./:;<=>?[\\]|", c, 16))
			return FAT_INVALID;
		name[i] = c;
	}
	if (!n)
		memcpy(name, "NO NAME    ", 11);
	if ((rc = root_label(v, name, true)) ||
	    (rc = fat_io(v, v->bits == 32 ? BS_VolLab32 : BS_VolLab16, name, 11, true)))
		return rc;
	memcpy(v->label, name, 11);
	return fat_table_flush(v);
}
