/* File and directory data: byte ranges on the device, cluster chains walked with a
 * cached position (bounded by the volume's cluster count, so a loop ends), contiguous
 * runs of clusters moved in one blkdev call, and chains grown or cut to a length. */
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "fat_priv.h"

/* Any byte range: whole sectors straight to or from buf, the partial ones at either
 * end through the volume's scratch sector. */
int fat_io(struct fat_volume *v, uint64_t byte, void *buf, uint64_t len, bool write)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t lba = byte / v->bps, off = byte % v->bps, n;

		if (off || len < v->bps) {
			n = v->bps - off < len ? v->bps - off : len;
			if (v->sect_lba != lba) {
				v->sect_lba = UINT64_MAX;
				if (blk_read(&v->dev, lba, 1, v->sect))
					return FAT_DEVICE_ERROR;
				v->sect_lba = lba;
			}
			if (!write) {
				memcpy(p, v->sect + off, n);
			} else {
				memcpy(v->sect + off, p, n);
				if (blk_write(&v->dev, lba, 1, v->sect)) {
					v->sect_lba = UINT64_MAX;
					return FAT_DEVICE_ERROR;
				}
			}
		} else {
			n = len / v->bps * v->bps;
			if (write && v->sect_lba - lba < n / v->bps)
				v->sect_lba = UINT64_MAX;
			if (write ? blk_write(&v->dev, lba, n / v->bps, p)
				  : blk_read(&v->dev, lba, n / v->bps, p))
				return FAT_DEVICE_ERROR;
		}
		byte += n;
		p += n;
		len -= n;
	}
	return FAT_OK;
}

static uint64_t cluster_byte(const struct fat_volume *v, uint32_t c)
{
	return (v->data_start + (uint64_t)(c - 2) * v->spc) * v->bps;
}

uint32_t fat_clusters_for(const struct fat_volume *v, uint64_t bytes)
{
	return (bytes + v->cluster_size - 1) / v->cluster_size;
}

/* f->cur_clus made cluster number idx of f's chain; FAT_END_OF_FILE when the chain is
 * shorter (cur_clus is then its last cluster). */
static int seek(struct fat_file *f, uint32_t idx)
{
	struct fat_volume *v = f->v;
	uint32_t next;
	int rc;

	if (!f->first)
		return FAT_END_OF_FILE;
	if (!fat_valid_cluster(v, f->first)) {
		warn("fat: first cluster %#x is not on the volume\n", f->first);
		return FAT_VOLUME_CORRUPTED;
	}
	if (!f->cur_clus || idx < f->cur_idx) {
		f->cur_idx = 0;
		f->cur_clus = f->first;
	}
	while (f->cur_idx < idx) {
		if (f->cur_idx >= v->nclusters) {
			warn("fat: a cluster chain longer than the volume: a loop\n");
			return FAT_VOLUME_CORRUPTED;
		}
		if ((rc = fat_next(v, f->cur_clus, &next)))
			return rc;
		if (!next)
			return FAT_END_OF_FILE;
		f->cur_clus = next;
		f->cur_idx++;
	}
	return FAT_OK;
}

/* Bytes at pos of f's clusters (or of the fixed root), up to the end of the chain:
 * *done says how many. Clusters that follow each other on disk go in one call. */
int fat_stream(struct fat_file *f, uint64_t pos, void *buf, uint64_t len, bool write,
	       uint64_t *done)
{
	struct fat_volume *v = f->v;
	uint32_t cs = v->cluster_size, clus, next;
	uint8_t *p = buf;
	int rc = FAT_OK;

	*done = 0;
	if (f->fixed_root) {
		uint64_t end = v->root_sectors * v->bps;

		if (pos >= end)
			return FAT_OK;
		len = end - pos < len ? end - pos : len;
		rc = fat_io(v, v->root_start * v->bps + pos, buf, len, write);
		*done = rc ? 0 : len;
		return rc;
	}
	while (len) {
		uint64_t off = pos % cs, run = cs - off;

		if (pos / cs >= v->nclusters)
			break;
		if ((rc = seek(f, pos / cs)))
			break;
		clus = f->cur_clus;
		for (uint32_t c = clus; run < len; c = next) {
			if ((rc = fat_next(v, c, &next)) || next != c + 1)
				break;
			f->cur_idx++;
			f->cur_clus = next;
			run += cs;
		}
		rc = FAT_OK;    /* a bad link ends the run; seek reports it next time */
		run = run < len ? run : len;
		if ((rc = fat_io(v, cluster_byte(v, clus) + off, p, run, write)))
			break;
		p += run;
		pos += run;
		len -= run;
		*done += run;
	}
	return rc == FAT_END_OF_FILE ? FAT_OK : rc;
}

/* All of len bytes, or FAT_END_OF_FILE (a read) or FAT_VOLUME_CORRUPTED (a write: the
 * caller gave the file those clusters) when the chain ends first. */
int fat_stream_all(struct fat_file *f, uint64_t pos, void *buf, uint64_t len, bool write)
{
	uint64_t done;
	int rc = fat_stream(f, pos, buf, len, write, &done);

	if (!rc && done < len)
		rc = write ? FAT_VOLUME_CORRUPTED : FAT_END_OF_FILE;
	return rc;
}

int fat_zero_cluster(struct fat_volume *v, uint32_t c)
{
	void *z = calloc(1, v->cluster_size);
	int rc;

	if (!z)
		return FAT_OUT_OF_RESOURCES;
	rc = fat_io(v, cluster_byte(v, c), z, v->cluster_size, true);
	free(z);
	return rc;
}

static int chain_length(struct fat_file *f, uint32_t *len, uint32_t *last)
{
	int rc;

	*len = 0;
	*last = 0;
	if (!f->first)
		return FAT_OK;
	/* as far as the chain goes: seek stops at its last cluster (or at a loop) */
	if ((rc = seek(f, UINT32_MAX)) != FAT_END_OF_FILE)
		return rc;
	*len = f->cur_idx + 1;
	*last = f->cur_clus;
	return FAT_OK;
}

static int cut(struct fat_file *f, uint32_t clusters)
{
	struct fat_volume *v = f->v;
	uint32_t c, next;
	int rc;

	f->cur_clus = 0;
	if (!clusters) {
		rc = fat_free_chain(v, f->first);
		f->first = 0;
		fat_de_set_cluster(f->de, 0);
		f->dirty = true;
		return rc;
	}
	if ((rc = seek(f, clusters - 1)))
		return rc;
	c = f->cur_clus;
	if ((rc = fat_next(v, c, &next)) || (rc = fat_entry_set(v, c, FAT_EOC)))
		return rc;
	return next ? fat_free_chain(v, next) : FAT_OK;
}

/* Makes f's chain exactly clusters long; new clusters are zeroed when zero is set.
 * When the volume fills up, what was added is given back. */
int fat_chain_resize(struct fat_file *f, uint32_t clusters, bool zero)
{
	uint32_t have, last, c;
	int rc = chain_length(f, &have, &last);

	if (rc)
		return rc;
	if (clusters < have)
		return cut(f, clusters);
	for (uint32_t i = have; i < clusters; i++) {
		rc = fat_alloc(f->v, last, &c);
		if (!rc) {
			if (!f->first) {
				f->first = c;
				fat_de_set_cluster(f->de, c);
				f->dirty = true;
			}
			last = c;
			if (zero)
				rc = fat_zero_cluster(f->v, c);
		}
		if (rc) {
			if (f->first)
				cut(f, have);
			return rc;
		}
	}
	return FAT_OK;
}
