/* Host tests for fs/fat*.c against the real tools: images made by mkfs.vfat (FAT12/16/32,
 * 512 and 4096-byte sectors, at an offset) and filled by mtools, read back and compared;
 * images written by us checked with fsck.vfat -n and read back by mdir/mtype; and broken
 * images (loops, cross-links, absurd BPBs, bad long names) that must be refused or
 * worked around. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <uchar.h>
#include <cmocka.h>
#include "fat.h"

void log_msg(int level, const char *fmt, ...)
{
	(void)level; (void)fmt;         /* the tests check behaviour, not log lines */
}

#define U(s) ((const uint16_t *)u##s)

static char dir[64], img[96];

struct file_dev { int fd; uint64_t off; uint32_t bs; unsigned reads, writes; };

static int dev_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
	struct file_dev *d = ctx;

	d->reads++;
	return pread(d->fd, buf, count * d->bs, d->off + lba * d->bs) == (ssize_t)(count * d->bs) ? 0 : -1;
}

static int dev_write(void *ctx, uint64_t lba, uint64_t count, const void *buf)
{
	struct file_dev *d = ctx;

	d->writes++;
	return pwrite(d->fd, buf, count * d->bs, d->off + lba * d->bs) == (ssize_t)(count * d->bs) ? 0 : -1;
}

static struct file_dev fdev;
static struct blkdev bdev;

/* struct fat_time holds FAT's own encoding (fat.h) */
static struct fat_time fat_time(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
				unsigned sec, unsigned cs)
{
	return (struct fat_time){ .date = (y - 1980) << 9 | mo << 5 | d,
				  .time = h << 11 | mi << 5 | sec / 2, .cs = sec % 2 * 100 + cs };
}

static unsigned year_of(const struct fat_time *t) { return 1980 + (t->date >> 9); }

static void now(struct fat_time *t)
{
	*t = fat_time(2024, 5, 17, 13, 37, 43, 50);     /* 2024-05-17 13:37:43.50 */
}

static void open_dev(uint32_t bs, uint64_t off, bool ro)
{
	fdev.fd = open(img, ro ? O_RDONLY : O_RDWR);
	assert_true(fdev.fd >= 0);
	fdev.off = off;
	fdev.bs = bs;
	fdev.reads = fdev.writes = 0;
	bdev = (struct blkdev){ .ctx = &fdev, .block_size = bs, .read_only = ro,
				.read = dev_read, .write = dev_write };
	bdev.nr_blocks = (lseek(fdev.fd, 0, SEEK_END) - off) / bs;
}

static struct fat_volume *mount_img(uint32_t bs, uint64_t off, bool ro)
{
	struct fat_volume *v = NULL;

	open_dev(bs, off, ro);
	assert_int_equal(fat_mount(&bdev, now, &v), FAT_OK);
	return v;
}

static void unmount(struct fat_volume *v)
{
	assert_int_equal(fat_unmount(v), FAT_OK);
	close(fdev.fd);
}

static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd)) {
		fprintf(stderr, "failed: %s\n", cmd);
		fail();
	}
}

static char *capture(const char *fmt, ...)
{
	static char out[65536];
	char cmd[1024];
	va_list ap;
	FILE *p;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	pclose(p);
	return out;
}

static void fsck_clean(uint64_t off)
{
	char *o = capture("fsck.vfat -n %s%s 2>&1; echo rc=$?", off ? "--offset " : "", img);

	(void)off;
	if (!strstr(o, "rc=0")) {
		fprintf(stderr, "%s", o);
		fail();
	}
}

/* Deterministic file contents: what mcopy gets and what we expect to read. */
static uint8_t *pattern(size_t n, unsigned seed)
{
	uint8_t *p = malloc(n + 1);
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		p[i] = x >> 16;
	}
	return p;
}

