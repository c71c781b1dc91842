/* Open files and directories, shaped after EFI_FILE_PROTOCOL: paths resolved through
 * parent references (so ".." never trusts the disk's ".." entry), files created and
 * deleted, read and written, their entries written back on flush and close. */
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "fat_priv.h"

static struct fat_file *new_file(struct fat_volume *v, struct fat_file *parent)
{
	struct fat_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->v = v;
	f->refs = 1;
	f->parent = parent;
	if (parent)
		parent->refs++;
	return f;
}

static void put(struct fat_file *f)
{
	while (f && !--f->refs) {
		struct fat_file *p = f->parent;

		free(f);
		f = p;
	}
}

int fat_open_root(struct fat_volume *v, struct fat_file **out)
{
	struct fat_file *f = new_file(v, NULL);

	if (!f)
		return FAT_OUT_OF_RESOURCES;
	f->is_dir = true;
	f->fixed_root = v->bits != 32;
	f->first = v->bits == 32 ? v->root_cluster : 0;
	f->de[11] = FAT_ATTR_DIRECTORY;
	*out = f;
	return FAT_OK;
}

/* The file behind an entry of dir. A directory that is one of its own ancestors would
 * make every walk down the tree endless: refused. */
static int from_found(struct fat_file *dir, const struct fat_found *fd, struct fat_file **out)
{
	struct fat_volume *v = dir->v;
	struct fat_file *f;
	bool is_dir = fd->de[11] & FAT_ATTR_DIRECTORY;
	uint32_t first = fat_de_cluster(v, fd->de);

	if (is_dir && !first) {
		warn("fat: directory %.11s has no cluster\n", fd->de);
		return FAT_VOLUME_CORRUPTED;
	}
	if (is_dir) {
		for (struct fat_file *a = dir; a; a = a->parent)
			if (a->first == first) {
				warn("fat: directory %.11s contains itself\n", fd->de);
				return FAT_VOLUME_CORRUPTED;
			}
	}
	if (!(f = new_file(v, dir)))
		return FAT_OUT_OF_RESOURCES;
	f->is_dir = is_dir;
	f->first = first;
	f->size = is_dir ? 0 : get32(fd->de + 28);
	f->lfn_off = fd->lfn_off;
	f->de_off = fd->de_off;
	memcpy(f->de, fd->de, DIRENT);
	memcpy(f->name, fd->name, sizeof(f->name));
	*out = f;
	return FAT_OK;
}

/* "." and ".." of a new directory (FAT spec §6.7); ".." of a child of the root is 0. */
static int init_dir(struct fat_file *d, struct fat_file *parent)
{
	uint8_t dots[2 * DIRENT];

	memset(dots, 0, sizeof(dots));
	for (int i = 0; i < 2; i++) {
		uint8_t *e = dots + i * DIRENT;

		memcpy(e, d->de, DIRENT);
		memcpy(e, i ? "..         " : ".          ", 11);
		fat_de_set_cluster(e, i ? (parent->parent ? parent->first : 0) : d->first);
	}
	return fat_stream_all(d, 0, dots, sizeof(dots), true);
}

static int create(struct fat_file *dir, const uint16_t *name, uint32_t len, uint8_t attr,
		  struct fat_found *fd, struct fat_file **out)
{
	struct fat_volume *v = dir->v;
	bool is_dir = attr & FAT_ATTR_DIRECTORY;
	struct fat_file *f;
	uint8_t de[DIRENT];
	int rc;

	if (!fat_name_valid(name, len))
		return FAT_INVALID;
	memset(de, 0, sizeof(de));
	de[11] = (attr & FAT_ATTR_VALID) | (is_dir ? 0 : FAT_ATTR_ARCHIVE);
	fat_stamp(v, de, true);
	if (!is_dir)
		return (rc = fat_dir_add(dir, name, len, de, fd)) ? rc : from_found(dir, fd, out);
	/* a directory: its cluster, with "." and "..", before the entry that points to it */
	if (!(f = new_file(v, dir)))
		return FAT_OUT_OF_RESOURCES;
	f->is_dir = true;
	memcpy(f->de, de, DIRENT);
	rc = fat_chain_resize(f, 1, true);
	if (!rc && !(rc = init_dir(f, dir))) {
		memcpy(de, f->de, DIRENT);
		rc = fat_dir_add(dir, name, len, de, fd);
	}
	if (rc && f->first)
		fat_free_chain(v, f->first);
	put(f);
	return rc ? rc : from_found(dir, fd, out);
}

