/* libFuzzer target for fs/fat*.c. The input is the start of a disk (the rest reads as
 * zeros, so a small input can still be a FAT32 volume); the sector size is the BPB's
 * when it is one a blkdev may have. Mount, walk the tree (depth and reads bounded),
 * read every file; then, on a copy, create, write, read back, rename, truncate, make a
 * directory, delete, label, flush. Whatever the image, nothing may crash, hang or leak,
 * and what a write put in a file must read back the same. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fat.h"

void log_msg(int level, const char *fmt, ...)
{
	(void)level; (void)fmt;
}

#define DEV_BYTES   (512ull << 20)      /* virtual size: zeros beyond the input */
#define OVERLAY     64                  /* blocks written beyond the input */
#define READ_BUDGET (4u << 20)

struct fuzz_dev {
	uint8_t *data;
	size_t len;
	uint32_t bs;
	uint64_t lba[OVERLAY];
	uint8_t *blk[OVERLAY];
	unsigned used;
	uint64_t read_left;
};

static uint8_t *block(struct fuzz_dev *d, uint64_t lba, bool create)
{
	for (unsigned i = 0; i < d->used; i++)
		if (d->lba[i] == lba)
			return d->blk[i];
	if (!create || d->used == OVERLAY)
		return NULL;
	d->lba[d->used] = lba;
	d->blk[d->used] = calloc(1, d->bs);
	return d->blk[d->used++];
}

static int dev_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
	struct fuzz_dev *d = ctx;
	uint8_t *p = buf;

	for (uint64_t i = 0; i < count; i++, p += d->bs) {
		uint64_t off = (lba + i) * d->bs;
		uint8_t *b = block(d, lba + i, false);

		memset(p, 0, d->bs);
		if (b)
			memcpy(p, b, d->bs);
		else if (off < d->len)
			memcpy(p, d->data + off, d->len - off < d->bs ? d->len - off : d->bs);
	}
	return 0;
}

static int dev_write(void *ctx, uint64_t lba, uint64_t count, const void *buf)
{
	struct fuzz_dev *d = ctx;
	const uint8_t *p = buf;

	for (uint64_t i = 0; i < count; i++, p += d->bs) {
		uint64_t off = (lba + i) * d->bs;
		uint8_t *b;

		if (off + d->bs <= d->len) {
			memcpy(d->data + off, p, d->bs);
			continue;
		}
		if (!(b = block(d, lba + i, true)))
			return -1;      /* the overlay is full: an I/O error, also worth testing */
		memcpy(b, p, d->bs);
	}
	return 0;
}

static void read_file(struct fat_volume *v, struct fat_file *f, uint64_t *budget)
{
	static uint8_t buf[65536];
	struct fat_info info;

	fat_get_info(f, &info);
	for (int i = 0; i < 64 && *budget; i++) {
		uint64_t len = sizeof(buf) < *budget ? sizeof(buf) : *budget;
		uint64_t asked = len;

		if (fat_read(f, buf, &len) || !len)
			break;
		if (len > asked)
			abort();
		*budget -= len;
	}
}

static void walk(struct fat_volume *v, struct fat_file *dir, int depth, uint64_t *budget)
{
	struct fat_info info;

	for (int n = 0; n < 64 && fat_readdir(dir, &info) == FAT_OK; n++) {
		struct fat_file *f;
		uint64_t pos = fat_get_pos(dir);

		if (info.name[0] == '.' && (!info.name[1] || (info.name[1] == '.' && !info.name[2])))
			continue;
		if (*budget < 4096)
			return;
		*budget -= 4096;        /* each open costs: no walk of 64^4 entries */
		if (fat_open(dir, info.name, 0, 0, &f) != FAT_OK)
			continue;
		if (fat_is_dir(f) && depth < 4)
			walk(v, f, depth + 1, budget);
		else if (!fat_is_dir(f))
			read_file(v, f, budget);
		fat_close(f);
		fat_set_pos(dir, pos);
	}
}

static void writes(struct fat_volume *v, struct fat_file *root)
{
	static const uint16_t name[] = u"fuzz file.txt", other[] = u"Renamed File.TXT",
			      sub[] = u"Sub Dir\\x", dname[] = u"Sub Dir", label[] = u"FUZZ";
	static uint8_t data[3000], back[3000];
	struct fat_file *f, *d;
	struct fat_info info;
	uint64_t len = sizeof(data);

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = i * 7 + 1;
	if (fat_open(root, name, FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, &f) == FAT_OK) {
		if (fat_write(f, data, &len) == FAT_OK) {
			uint64_t got = sizeof(back);

			fat_set_pos(f, 0);
			if (fat_read(f, back, &got) == FAT_OK &&
			    (got != sizeof(data) || memcmp(back, data, got)))
				abort();
		}
		if (fat_get_info(f, &info) == FAT_OK) {
			memcpy(info.name, other, sizeof(other));
			info.size = 100;
			fat_set_info(f, &info);
		}
		fat_close(f);
	}
	if (fat_open(root, dname, FAT_OPEN_WRITE | FAT_OPEN_CREATE, FAT_ATTR_DIRECTORY, &d) ==
	    FAT_OK) {
		if (fat_open(root, sub, FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, &f) == FAT_OK) {
			len = 600;
			fat_write(f, data, &len);
			fat_delete(f);
		}
		fat_delete(d);
	}
	if (fat_open(root, other, FAT_OPEN_WRITE, 0, &f) == FAT_OK)
		fat_delete(f);
	fat_set_label(v, label);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	struct fuzz_dev d = { 0 };
	struct blkdev dev = { .ctx = &d, .read = dev_read, .write = dev_write };
	struct fat_volume *v;
	struct fat_file *root;
	struct fat_volinfo vi;
	uint64_t budget = READ_BUDGET;
	uint32_t bps = size > 12 ? in[11] | in[12] << 8 : 512;

	d.bs = bps == 1024 || bps == 2048 || bps == 4096 ? bps : 512;
	d.data = malloc(size + 1);
	memcpy(d.data, in, size);
	d.len = size;
	dev.block_size = d.bs;
	dev.nr_blocks = DEV_BYTES / d.bs;
	if (fat_mount(&dev, NULL, &v) == FAT_OK) {
		fat_volinfo(v, &vi);
		if (fat_open_root(v, &root) == FAT_OK) {
			walk(v, root, 0, &budget);
			writes(v, root);
			fat_set_pos(root, 0);
			walk(v, root, 0, &budget);
			fat_close(root);
		}
		fat_unmount(v);
	}
	for (unsigned i = 0; i < d.used; i++)
		free(d.blk[i]);
	free(d.data);
	return 0;
}