static void put_file(const char *host, size_t n, unsigned seed)
{
	uint8_t *p = pattern(n, seed);
	FILE *f = fopen(host, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
	free(p);
}

static size_t fat_u16len_test(const uint16_t *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void a16(uint16_t *out, const char *s)
{
	while ((*out++ = (uint8_t)*s++))
		;
}

static struct fat_file *open_path(struct fat_volume *v, const char *path, unsigned mode,
				  uint8_t attr, int want)
{
	struct fat_file *root, *f = NULL;
	uint16_t p[512];

	a16(p, path);
	assert_int_equal(fat_open_root(v, &root), FAT_OK);
	assert_int_equal(fat_open(root, p, mode, attr, &f), want);
	assert_int_equal(fat_close(root), FAT_OK);
	return f;
}

/* Reads the file in chunks of odd sizes and compares with the pattern. */
static void check_file(struct fat_volume *v, const char *path, size_t n, unsigned seed)
{
	struct fat_file *f = open_path(v, path, 0, 0, FAT_OK);
	uint8_t *want = pattern(n, seed), *got = calloc(1, n + 4096);
	struct fat_info info;
	size_t at = 0;

	assert_int_equal(fat_get_info(f, &info), FAT_OK);
	assert_int_equal(info.size, n);
	for (unsigned chunk = 1; ; chunk = chunk * 3 + 7) {
		uint64_t len = chunk;

		assert_int_equal(fat_read(f, got + at, &len), FAT_OK);
		if (!len)
			break;
		at += len;
	}
	assert_int_equal(at, n);
	assert_memory_equal(got, want, n);
	assert_int_equal(fat_close(f), FAT_OK);
	free(want);
	free(got);
}

static void mkimg(const char *mkfs, unsigned kib)
{
	unlink(img);
	sh("mkfs.vfat %s -C %s %u >/dev/null", mkfs, img, kib);
}

/* cp in-process: every tool started costs, on a loaded machine most of all */
static void copy_file(const char *from, const char *to)
{
	static char buf[1 << 16];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;
	off_t at = 0;

	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		bool zero = true;

		for (ssize_t i = 0; i < n && zero; i++)
			zero = !buf[i];
		if (!zero)
			assert_int_equal(pwrite(out, buf, n, at), n);
		at += n;
	}
	assert_int_equal(ftruncate(out, at), 0);    /* sparse, like the images mkfs makes */
	close(in);
	close(out);
}

/* Long names, deep directories, a fragmented file, all written by mtools (few
 * calls: each costs a process). */
static void fill_with_mtools(const char *at)
{
	char h[128], f[6][160];

	snprintf(h, sizeof(h), "%s/h", dir);
	sh("mmd -i %s ::/EFI ::/EFI/BOOT ::/deep ::/deep/er ::/deep/er/and ::/deep/er/and/deeper",
	   at);
	put_file(h, 5000, 1);
	sh("mcopy -i %s %s ::/EFI/BOOT/BOOTAA64.EFI", at, h);
	put_file(h, 300, 2);
	sh("mcopy -i %s %s '::/deep/er/and/deeper/A file with a Long Name.data'", at, h);
	snprintf(h, sizeof(h), "%s/empty", dir);
	put_file(h, 0, 3);
	/* fragmentation: small files, every other one deleted, then a big one over the gaps */
	for (int i = 0; i < 6; i++) {
		snprintf(f[i], sizeof(f[i]), "%s/frag%d", dir, i);
		put_file(f[i], 700, 10 + i);
	}
	sh("mcopy -i %s %s %s %s %s %s %s %s ::/", at, h, f[0], f[1], f[2], f[3], f[4], f[5]);
	sh("mdel -i %s ::/frag0 ::/frag2 ::/frag4", at);
	snprintf(h, sizeof(h), "%s/h", dir);
	put_file(h, 40000, 4);
	sh("mcopy -i %s %s ::/fragmented.bin", at, h);
	put_file(h, 200000, 5);
	sh("mcopy -i %s %s '::/EFI/big file.bin'", at, h);
}

/* mkimg + fill_with_mtools, made once per format and copied after that. */
static void mkimg_filled(const char *mkfs, unsigned kib)
{
	static char done[8][64];
	char tmpl[160];
	int i;

	for (i = 0; i < 8 && done[i][0] && strcmp(done[i], mkfs); i++)
		;
	snprintf(tmpl, sizeof(tmpl), "%s/tmpl%d", dir, i);
	if (i < 8 && !done[i][0]) {
		mkimg(mkfs, kib);
		fill_with_mtools(img);
		copy_file(img, tmpl);
		snprintf(done[i], sizeof(done[i]), "%s", mkfs);
		return;
	}
	copy_file(tmpl, img);
}

static void check_mtools_tree(struct fat_volume *v)
{
	check_file(v, "\\EFI\\BOOT\\BOOTAA64.EFI", 5000, 1);
	check_file(v, "efi\\boot\\bootaa64.efi", 5000, 1);             /* any case */
	check_file(v, "\\deep\\er\\and\\deeper\\a file with a long name.DATA", 300, 2);
	check_file(v, "\\deep\\.\\er\\..\\er\\and\\deeper\\AFILEW~1.DAT", 300, 2); /* 8.3 */
	check_file(v, "\\empty", 0, 3);
	check_file(v, "frag1", 700, 11);
	check_file(v, "\\fragmented.bin", 40000, 4);
	check_file(v, "\\EFI\\big file.bin", 200000, 5);
	open_path(v, "\\EFI\\nothing", 0, 0, FAT_NOT_FOUND);
	open_path(v, "\\empty\\x", 0, 0, FAT_NOT_FOUND);
}

/* An absolute path opened from a file's handle starts at the root, as EDK2's FAT driver
 * has it: shim's fallback opens \EFI\debian\BOOTAA64.CSV from the CSV's own handle. A
 * relative one stays refused. */
static void absolute_from_a_file(struct fat_volume *v)
{
	struct fat_file *f = open_path(v, "\\EFI\\BOOT\\BOOTAA64.EFI", 0, 0, FAT_OK), *g;
	uint16_t p[64];

	a16(p, "\\EFI\\BOOT\\BOOTAA64.EFI");
	assert_int_equal(fat_open(f, p, 0, 0, &g), FAT_OK);
	fat_close(g);
	a16(p, "BOOTAA64.EFI");
	assert_int_equal(fat_open(f, p, 0, 0, &g), FAT_INVALID);
	fat_close(f);
}

static void test_read(const char *mkfs, unsigned kib, uint32_t bs, unsigned bits)
{
	struct fat_volume *v;
	struct fat_volinfo vi;
	char *o;
	unsigned long long freeb;

	mkimg_filled(mkfs, kib);
	v = mount_img(bs, 0, true);
	/* a directory sector is read once for all its entries: few reads per component */
	fdev.reads = 0;
	fat_close(open_path(v, "\\EFI\\BOOT\\BOOTAA64.EFI", 0, 0, FAT_OK));
	fprintf(stderr, "open of a 3-component path: %u reads\n", fdev.reads);
	assert_true(fdev.reads <= 6);
	absolute_from_a_file(v);
	check_mtools_tree(v);
	assert_int_equal(fat_volinfo(v, &vi), FAT_OK);
	assert_int_equal(vi.fat_bits, bits);
	assert_true(vi.read_only);
	o = capture("mdir -i %s :: | grep 'bytes free' | tr -d ' '", img);
	assert_int_equal(sscanf(o, "%llubytesfree", &freeb), 1);
	assert_int_equal(vi.free_space, freeb);
	unmount(v);
}

static void read_fat12(void **s) { test_read("-F 12", 1440, 512, 12); }
static void read_fat16(void **s) { test_read("-F 16 -s 1", 8192, 512, 16); }
static void read_fat32(void **s) { test_read("-F 32", 40960, 512, 32); }
static void read_fat16_4k(void **s) { test_read("-F 16 -S 4096 -s 1", 20480, 4096, 16); }

/* A partition window: the volume at 1 MiB into the file. */
static void read_at_offset(void **s)
{
	char at[128];
	struct fat_volume *v;

	unlink(img);
	sh("truncate -s 9M %s && mkfs.vfat -F 16 -s 1 --offset 2048 %s 8192 >/dev/null", img, img);
	snprintf(at, sizeof(at), "%s@@1M", img);
	fill_with_mtools(at);
	v = mount_img(512, 1 << 20, true);
	check_mtools_tree(v);
	unmount(v);
}

/* A contiguous 200 KB file is one run of clusters: a handful of device reads. */
static void read_runs(void **s)
{
	struct fat_volume *v;
	struct fat_file *f;
	uint8_t *buf = malloc(200000);
	uint64_t len = 200000;
	char h[128];

	mkimg("-F 32", 40960);
	snprintf(h, sizeof(h), "%s/h", dir);
	put_file(h, 200000, 5);
	sh("mcopy -i %s %s ::/big", img, h);
	v = mount_img(512, 0, true);
	f = open_path(v, "big", 0, 0, FAT_OK);
	fdev.reads = 0;
	assert_int_equal(fat_read(f, buf, &len), FAT_OK);
	assert_int_equal(len, 200000);
	fprintf(stderr, "200000 bytes in %u reads\n", fdev.reads);
	assert_true(fdev.reads <= 8);   /* data, the partial tail, the FAT's 4 sectors */
	fat_close(f);
	unmount(v);
	free(buf);
}

static void list_root(struct fat_volume *v, char *out, size_t size)
{
	struct fat_file *root;
	struct fat_info info;
	size_t n = 0;

	assert_int_equal(fat_open_root(v, &root), FAT_OK);
	while (fat_readdir(root, &info) == FAT_OK) {
		for (int i = 0; info.name[i] && n + 2 < size; i++)
			out[n++] = info.name[i] < 0x80 ? info.name[i] : '?';
		if (info.attr & FAT_ATTR_DIRECTORY)
			out[n++] = '/';
		out[n++] = ' ';
	}
	out[n] = 0;
	fat_close(root);
}

static void readdir_and_info(void **s)
{
	struct fat_volume *v;
	struct fat_file *d;
	struct fat_info info;
	char list[1024];
	uint64_t pos;

	mkimg_filled("-F 12", 1440);
	sh("mlabel -i %s ::MYLABEL", img);
	sh("mattrib -i %s +r +h ::/frag1", img);
	v = mount_img(512, 0, true);
	list_root(v, list, sizeof(list));
	assert_string_equal(list, "EFI/ deep/ empty frag1 frag3 frag5 fragmented.bin ");
	d = open_path(v, "\\deep\\er", 0, 0, FAT_OK);
	assert_true(fat_is_dir(d));
	pos = fat_get_pos(d);
	assert_int_equal(fat_readdir(d, &info), FAT_OK);
	assert_int_equal(info.name[0], '.');
	assert_int_equal(info.name[1], 0);
	assert_int_equal(fat_set_pos(d, pos), FAT_OK);          /* the same entry again */
	assert_int_equal(fat_readdir(d, &info), FAT_OK);
	assert_int_equal(info.name[1], 0);
	assert_int_equal(fat_readdir(d, &info), FAT_OK);
	assert_memory_equal(info.name, U(".."), 6);
	assert_int_equal(fat_readdir(d, &info), FAT_OK);
	assert_memory_equal(info.name, U("and"), 8);
	assert_true(info.attr & FAT_ATTR_DIRECTORY);
	assert_int_equal(fat_readdir(d, &info), FAT_END_OF_FILE);
	fat_close(d);
	d = open_path(v, "frag1", 0, 0, FAT_OK);
	assert_int_equal(fat_get_info(d, &info), FAT_OK);
	assert_int_equal(info.attr & 7, FAT_ATTR_READ_ONLY | FAT_ATTR_HIDDEN);
	assert_int_equal(info.alloc_size, 1024);        /* 700 bytes in 2 sectors of 512 */
	assert_true(year_of(&info.modify) >= 2024 && (info.modify.date >> 5 & 15) >= 1 &&
		    (info.modify.date & 31) >= 1);
	fat_close(d);
	struct fat_volinfo vi;
	assert_int_equal(fat_volinfo(v, &vi), FAT_OK);
	assert_memory_equal(vi.label, U("MYLABEL"), 16);
	assert_int_equal(vi.cluster_size, 512);
	unmount(v);
}

static void write_all(struct fat_file *f, size_t n, unsigned seed)
{
	uint8_t *p = pattern(n, seed);
	uint64_t len = n;

	assert_int_equal(fat_write(f, p, &len), FAT_OK);
	assert_int_equal(len, n);
	free(p);
}

static void check_mtype(const char *path, size_t n, unsigned seed)
{
	char h[128];
	uint8_t *want = pattern(n, seed), *got = malloc(n + 1);
	FILE *f;

	snprintf(h, sizeof(h), "%s/out", dir);
	sh("mtype -i %s '::%s' > %s", img, path, h);
	f = fopen(h, "rb");
	assert_non_null(f);
	assert_int_equal(fread(got, 1, n + 1, f), n);
	fclose(f);
	assert_memory_equal(got, want, n);
	free(want);
	free(got);
}

static void test_write(const char *mkfs, unsigned kib, uint32_t bs)
{
	struct fat_volume *v;
	struct fat_file *f, *d;
	struct fat_info info;
	char *o;

	mkimg_filled(mkfs, kib);
	v = mount_img(bs, 0, false);
	/* create and write, in a new directory with a long name */
	d = open_path(v, "\\New Directory", FAT_OPEN_WRITE | FAT_OPEN_CREATE,
		      FAT_ATTR_DIRECTORY, FAT_OK);
	assert_true(fat_is_dir(d));
	assert_int_equal(fat_open(d, U("written file.txt"), FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0,
				  &f), FAT_OK);
	write_all(f, 30000, 7);
	assert_int_equal(fat_close(f), FAT_OK);
	/* many entries: the directory grows past its first cluster */
	for (int i = 0; i < 40; i++) {
		uint16_t name[64];
		char a[64];

		snprintf(a, sizeof(a), "entry number %d with a long name", i);
		a16(name, a);
		assert_int_equal(fat_open(d, name, FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, &f), FAT_OK);
		write_all(f, i * 10, 100 + i);
		assert_int_equal(fat_close(f), FAT_OK);
	}
	fat_close(d);
	/* extend an mtools file past its end: the gap reads as zeros */
	f = open_path(v, "\\EFI\\BOOT\\BOOTAA64.EFI", FAT_OPEN_WRITE, 0, FAT_OK);
	assert_int_equal(fat_set_pos(f, UINT64_MAX), FAT_OK);
	assert_int_equal(fat_get_pos(f), 5000);
	write_all(f, 3000, 8);
	assert_int_equal(fat_close(f), FAT_OK);
	/* truncate, rename, delete */
	f = open_path(v, "\\fragmented.bin", FAT_OPEN_WRITE, 0, FAT_OK);
	assert_int_equal(fat_get_info(f, &info), FAT_OK);
	info.size = 1234;
	a16(info.name, "renamed and truncated.bin");
	info.attr |= FAT_ATTR_READ_ONLY;
	assert_int_equal(fat_set_info(f, &info), FAT_OK);
	assert_int_equal(fat_close(f), FAT_OK);
	f = open_path(v, "\\EFI\\big file.bin", FAT_OPEN_WRITE, 0, FAT_OK);
	assert_int_equal(fat_delete(f), FAT_OK);
	f = open_path(v, "\\deep\\er", FAT_OPEN_WRITE, 0, FAT_OK);
	assert_int_equal(fat_delete(f), FAT_ACCESS_DENIED);     /* not empty */
	f = open_path(v, "\\deep\\er\\and\\deeper\\A file with a Long Name.data", FAT_OPEN_WRITE,
		      0, FAT_OK);
	assert_int_equal(fat_delete(f), FAT_OK);
	f = open_path(v, "\\deep\\er\\and\\deeper", FAT_OPEN_WRITE, 0, FAT_OK);
	assert_int_equal(fat_delete(f), FAT_OK);
	open_path(v, "\\renamed and truncated.bin", FAT_OPEN_WRITE, 0, FAT_ACCESS_DENIED);
	/* the new directory's ".." and ".": usable */
	check_file(v, "\\New Directory\\..\\New Directory\\.\\written file.txt", 30000, 7);
	unmount(v);

	fsck_clean(0);
	check_mtype("/New Directory/written file.txt", 30000, 7);
	check_mtype("/New Directory/entry number 39 with a long name", 390, 139);
	check_mtype("/renamed and truncated.bin", 1234, 4);
	o = capture("mdir -i %s ::/EFI 2>&1", img);
	assert_null(strstr(o, "big file"));
	o = capture("mdir -i %s ::/deep/er/and 2>&1", img);
	assert_null(strstr(o, "deeper"));
	o = capture("mattrib -i %s '::/renamed and truncated.bin'", img);
	assert_non_null(strstr(o, "R"));
	/* the extended file: old data, zeros? no: the write was at the end, so old + new */
	v = mount_img(bs, 0, true);
	f = open_path(v, "\\EFI\\BOOT\\BOOTAA64.EFI", 0, 0, FAT_OK);
	{
		uint8_t *got = malloc(8000), *a = pattern(5000, 1), *b = pattern(3000, 8);
		uint64_t len = 8000;

		assert_int_equal(fat_read(f, got, &len), FAT_OK);
		assert_int_equal(len, 8000);
		assert_memory_equal(got, a, 5000);
		assert_memory_equal(got + 5000, b, 3000);
		free(got); free(a); free(b);
	}
	fat_close(f);
	unmount(v);
}

static void write_fat12(void **s) { test_write("-F 12", 1440, 512); }
static void write_fat16(void **s) { test_write("-F 16 -s 1", 8192, 512); }
static void write_fat32(void **s) { test_write("-F 32", 40960, 512); }
static void write_fat32_4k(void **s) { test_write("-F 32 -S 4096 -s 1", 270000, 4096); }

/* A write past the end leaves zeros; extending by set_info too; 8.3 aliases unique. */
static void write_gap_and_aliases(void **s)
{
	struct fat_volume *v;
	struct fat_file *f;
	struct fat_info info;
	uint8_t buf[3000];
	uint64_t len;
	char *o;

	mkimg("-F 16 -s 1", 8192);
	v = mount_img(512, 0, false);
	f = open_path(v, "gap", FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, FAT_OK);
	assert_int_equal(fat_set_pos(f, 2000), FAT_OK);
	write_all(f, 10, 9);
	assert_int_equal(fat_get_info(f, &info), FAT_OK);
	assert_int_equal(info.size, 2010);
	info.size = 2900;
	info.modify = fat_time(2023, 3, 4, 5, 6, 8, 0);
	info.attr |= FAT_ATTR_SYSTEM;
	assert_int_equal(fat_set_info(f, &info), FAT_OK);
	assert_int_equal(fat_get_info(f, &info), FAT_OK);
	assert_int_equal(year_of(&info.modify), 2023);
	assert_int_equal((info.modify.time & 31) * 2, 8);
	assert_int_equal(year_of(&info.create), 2024);  /* from now() at creation */
	assert_int_equal((info.create.time & 31) * 2, 42);
	assert_int_equal(info.create.cs, 150);          /* odd: the 10 ms field holds 1 s */
	assert_int_equal(fat_set_pos(f, 0), FAT_OK);
	len = sizeof(buf);
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(fat_read(f, buf, &len), FAT_OK);
	assert_int_equal(len, 2900);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(buf[i], 0);
	for (int i = 2010; i < 2900; i++)
		assert_int_equal(buf[i], 0);
	len = 1;                                        /* at the end: nothing, no error */
	assert_int_equal(fat_read(f, buf, &len), FAT_OK);
	assert_int_equal(len, 0);
	assert_int_equal(fat_set_pos(f, 3000), FAT_OK);  /* beyond it: EFI's device error */
	len = 1;
	assert_int_equal(fat_read(f, buf, &len), FAT_DEVICE_ERROR);
	assert_int_equal(len, 1);
	len = 0;
	assert_int_equal(fat_read(f, buf, &len), FAT_OK);
	fat_close(f);
	for (int i = 0; i < 12; i++) {
		char name[64];

		snprintf(name, sizeof(name), "Long Name Prefix %d.text", i);
		fat_close(open_path(v, name, FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, FAT_OK));
	}
	fat_close(open_path(v, "UPPER.TXT", FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, FAT_OK));
	fat_close(open_path(v, "lower.txt", FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, FAT_OK));
	/* creating what exists opens it */
	fat_close(open_path(v, "LOWER.TXT", FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, FAT_OK));
	open_path(v, "bad*name", FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, FAT_INVALID);
	open_path(v, "nodir\\file", FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, FAT_NOT_FOUND);
	unmount(v);
	fsck_clean(0);
	o = capture("mdir -a -i %s ::", img);
	assert_non_null(strstr(o, "LONGNA~1 TEX"));
	assert_non_null(strstr(o, "LONGN~10 TEX"));
	assert_non_null(strstr(o, "Long Name Prefix 11.text"));
	assert_non_null(strstr(o, "UPPER    TXT"));
	assert_non_null(strstr(o, "lower.txt"));
	assert_null(strstr(o, "LOWER~1"));
	if (!strstr(o, " 2900 2023-03-04"))
		fprintf(stderr, "%s", o);
	assert_non_null(strstr(o, " 2900 2023-03-04"));
	o = capture("mattrib -i %s ::/gap", img);
	assert_non_null(strstr(o, "S"));
}

/* Names at the LFN entry boundaries, the longest, and beyond ASCII (a surrogate pair):
 * written, fsck-clean, found again and listed exactly as given. */
static void long_and_unicode_names(void **s)
{
	static uint16_t names[5][FAT_NAME_MAX + 2];
	struct fat_volume *v;
	struct fat_file *root, *f;
	struct fat_info info;
	const uint16_t uni[] = u"Gr\u00fc\u00dfe \u2603 \U0001F600.txt";
	int seen = 0;

	for (int i = 0; i < 13; i++)
		names[0][i] = 'a' + i;                  /* one LFN entry, no terminator */
	for (int i = 0; i < 26; i++)
		names[1][i] = 'A' + i % 26;             /* two, no terminator */
	for (int i = 0; i < FAT_NAME_MAX; i++)
		names[2][i] = '0' + i % 10;             /* the longest */
	memcpy(names[3], uni, sizeof(uni));
	for (int i = 0; i < FAT_NAME_MAX + 1; i++)
		names[4][i] = 'x';                      /* one too long */
	mkimg("-F 16 -s 1", 8192);
	v = mount_img(512, 0, false);
	assert_int_equal(fat_open_root(v, &root), FAT_OK);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(fat_open(root, names[i], FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, &f),
				 FAT_OK);
		fat_close(f);
	}
	assert_int_equal(fat_open(root, names[4], FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, &f),
			 FAT_INVALID);
	fat_close(root);
	unmount(v);
	fsck_clean(0);
	v = mount_img(512, 0, true);
	assert_int_equal(fat_open_root(v, &root), FAT_OK);
	while (fat_readdir(root, &info) == FAT_OK)
		for (int i = 0; i < 4; i++)
			if (!memcmp(info.name, names[i], (fat_u16len_test(names[i]) + 1) * 2))
				seen |= 1 << i;
	assert_int_equal(seen, 15);
	names[0][0] = 'A';                              /* any case */
	assert_int_equal(fat_open(root, names[0], 0, 0, &f), FAT_OK);
	fat_close(f);
	assert_int_equal(fat_open(root, uni, 0, 0, &f), FAT_OK);
	fat_close(f);
	fat_close(root);
	unmount(v);
}