/* One step of a path from *cur: ".", "..", or a name (created when create is set). */
static int step(struct fat_file **cur, const uint16_t *name, uint32_t len, bool create_it,
		uint8_t attr, struct fat_found *fd)
{
	struct fat_file *c = *cur, *next;
	int rc;

	if (len == 1 && name[0] == '.')
		return FAT_OK;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (c->parent) {
			*cur = c->parent;
			c->parent->refs++;
			put(c);
		}
		return FAT_OK;
	}
	if (!c->is_dir)
		return FAT_NOT_FOUND;
	rc = fat_dir_lookup(c, name, len, fd);
	if (rc == FAT_NOT_FOUND && create_it)
		rc = create(c, name, len, attr, fd, &next);
	else if (!rc)
		rc = from_found(c, fd, &next);
	if (rc)
		return rc;
	put(c);
	*cur = next;
	return FAT_OK;
}

/* A handle of its own (position, mode) on what cur is. */
static int clone(struct fat_file *cur, bool writable, struct fat_file **out)
{
	struct fat_file *f = calloc(1, sizeof(*f));

	if (!f)
		return FAT_OUT_OF_RESOURCES;
	memcpy(f, cur, sizeof(*f));
	if (f->parent)
		f->parent->refs++;
	f->refs = 1;
	f->pos = 0;
	f->cur_clus = 0;
	f->dirty = false;
	f->writable = writable;
	*out = f;
	return FAT_OK;
}

int fat_open(struct fat_file *dir, const uint16_t *path, unsigned mode, uint8_t attr,
	     struct fat_file **out)
{
	static struct fat_found fd;
	bool write = mode & FAT_OPEN_WRITE, create_it = mode & FAT_OPEN_CREATE;
	struct fat_file *cur = dir;
	uint32_t i = 0, n;
	int rc = FAT_OK;

	if ((mode & ~3u) || (create_it && !write) || (attr & ~FAT_ATTR_VALID) ||
	    (!dir->is_dir && path[0] != '\\'))	/* an absolute path starts at the root */
		return FAT_INVALID;
	if (write && dir->v->dev.read_only)
		return FAT_WRITE_PROTECTED;
	dir->refs++;
	if (path[0] == '\\') {
		while (cur->parent)
			cur = cur->parent;
		cur->refs++;
		put(dir);
	}
	while (path[i] && !rc) {
		uint32_t k;

		while (path[i] == '\\')
			i++;
		for (n = 0; path[i + n] && path[i + n] != '\\'; n++)
			;
		if (!n)
			break;
		for (k = i + n; path[k] == '\\'; k++)
			;
		rc = step(&cur, path + i, n, create_it && !path[k], attr, &fd);
		i = k;
	}
	if (!rc && write && cur->parent && (cur->de[11] & FAT_ATTR_READ_ONLY))
		rc = FAT_ACCESS_DENIED;
	if (!rc)
		rc = clone(cur, write, out);
	put(cur);
	return rc;
}

bool fat_is_dir(const struct fat_file *f)
{
	return f->is_dir;
}

static int write_de(struct fat_file *f)
{
	int rc;

	if (!f->dirty || !f->parent)
		return FAT_OK;
	rc = fat_stream_all(f->parent, f->de_off, f->de, DIRENT, true);
	f->dirty = rc != FAT_OK;
	return rc;
}

int fat_flush(struct fat_file *f)
{
	int rc;

	if (!f->writable)
		return FAT_ACCESS_DENIED;
	rc = write_de(f);
	return rc ? rc : fat_table_flush(f->v);
}

int fat_close(struct fat_file *f)
{
	int rc = f->writable ? fat_flush(f) : FAT_OK;

	put(f);
	return rc;
}

int fat_delete(struct fat_file *f)
{
	int rc = FAT_OK;

	if (!f->parent || !f->writable)
		rc = FAT_ACCESS_DENIED;
	else if (f->is_dir)
		rc = fat_dir_empty(f);
	if (!rc)
		rc = fat_dir_remove(f->parent, f->lfn_off, f->de_off);
	if (!rc && f->first)
		rc = fat_free_chain(f->v, f->first);
	if (!rc)
		rc = fat_table_flush(f->v);
	put(f);
	return rc;
}
