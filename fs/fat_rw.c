/* Reading, writing and describing open files: data, directory listings, positions,
 * and EFI_FILE_INFO-like information read from and written to the short entry. */
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "fat_priv.h"

#define FAT_FILE_MAX 0xFFFFFFFFull

int fat_read(struct fat_file *f, void *buf, uint64_t *len)
{
	uint64_t n = 0, done = 0;
	int rc;

	if (f->is_dir)
		return FAT_INVALID;
	/* EFI's Read (UEFI 2.10 13.5): an error "on entry, the current file position is
	 * beyond the end of the file" (fat_set_pos may put it there); at the end, 0 bytes */
	if (f->pos > f->size && *len)
		return FAT_DEVICE_ERROR;
	if (f->pos < f->size)
		n = f->size - f->pos < *len ? f->size - f->pos : *len;
	rc = fat_stream(f, f->pos, buf, n, false, &done);
	if (!rc && done < n) {
		/* the size field said more than the chain holds: the chain wins */
		warn("fat: %.11s: size %u is beyond its clusters; reading %llu\n", f->de,
		     f->size, (unsigned long long)(f->pos + done));
		f->size = f->pos + done;
	}
	f->pos += done;
	*len = done;
	return rc;
}

static int write_zeros(struct fat_file *f, uint64_t from, uint64_t to)
{
	uint32_t cs = f->v->cluster_size;
	void *z;
	int rc = FAT_OK;

	if (from >= to)
		return FAT_OK;
	if (!(z = calloc(1, cs)))
		return FAT_OUT_OF_RESOURCES;
	while (!rc && from < to) {
		uint64_t n = to - from < cs ? to - from : cs;

		rc = fat_stream_all(f, from, z, n, true);
		from += n;
	}
	free(z);
	return rc;
}

static int may_write(const struct fat_file *f)
{
	if (f->v->dev.read_only)
		return FAT_WRITE_PROTECTED;
	return f->writable ? FAT_OK : FAT_ACCESS_DENIED;
}

static void set_size(struct fat_file *f, uint64_t size)
{
	f->size = size;
	put32(f->de + 28, size);
	fat_stamp(f->v, f->de, false);
	f->de[11] |= FAT_ATTR_ARCHIVE;
	f->dirty = true;
}

/* Clusters for size, and zeros from the old end to from (a write past the end). */
static int grow(struct fat_file *f, uint64_t size, uint64_t zero_to)
{
	uint64_t old = f->size;
	int rc;

	if (size > FAT_FILE_MAX)
		return FAT_NO_SPACE;
	rc = fat_chain_resize(f, fat_clusters_for(f->v, size > old ? size : old), false);
	if (!rc)
		rc = write_zeros(f, old, zero_to);
	if (rc)
		fat_chain_resize(f, fat_clusters_for(f->v, old), false);
	return rc;
}

int fat_write(struct fat_file *f, const void *buf, uint64_t *len)
{
	uint64_t end = f->pos + *len;
	int rc = f->is_dir ? FAT_UNSUPPORTED : may_write(f);

	if (!rc && (end < f->pos || end > FAT_FILE_MAX))
		rc = FAT_NO_SPACE;
	if (!rc)
		rc = grow(f, end, f->pos);
	if (!rc)
		rc = fat_stream_all(f, f->pos, (void *)buf, *len, true);
	if (rc) {
		*len = 0;
		return rc;
	}
	f->pos = end;
	set_size(f, end > f->size ? end : f->size);
	return FAT_OK;
}

/* What fat_readdir and fat_get_info say of an entry; size is 0 for a directory. */
static void fill_info(struct fat_volume *v, const uint8_t *de, uint32_t size,
		      const uint16_t *name, struct fat_info *info)
{
	info->size = size;
	info->alloc_size = (uint64_t)fat_clusters_for(v, size) * v->cluster_size;
	info->attr = de[11] & FAT_ATTR_VALID;
	info->create = (struct fat_time){ get16(de + 16), get16(de + 14), de[13] };
	info->modify = (struct fat_time){ get16(de + 24), get16(de + 22), 0 };
	info->access = (struct fat_time){ get16(de + 18), 0, 0 };
	memcpy(info->name, name, sizeof(info->name));
}