/* Fill the volume: FAT_NO_SPACE, nothing leaked, and the space back after a delete. */
static void full_volume(void **s)
{
	struct fat_volume *v;
	struct fat_file *f;
	struct fat_volinfo vi;
	uint64_t total = 0, before;
	uint8_t *chunk = calloc(1, 65536);
	int rc;

	mkimg("-F 12", 1440);
	v = mount_img(512, 0, false);
	assert_int_equal(fat_volinfo(v, &vi), FAT_OK);
	before = vi.free_space;
	f = open_path(v, "filler", FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, FAT_OK);
	for (;;) {
		uint64_t len = 65536;

		rc = fat_write(f, chunk, &len);
		if (rc)
			break;
		total += len;
	}
	assert_int_equal(rc, FAT_NO_SPACE);
	for (uint64_t len = 512; len; len /= 2) {       /* the last clusters, smaller writes */
		uint64_t l = len;

		while (fat_write(f, chunk, &l) == FAT_OK)
			total += l;
	}
	assert_int_equal(fat_volinfo(v, &vi), FAT_OK);
	assert_int_equal(vi.free_space, 0);
	assert_int_equal(total, before);
	fat_close(f);
	f = open_path(v, "another", FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, FAT_OK);
	uint64_t one = 1;
	assert_int_equal(fat_write(f, chunk, &one), FAT_NO_SPACE);
	fat_close(f);
	unmount(v);
	fsck_clean(0);
	v = mount_img(512, 0, false);
	f = open_path(v, "filler", FAT_OPEN_WRITE, 0, FAT_OK);
	assert_int_equal(fat_delete(f), FAT_OK);
	assert_int_equal(fat_volinfo(v, &vi), FAT_OK);
	assert_int_equal(vi.free_space, before);
	unmount(v);
	fsck_clean(0);
	free(chunk);
}

/* FAT32: a wrong FSInfo free count is only a hint; after writes FSInfo is right. */
static void fsinfo_hint(void **s)
{
	struct fat_volume *v;
	struct fat_volinfo vi;
	struct fat_file *f;
	uint8_t b[4] = { 5, 0, 0, 0 };
	int fd;

	mkimg("-F 32", 40960);
	fd = open(img, O_RDWR);
	assert_int_equal(pwrite(fd, b, 4, 512 + 488), 4);       /* FSInfo at sector 1 */
	close(fd);
	v = mount_img(512, 0, false);
	assert_int_equal(fat_volinfo(v, &vi), FAT_OK);
	assert_true(vi.free_space > 5 * 512);
	f = open_path(v, "x", FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, FAT_OK);
	write_all(f, 5000, 3);
	fat_close(f);
	unmount(v);
	fsck_clean(0);
}

static void read_only(void **s)
{
	struct fat_volume *v;
	struct fat_file *f, *root;
	struct fat_info info;
	uint64_t len = 1;

	mkimg_filled("-F 12", 1440);
	v = mount_img(512, 0, true);
	open_path(v, "new", FAT_OPEN_WRITE | FAT_OPEN_CREATE, 0, FAT_WRITE_PROTECTED);
	open_path(v, "empty", FAT_OPEN_WRITE, 0, FAT_WRITE_PROTECTED);
	f = open_path(v, "empty", 0, 0, FAT_OK);
	assert_int_equal(fat_write(f, "x", &len), FAT_WRITE_PROTECTED);
	assert_int_equal(fat_get_info(f, &info), FAT_OK);
	assert_int_equal(fat_set_info(f, &info), FAT_WRITE_PROTECTED);
	fat_close(f);
	assert_int_equal(fat_set_label(v, U("X")), FAT_WRITE_PROTECTED);
	assert_int_equal(fat_open_root(v, &root), FAT_OK);
	assert_int_equal(fat_delete(root), FAT_ACCESS_DENIED);
	unmount(v);
}