int fat_readdir(struct fat_file *dir, struct fat_info *info)
{
	static struct fat_found fd;
	uint32_t off = dir->pos > DIR_MAX_BYTES ? DIR_MAX_BYTES : dir->pos;
	int rc;

	if (!dir->is_dir)
		return FAT_INVALID;
	if ((rc = fat_dir_next(dir, &off, &fd)))
		return rc;
	fill_info(dir->v, fd.de, fd.de[11] & FAT_ATTR_DIRECTORY ? 0 : get32(fd.de + 28), fd.name,
		  info);
	dir->pos = off;
	return FAT_OK;
}

uint64_t fat_get_pos(const struct fat_file *f)
{
	return f->pos;
}

int fat_set_pos(struct fat_file *f, uint64_t pos)
{
	f->pos = pos == UINT64_MAX && !f->is_dir ? f->size : pos;
	return FAT_OK;
}

int fat_get_info(struct fat_file *f, struct fat_info *info)
{
	fill_info(f->v, f->de, f->size, f->name, info);      /* f->size is 0 for a directory */
	return FAT_OK;
}

static int resize(struct fat_file *f, uint64_t size)
{
	int rc;

	if (size == f->size)
		return FAT_OK;
	if (size > f->size)
		rc = grow(f, size, size);
	else
		rc = fat_chain_resize(f, fat_clusters_for(f->v, size), false);
	if (!rc)
		set_size(f, size);
	return rc;
}

/* A new name in the same directory: new entries first, then the old ones go, so a
 * failure leaves the file under its old name. */
static int rename_entry(struct fat_file *f, const uint16_t *name, uint32_t len)
{
	static struct fat_found fd;
	int rc;

	for (uint32_t i = 0; i < len; i++)
		if (name[i] == '\\')
			return FAT_UNSUPPORTED;
	if (!fat_name_valid(name, len))
		return FAT_INVALID;
	rc = fat_dir_lookup(f->parent, name, len, &fd);
	if (!rc && fd.de_off != f->de_off)
		return FAT_ACCESS_DENIED;
	if (rc && rc != FAT_NOT_FOUND)
		return rc;
	if ((rc = fat_dir_add(f->parent, name, len, f->de, &fd)))
		return rc;
	if ((rc = fat_dir_remove(f->parent, f->lfn_off, f->de_off)))
		return rc;
	f->lfn_off = fd.lfn_off;
	f->de_off = fd.de_off;
	memcpy(f->de, fd.de, 11);
	memcpy(f->name, fd.name, sizeof(f->name));
	f->dirty = true;
	return FAT_OK;
}

static bool name_differs(const uint16_t *a, const uint16_t *b)
{
	uint32_t n = fat_u16len(a, FAT_NAME_MAX + 1);

	return n != fat_u16len(b, FAT_NAME_MAX + 1) || memcmp(a, b, n * 2);
}

static void set_time(const struct fat_time *t, uint8_t *de, int date_at, int time_at)
{
	if (!t->date)
		return;
	put16(de + date_at, t->date);
	if (time_at)
		put16(de + time_at, t->time);
}

int fat_set_info(struct fat_file *f, const struct fat_info *info)
{
	uint32_t len = fat_u16len(info->name, FAT_NAME_MAX + 1);
	int rc = f->parent ? may_write(f) : FAT_ACCESS_DENIED;

	if (rc)
		return rc;
	if ((info->attr & ~FAT_ATTR_VALID) ||
	    ((info->attr ^ f->de[11]) & FAT_ATTR_DIRECTORY) || (f->is_dir && info->size) ||
	    info->size > FAT_FILE_MAX || !len)
		return (info->attr ^ f->de[11]) & FAT_ATTR_DIRECTORY ? FAT_ACCESS_DENIED
								       : FAT_INVALID;
	if (!f->is_dir && (rc = resize(f, info->size)))
		return rc;
	if (name_differs(info->name, f->name) && (rc = rename_entry(f, info->name, len)))
		return rc;
	set_time(&info->create, f->de, 16, 14);
	set_time(&info->modify, f->de, 24, 22);
	set_time(&info->access, f->de, 18, 0);
	if (info->create.date)
		f->de[13] = info->create.cs;
	f->de[11] = (f->de[11] & FAT_ATTR_DIRECTORY) | (info->attr & ~FAT_ATTR_DIRECTORY);
	f->dirty = true;
	return fat_flush(f);
}