static void label(void **s)
{
	struct fat_volume *v;
	char *o;

	for (int bits = 12; bits <= 32; bits += bits == 12 ? 4 : 16) {
		char mk[16];

		snprintf(mk, sizeof(mk), "-F %d", bits);
		mkimg(mk, bits == 32 ? 40960 : bits == 16 ? 16384 : 8192);
		v = mount_img(512, 0, false);
		assert_int_equal(fat_set_label(v, U("efi-lite")), FAT_OK);
		unmount(v);
		fsck_clean(0);
		o = capture("mlabel -i %s -s ::", img);
		assert_non_null(strstr(o, "EFI-LITE"));
	}
}

/* ---- broken images ---- */
static void patch(uint64_t off, const void *p, size_t n)
{
	int fd = open(img, O_RDWR);

	assert_int_equal(pwrite(fd, p, n, off), n);
	close(fd);
}

static void patch16(uint64_t off, uint16_t x) { patch(off, &x, 2); }

static uint64_t find(const char *what, size_t n)
{
	char *o = capture("grep -obUaP '%s' %s | head -1", what, img);
	(void)n;
	return strtoull(o, NULL, 10);
}

static void bad_bpb(void **s)
{
	static const struct { uint64_t off; unsigned size; uint32_t val; } cases[] = {
		{ 11, 2, 0 }, { 11, 2, 3 }, { 11, 2, 1024 }, { 13, 1, 0 }, { 13, 1, 3 },
		{ 14, 2, 0 }, { 16, 1, 0 }, { 22, 2, 0 }, { 17, 2, 0 }, { 19, 2, 65535 },
		{ 510, 2, 0 },
	};
	struct fat_volume *v;
	char tmpl[160];

	snprintf(tmpl, sizeof(tmpl), "%s/bpb", dir);
	mkimg("-F 16 -s 1", 8192);
	copy_file(img, tmpl);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t val = cases[i].val;

		copy_file(tmpl, img);
		patch(cases[i].off, &val, cases[i].size);
		open_dev(512, 0, true);
		assert_int_equal(fat_mount(&bdev, NULL, &v), FAT_VOLUME_CORRUPTED);
		close(fdev.fd);
	}
	/* FAT32: root entries must be 0, the root cluster on the volume */
	mkimg("-F 32", 40960);
	patch16(17, 512);
	open_dev(512, 0, true);
	assert_int_equal(fat_mount(&bdev, NULL, &v), FAT_VOLUME_CORRUPTED);
	close(fdev.fd);
	mkimg("-F 32", 40960);
	patch16(44 + 2, 0x0FFF);
	open_dev(512, 0, true);
	assert_int_equal(fat_mount(&bdev, NULL, &v), FAT_VOLUME_CORRUPTED);
	close(fdev.fd);
	/* a device smaller than the volume */
	mkimg("-F 16 -s 1", 8192);
	sh("truncate -s 4M %s", img);
	open_dev(512, 0, true);
	assert_int_equal(fat_mount(&bdev, NULL, &v), FAT_VOLUME_CORRUPTED);
	close(fdev.fd);
}

/* FAT16, 1 sector per cluster: FAT at sector 4 (reserved), entry n at 4*512 + 2n. */
static uint64_t fat16_entry(unsigned n) { return 4 * 512 + 2 * n; }

static void read_all(struct fat_volume *v, const char *path, int want_open, uint64_t *got)
{
	struct fat_file *f = open_path(v, path, 0, 0, want_open);
	uint8_t *buf = malloc(1 << 20);
	uint64_t len = 1 << 20;

	if (!f) {
		free(buf);
		return;
	}
	fat_read(f, buf, &len);
	*got = len;
	fat_close(f);
	free(buf);
}

static void bad_chains(void **s)
{
	struct fat_volume *v;
	uint64_t got, de;
	char h[128];
	struct fat_file *f;

	mkimg("-F 16 -s 1 -R 4", 8192);
	snprintf(h, sizeof(h), "%s/h", dir);
	put_file(h, 5000, 1);
	sh("mcopy -i %s %s ::/LOOP", img, h);         /* clusters 3.. (2 is free on FAT16) */
	sh("mcopy -i %s %s ::/BEYOND", img, h);
	sh("mcopy -i %s %s ::/SHORT", img, h);
	sh("mmd -i %s ::/SELF", img);
	put_file(h, 2000, 6);
	sh("mcopy -i %s %s ::/CROSSA", img, h);
	put_file(h, 2000, 7);
	sh("mcopy -i %s %s ::/CROSSB", img, h);
	de = find("LOOP   ", 7);
	uint16_t c = 0;
	int fd = open(img, O_RDONLY);
	assert_int_equal(pread(fd, &c, 2, de + 26), 2);
	close(fd);
	patch16(fat16_entry(c + 3), c + 1);             /* a loop */
	de = find("BEYOND ", 7);
	fd = open(img, O_RDONLY);
	assert_int_equal(pread(fd, &c, 2, de + 26), 2);
	close(fd);
	patch16(fat16_entry(c + 1), 0xFF00);            /* beyond the volume */
	de = find("SHORT  ", 7);
	patch(de + 28, "\xff\xff\x00\x00", 4);          /* size larger than the chain */
	de = find("SELF       ", 11);
	fd = open(img, O_RDONLY);
	assert_int_equal(pread(fd, &c, 2, de + 26), 2);
	close(fd);
	{   /* SELF's "." becomes a subdirectory named X pointing at SELF itself */
		uint8_t e[32];
		uint8_t bs[512];
		fd = open(img, O_RDONLY);
		assert_int_equal(pread(fd, bs, 512, 0), 512);
		/* reserved + FATs + root + cluster: FAT16, one sector per cluster */
		uint64_t dot = (4 + bs[16] * (bs[22] | bs[23] << 8) +
				(bs[17] | bs[18] << 8) * 32 / 512 + (c - 2)) * 512ULL;
		assert_int_equal(pread(fd, e, 32, dot + 64), 32);
		close(fd);
		memcpy(e, "X          ", 11);
		e[11] = 0x10;
		memcpy(e + 26, &c, 2);
		patch(dot + 64, e, 32);
	}
	{   /* CROSSB's entry points at CROSSA's chain: both read CROSSA's data */
		uint8_t a[2];
		fd = open(img, O_RDONLY);
		assert_int_equal(pread(fd, a, 2, find("CROSSA ", 7) + 26), 2);
		close(fd);
		patch(find("CROSSB ", 7) + 26, a, 2);
	}
	v = mount_img(512, 0, false);
	check_file(v, "CROSSA", 2000, 6);
	check_file(v, "CROSSB", 2000, 6);
	f = open_path(v, "CROSSA", FAT_OPEN_WRITE, 0, FAT_OK);
	assert_int_equal(fat_delete(f), FAT_OK);
	f = open_path(v, "CROSSB", FAT_OPEN_WRITE, 0, FAT_OK);
	assert_int_equal(fat_delete(f), FAT_OK);        /* its chain already free: stops */
	open_path(v, "CROSSB", 0, 0, FAT_NOT_FOUND);
	read_all(v, "LOOP", FAT_OK, &got);      /* ends at the size: the loop read again */
	assert_int_equal(got, 5000);
	read_all(v, "BEYOND", FAT_OK, &got);
	assert_true(got < 5000);
	read_all(v, "SHORT", FAT_OK, &got);
	assert_int_equal(got, 5120);                     /* what the 10 clusters hold */
	f = open_path(v, "SHORT", 0, 0, FAT_OK);
	struct fat_info info;
	uint8_t b[16];
	uint64_t len = sizeof(b);
	assert_int_equal(fat_set_pos(f, 6000), FAT_OK);
	assert_int_equal(fat_read(f, b, &len), FAT_OK);
	assert_int_equal(fat_get_info(f, &info), FAT_OK);
	fat_close(f);
	open_path(v, "SELF\\X", 0, 0, FAT_VOLUME_CORRUPTED);
	open_path(v, "SELF\\.\\X\\X\\X", 0, 0, FAT_VOLUME_CORRUPTED);
	/* writing to the looping file: refused, no hang */
	f = open_path(v, "LOOP", FAT_OPEN_WRITE, 0, FAT_OK);
	assert_int_equal(fat_set_pos(f, 100000), FAT_OK);
	len = 1;
	assert_int_equal(fat_write(f, b, &len), FAT_VOLUME_CORRUPTED);
	fat_close(f);
	f = open_path(v, "LOOP", FAT_OPEN_WRITE, 0, FAT_OK);
	fat_delete(f);                                  /* ends, whatever it says */
	unmount(v);
}

static void bad_names(void **s)
{
	struct fat_volume *v;
	char list[1024];
	uint64_t de;
	char h[128];

	mkimg("-F 12", 1440);
	snprintf(h, sizeof(h), "%s/h", dir);
	put_file(h, 10, 1);
	sh("mcopy -i %s %s '::/checksum mismatch'", img, h);
	sh("mcopy -i %s %s '::/bad surrogate'", img, h);
	de = find("CHECKS~1", 8);
	uint8_t sum = 0;
	patch(de - 32 + 13, &sum, 1);
	patch(de - 64 + 13, &sum, 1);
	de = find("BADSUR~1", 8);
	patch16(de - 32 + 1, 0xD800);                   /* 'b' becomes a lone high surrogate */
	v = mount_img(512, 0, true);
	list_root(v, list, sizeof(list));
	assert_string_equal(list, "CHECKS~1 BADSUR~1 ");
	check_file(v, "checks~1", 10, 1);
	open_path(v, "checksum mismatch", 0, 0, FAT_NOT_FOUND);
	unmount(v);
}

static int setup(void **s)
{
	strcpy(dir, "/tmp/test_fat.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/img", dir);
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	return 0;
}

static int teardown(void **s)
{
	sh("rm -rf %s", dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_fat12), cmocka_unit_test(read_fat16),
		cmocka_unit_test(read_fat32), cmocka_unit_test(read_fat16_4k),
		cmocka_unit_test(read_at_offset), cmocka_unit_test(read_runs),
		cmocka_unit_test(readdir_and_info), cmocka_unit_test(write_fat12),
		cmocka_unit_test(write_fat16), cmocka_unit_test(write_fat32),
		cmocka_unit_test(write_fat32_4k), cmocka_unit_test(write_gap_and_aliases),
		cmocka_unit_test(long_and_unicode_names), cmocka_unit_test(full_volume), cmocka_unit_test(fsinfo_hint),
		cmocka_unit_test(read_only), cmocka_unit_test(label),
		cmocka_unit_test(bad_bpb), cmocka_unit_test(bad_chains),
		cmocka_unit_test(bad_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
