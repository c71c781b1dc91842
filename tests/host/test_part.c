/* Host tests for fs/part*.c: partition tables made at test time by sgdisk, sfdisk and
 * fdisk (512- and 4096-byte sectors), each field compared with what the same tool prints
 * about its own table; then those images corrupted the ways disks go bad. Each image
 * lives in a buffer exactly as large as the disk, so AddressSanitizer sees any read past
 * it. log_msg collects the parser's log lines, so the tests can say which were printed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "console.h"
#include "crc32.h"
#include "part.h"

#define ESP_TYPE "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"

/* ---- the log ---- */

static char logbuf[65536];
static size_t loglen;

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen - 1, fmt, ap);
	va_end(ap);
	fprintf(stderr, "  log: %s\n", logbuf + loglen);
	loglen += n;
	if (loglen > sizeof(logbuf) - 2)
		loglen = sizeof(logbuf) - 2;
	logbuf[loglen++] = '\n';
	logbuf[loglen] = 0;
}

static void log_clear(void)
{
	loglen = 0;
	logbuf[0] = 0;
}

static int log_count(const char *s)
{
	int n = 0;

	for (const char *p = logbuf; (p = strstr(p, s)); p++)
		n++;
	return n;
}

static int log_lines(void)
{
	int n = 0;

	for (size_t i = 0; i < loglen; i++)
		n += logbuf[i] == '\n';
	return n;
}

/* ---- images and the tools that make them ---- */

static char dir[64];

struct image {
	uint8_t *data;
	size_t size;
	uint64_t fail_lba;              /* a read touching it fails (UINT64_MAX: none) */
	struct blkdev dev;
};

static int image_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
	struct image *im = ctx;
	uint32_t bs = im->dev.block_size;

	if (lba <= im->fail_lba && im->fail_lba < lba + count)
		return -1;
	memcpy(buf, im->data + lba * bs, count * bs);
	return 0;
}

static void image_init(struct image *im, size_t size, uint32_t bs)
{
	im->size = size;
	im->data = calloc(1, size ? size : 1);
	im->fail_lba = UINT64_MAX;
	im->dev = (struct blkdev){ .ctx = im, .block_size = bs, .nr_blocks = size / bs,
				   .read_only = true, .read = image_read };
}

static const char *path(const char *name)
{
	static char p[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void image_load(struct image *im, const char *name, uint32_t bs)
{
	FILE *f = fopen(path(name), "rb");
	long size;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	image_init(im, size, bs);
	assert_int_equal(fread(im->data, 1, size, f), size);
	fclose(f);
}

/* Only the first `size` bytes, as a disk that is smaller than its table says. */
static void image_shrink(struct image *im, size_t size)
{
	im->size = size;
	im->data = realloc(im->data, size);
	im->dev.nr_blocks = size / im->dev.block_size;
}

static void image_grow(struct image *im, size_t size)
{
	im->data = realloc(im->data, size);
	memset(im->data + im->size, 0, size - im->size);
	im->size = size;
	im->dev.nr_blocks = size / im->dev.block_size;
}

static void image_free(struct image *im)
{
	free(im->data);
	im->data = NULL;
}

static void sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* The whole output of a command. */
static char *run(const char *fmt, ...)
{
	static char out[65536];
	char cmd[1024];
	size_t n = 0, r;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((r = fread(out + n, 1, sizeof(out) - 1 - n, f)) > 0)
		n += r;
	out[n] = 0;
	assert_int_equal(pclose(f), 0);
	return out;
}

/* ---- what the tools say ---- */

struct expect {
	uint32_t number;
	uint64_t first, size, attributes;
	char type[40], unique[40], name[160];
	unsigned mbr_type;
	int bootable;
};

static void guid_str(const uint8_t *g, char *s)
{
	sprintf(s, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		g[0] | g[1] << 8 | g[2] << 16 | (unsigned)g[3] << 24, g[4] | g[5] << 8,
		g[6] | g[7] << 8, g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* UTF-16 (BMP) to UTF-8, as the tools print names. */
static void name_utf8(const uint16_t *n, char *s)
{
	for (; *n; n++) {
		if (*n < 0x80) {
			*s++ = *n;
		} else if (*n < 0x800) {
			*s++ = 0xc0 | *n >> 6;
			*s++ = 0x80 | (*n & 0x3f);
		} else {
			*s++ = 0xe0 | *n >> 12;
			*s++ = 0x80 | (*n >> 6 & 0x3f);
			*s++ = 0x80 | (*n & 0x3f);
		}
	}
	*s = 0;
}

static const char *field(const char *out, const char *label)
{
	const char *p = strstr(out, label);

	assert_non_null(p);
	return p + strlen(label);
}

/* sgdisk -p for the disk GUID and the numbers, sgdisk -i N for each partition. */
static int sgdisk_says(const char *img, char *disk_guid, struct expect *e, int max)
{
	char *out = run("sgdisk -p %s", path(img));
	char *line;
	int n = 0;

	assert_int_equal(sscanf(field(out, "Disk identifier (GUID): "), "%36s", disk_guid), 1);
	line = strstr(out, "Number  Start");
	assert_non_null(line);
	for (line = strchr(line, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		assert_true(n < max);
		assert_int_equal(sscanf(line + 1, "%u", &e[n].number), 1);
		n++;
	}
	for (int i = 0; i < n; i++) {
		unsigned long long first, last, attrs;
		const char *name;

		out = run("sgdisk -i %u %s", e[i].number, path(img));
		sscanf(field(out, "Partition GUID code: "), "%36s", e[i].type);
		sscanf(field(out, "Partition unique GUID: "), "%36s", e[i].unique);
		sscanf(field(out, "First sector: "), "%llu", &first);
		sscanf(field(out, "Last sector: "), "%llu", &last);
		sscanf(field(out, "Attribute flags: "), "%llx", &attrs);
		name = field(out, "Partition name: '");
		snprintf(e[i].name, sizeof(e[i].name), "%.*s",
			 (int)(strchr(name, '\n') - name - 1), name);
		e[i].first = first, e[i].size = last - first + 1, e[i].attributes = attrs;
	}
	return n;
}

/* fdisk -l -o ... for 4 KiB-sector images, GPT or MBR (names without spaces). */
static int fdisk_says(const char *img, uint32_t bs, char *disk_id, struct expect *e, int max)
{
	bool gpt;
	char *out = run("fdisk -b %u -l -o Device,Start,Sectors,%s %s", bs,
			strstr(run("fdisk -b %u -l %s", bs, path(img)), "Disklabel type: gpt") ?
			"Type-UUID,UUID,Name" : "Id", path(img));
	char *line;
	int n = 0;

	gpt = strstr(out, "Disklabel type: gpt");
	assert_int_equal(sscanf(field(out, "Disk identifier: "), "%39s", disk_id), 1);
	line = strstr(out, "\nDevice ");
	assert_non_null(line);
	for (line = strchr(line + 1, '\n'); line && line[1] && line[1] != '\n';
	     line = strchr(line + 1, '\n')) {
		unsigned long long first, size;
		char p[512];

		assert_memory_equal(line + 1, path(img), strlen(path(img)));
		snprintf(p, sizeof(p), "%.*s", (int)(strcspn(line + 1, "\n") - strlen(path(img))),
			 line + 1 + strlen(path(img)));
		assert_true(n < max);
		memset(&e[n], 0, sizeof(e[n]));
		if (gpt)
			assert_true(sscanf(p, "%u %llu %llu %36s %36s %159[^\n]", &e[n].number, &first,
					   &size, e[n].type, e[n].unique, e[n].name) >= 5);
		else
			assert_int_equal(sscanf(p, "%u %llu %llu %x", &e[n].number, &first, &size,
						&e[n].mbr_type), 4);
		for (char *s = e[n].name + strlen(e[n].name); s > e[n].name && s[-1] == ' ';)
			*--s = 0;
		e[n].first = first, e[n].size = size;
		if (e[n].mbr_type == 5 || e[n].mbr_type == 0xf || e[n].mbr_type == 0x85)
			continue;       /* the extended container: no handle of its own */
		n++;
	}
	return n;
}

/* sfdisk -d for MBR images with 512-byte sectors. */
static int sfdisk_says(const char *img, uint32_t *signature, struct expect *e, int max)
{
	char *out = run("sfdisk -d %s", path(img));
	char *line;
	int n = 0;

	assert_int_equal(sscanf(field(out, "label-id: "), "%x", signature), 1);
	for (line = strstr(out, path(img)); line; line = strstr(line + 1, "\n/")) {
		unsigned long long first, size;
		const char *p = line + (line[0] == '\n') + strlen(path(img));

		if (strncmp(line + (line[0] == '\n'), path(img), strlen(path(img))) || *p < '0' || *p > '9')
			continue;
		assert_true(n < max);
		memset(&e[n], 0, sizeof(e[n]));
		assert_int_equal(sscanf(p, "%u : start= %llu, size= %llu, type=%x", &e[n].number,
					&first, &size, &e[n].mbr_type), 4);
		e[n].bootable = strstr(p, "bootable") && strstr(p, "bootable") < strchr(p, '\n');
		e[n].first = first, e[n].size = size;
		if (e[n].mbr_type == 5 || e[n].mbr_type == 0xf || e[n].mbr_type == 0x85)
			continue;
		n++;
	}
	return n;
}

/* ---- comparing ---- */

static void same_gpt(const struct part_table *t, const char *disk_guid, const struct expect *e,
		     int n, const struct image *im)
{
	char s[40], name[160];

	assert_int_equal(t->scheme, PART_GPT);
	guid_str(t->disk_guid, s);
	assert_string_equal(s, disk_guid);
	assert_int_equal(t->count, n);
	for (int i = 0; i < n; i++) {
		const struct part *p = &t->parts[i];
		uint32_t bs = im->dev.block_size;

		assert_int_equal(p->number, e[i].number);
		assert_int_equal(p->first_lba, e[i].first);
		assert_int_equal(p->nr_blocks, e[i].size);
		guid_str(p->type_guid, s);
		assert_string_equal(s, e[i].type);
		guid_str(p->unique_guid, s);
		assert_string_equal(s, e[i].unique);
		assert_int_equal(p->attributes, e[i].attributes);
		name_utf8(p->name, name);
		assert_string_equal(name, e[i].name);
		assert_int_equal(p->esp, !strcmp(e[i].type, ESP_TYPE));
		assert_int_equal(p->mbr_type, 0);
		/* Both tools put the primary array at LBA 2, 128-byte entries. */
		assert_memory_equal(p->raw, im->data + 2 * bs + (p->number - 1) * 128, 128);
	}
}

static void same_mbr(const struct part_table *t, uint32_t signature, const struct expect *e,
		     int n)
{
	assert_int_equal(t->scheme, PART_MBR);
	assert_int_equal(t->mbr_signature, signature);
	assert_int_equal(t->count, n);
	for (int i = 0; i < n; i++) {
		const struct part *p = &t->parts[i];
		static const uint8_t zero[16];

		assert_int_equal(p->number, e[i].number);
		assert_int_equal(p->first_lba, e[i].first);
		assert_int_equal(p->nr_blocks, e[i].size);
		assert_int_equal(p->mbr_type, e[i].mbr_type);
		assert_int_equal(p->esp, e[i].mbr_type == 0xef);
		assert_int_equal(p->raw[4], e[i].mbr_type);
		assert_int_equal(p->raw[0], e[i].bootable ? 0x80 : 0);
		assert_memory_equal(p->type_guid, zero, 16);
	}
}

static int scan(const struct image *im, struct part_table *t, const char **why)
{
	*why = NULL;
	log_clear();
	return part_scan(&im->dev, t, why);
}

/* ---- GPT images ---- */

/* Four partitions with a hole at 4, an ESP, names (one not ASCII), attribute bits. */
static const char sgdisk_cmd[] =
	"sgdisk -o -n 1:2048:+1M -t 1:ef00 -c 1:'EFI system' -n 2:0:+2M -t 2:8300 "
	"-c 2:'root fs' -n 3:0:+512K -t 3:8200 -c 3:swap -A 2:set:2 -A 3:set:63 "
	"-A 3:set:60 -n 5:0:+1M -c 5:'f\xc3\xbcnf \xe2\x82\xac' %s >/dev/null";

static struct expect gpt_e[8];
static char gpt_guid[40];
static int gpt_n;
static struct image gpt_img;            /* pristine, 8 MiB */

static void make_gpt(void)
{
	sh("truncate -s 8M %s", path("gpt.img"));
	sh(sgdisk_cmd, path("gpt.img"));
	gpt_n = sgdisk_says("gpt.img", gpt_guid, gpt_e, 8);
	assert_int_equal(gpt_n, 4);
	image_load(&gpt_img, "gpt.img", 512);
}

static void gpt_copy(struct image *im)
{
	image_init(im, gpt_img.size, 512);
	memcpy(im->data, gpt_img.data, gpt_img.size);
}

static uint8_t *at(struct image *im, uint64_t lba, size_t off)
{
	return im->data + lba * im->dev.block_size + off;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> 8 * i;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> 8 * i;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get64(p);
}

static void fix_header_crc(struct image *im, uint64_t lba)
{
	uint8_t *h = at(im, lba, 0);

	put32(h + 16, 0);
	put32(h + 16, crc32(h, get32(h + 12)));
}

/* After changing entries: the array CRC, then the header's. */
static void fix_crcs(struct image *im, uint64_t lba)
{
	uint8_t *h = at(im, lba, 0);

	put32(h + 88, crc32(at(im, get64(h + 72), 0), (size_t)get32(h + 80) * get32(h + 84)));
	fix_header_crc(im, lba);
}

static uint64_t backup_lba(const struct image *im)
{
	return im->dev.nr_blocks - 1;
}

/* The backup array: LastUsable + 1 on sgdisk's images. */
static uint8_t *backup_entry(struct image *im, uint32_t number)
{
	return at(im, get64(at(im, backup_lba(im), 72)), (number - 1) * 128);
}

static void test_gpt_sgdisk(void **state)
{
	struct part_table t;
	const char *why;

	assert_int_equal(scan(&gpt_img, &t, &why), 4);
	same_gpt(&t, gpt_guid, gpt_e, gpt_n, &gpt_img);
	assert_false(t.gpt_backup);
	assert_true(t.parts[0].esp);
	assert_int_equal(t.parts[2].attributes, 1ull << 63 | 1ull << 60);
	assert_int_equal(log_lines(), 0);
	part_free(&t);
	assert_null(t.parts);
}

/* sgdisk -h: an MBR with partitions 1 and 2 next to the 0xEE entry is still GPT. */
static void test_gpt_hybrid(void **state)
{
	struct part_table t;
	struct image im;
	const char *why;

	sh("cp %s %s && sgdisk -h 1:2:EE %s >/dev/null", path("gpt.img"), path("hybrid.img"),
	   path("hybrid.img"));
	image_load(&im, "hybrid.img", 512);
	for (int i = 0, ee = 0, other = 0; i < 4; i++) {
		ee += im.data[446 + 16 * i + 4] == 0xee;
		other += im.data[446 + 16 * i + 4] && im.data[446 + 16 * i + 4] != 0xee;
		if (i == 3)
			assert_true(ee == 1 && other == 2);
	}
	assert_int_equal(scan(&im, &t, &why), 4);
	same_gpt(&t, gpt_guid, gpt_e, gpt_n, &im);
	part_free(&t);
	image_free(&im);
}

/* A real 4 KiB-sector GPT: fdisk -b 4096 makes one (sgdisk 1.0.9 cannot). */
static void test_gpt_4k(void **state)
{
	struct expect e[4];
	struct part_table t;
	struct image im;
	const char *why;
	char guid[40];
	int n;

	sh("truncate -s 8M %s && printf 'g\\nn\\n1\\n256\\n+2M\\nt\\n1\\nn\\n2\\n\\n+1M\\nn\\n3\\n\\n+64\\n"
	   "x\\nn\\n2\\ndata\\nn\\n3\\nthird\\nA\\n3\\nr\\nw\\n' | fdisk -b 4096 %s >/dev/null 2>&1",
	   path("gpt4k.img"), path("gpt4k.img"));
	n = fdisk_says("gpt4k.img", 4096, guid, e, 4);
	assert_int_equal(n, 3);
	image_load(&im, "gpt4k.img", 4096);
	assert_int_equal(scan(&im, &t, &why), 3);
	for (int i = 0; i < n; i++)           /* fdisk -l shows no attributes: read them */
		e[i].attributes = get64(at(&im, 2, (e[i].number - 1) * 128 + 48));
	assert_int_equal(e[2].attributes, 4);   /* A: the legacy BIOS bootable bit (2) */
	same_gpt(&t, guid, e, n, &im);
	assert_true(t.parts[0].esp);
	assert_false(t.parts[1].esp);
	part_free(&t);

	/* Its primary header broken: the backup at the last 4 KiB block. */
	at(&im, 1, 0)[0] ^= 1;
	assert_int_equal(scan(&im, &t, &why), 3);
	assert_true(t.gpt_backup);
	assert_int_equal(log_count("GPT: primary header bad (no signature), using the backup"), 1);
	same_gpt(&t, guid, e, n, &im);
	part_free(&t);
	image_free(&im);
}

/* 130 partitions: 128 reported, the rest counted and logged. */
static void test_gpt_more_than_max(void **state)
{
	char cmd[8192];
	size_t len;
	struct part_table t;
	struct image im;
	const char *why;

	sh("truncate -s 2M %s", path("many.img"));
	len = snprintf(cmd, sizeof(cmd), "sgdisk -a 8 -S 256");
	for (int i = 1; i <= 130; i++)
		len += snprintf(cmd + len, sizeof(cmd) - len, " -n %d:%d:+7", i, 2048 + 8 * i);
	snprintf(cmd + len, sizeof(cmd) - len, " %s >/dev/null", path("many.img"));
	sh("%s", cmd);
	image_load(&im, "many.img", 512);
	assert_int_equal(scan(&im, &t, &why), PART_MAX);
	assert_int_equal(t.count, PART_MAX);
	assert_int_equal(t.dropped, 2);
	assert_int_equal(t.parts[127].number, 128);
	assert_int_equal(t.parts[127].first_lba, 2048 + 8 * 128);
	{
		const char *out = run("sgdisk -i 128 %s", path("many.img"));
		unsigned long long first, last;

		sscanf(field(out, "First sector: "), "%llu", &first);
		sscanf(field(out, "Last sector: "), "%llu", &last);
		assert_int_equal(t.parts[127].first_lba, first);
		assert_int_equal(t.parts[127].nr_blocks, last - first + 1);
	}
	assert_int_equal(log_count("GPT: 2 more partitions ignored (at most 128 are used)"), 1);
	part_free(&t);
	image_free(&im);
}

/* The primary is bad one way: the backup gives the very same partitions, logged once. */
static void expect_backup(struct image *im, const char *reason)
{
	char line[160];
	struct part_table t;
	const char *why;

	snprintf(line, sizeof(line), "GPT: primary header bad (%s", reason);
	assert_int_equal(scan(im, &t, &why), 4);
	assert_true(t.gpt_backup);
	same_gpt(&t, gpt_guid, gpt_e, gpt_n, &gpt_img);
	assert_int_equal(log_count(line), 1);
	assert_int_equal(log_count("), using the backup\n"), 1);
	assert_int_equal(log_lines(), 1);
	part_free(&t);
}

static void test_gpt_primary_header_crc(void **state)
{
	struct image im;
	char reason[64];
	uint32_t crc;

	gpt_copy(&im);
	crc = get32(at(&im, 1, 16));
	put32(at(&im, 1, 16), crc ^ 0x100);
	snprintf(reason, sizeof(reason), "header CRC %#x, computed %#x", crc ^ 0x100, crc);
	expect_backup(&im, reason);
	image_free(&im);
}

static void test_gpt_primary_array_crc(void **state)
{
	struct image im;

	gpt_copy(&im);
	at(&im, 2, 56)[0] ^= 0x20;                      /* 'E' of "EFI system" */
	expect_backup(&im, "entry array CRC");
	image_free(&im);
}

/* One failing read is the same as a bad block. */
static void test_gpt_io_error(void **state)
{
	struct image im;

	gpt_copy(&im);
	im.fail_lba = 3;
	expect_backup(&im, "cannot read the entry array");
	im.fail_lba = 1;
	expect_backup(&im, "cannot read block 1");
	image_free(&im);
}

static void test_gpt_both_bad(void **state)
{
	struct part_table t;
	struct image im;
	const char *why;

	gpt_copy(&im);
	at(&im, 1, 0)[0] = 'X';
	at(&im, backup_lba(&im), 70)[0] ^= 1;          /* disk GUID: header CRC */
	assert_int_equal(scan(&im, &t, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, "GPT: primary header bad (no signature), backup bad (header CRC"));
	assert_int_equal(t.count, 0);
	assert_null(t.parts);
	assert_int_equal(log_lines(), 0);              /* the caller logs *why, once */
	image_free(&im);
}

/* 1e9 entries: refused by size before anything is read. */
static void test_gpt_huge_entry_count(void **state)
{
	struct part_table t;
	struct image im;
	const char *why;

	gpt_copy(&im);
	put32(at(&im, 1, 80), 1000000000);
	fix_header_crc(&im, 1);
	expect_backup(&im, "1000000000 entries of 128 bytes");
	put32(at(&im, backup_lba(&im), 80), 1000000000);
	fix_header_crc(&im, backup_lba(&im));
	assert_int_equal(scan(&im, &t, &why), -1);
	assert_non_null(strstr(why, "backup bad (1000000000 entries of 128 bytes)"));
	image_free(&im);
}

/* The primary array rewritten with entries of `size` bytes (the first 128 of each as
 * sgdisk wrote them, the rest zero), FirstUsableLBA moved up to make room. */
static void relayout(struct image *im, uint32_t size, uint32_t count)
{
	uint8_t *old = malloc(128 * 128);

	memcpy(old, at(im, 2, 0), 128 * 128);
	memset(at(im, 2, 0), 0, 2046 * 512);
	for (uint32_t i = 0; i < 128 && i < count && size >= 128; i++)
		memcpy(at(im, 2, (size_t)i * size), old + i * 128, 128);
	free(old);
	put64(at(im, 1, 40), 2048);
	put32(at(im, 1, 80), count);
	put32(at(im, 1, 84), size);
	if ((uint64_t)size * count <= 2046 * 512)
		fix_crcs(im, 1);
	else
		fix_header_crc(im, 1);
}

static void test_gpt_entry_sizes(void **state)
{
	static const struct { uint32_t size, count; } good[] = {
		{ 128, 128 }, { 136, 128 }, { 256, 128 }, { 1000, 128 }, { 4096, 128 },
		{ 8192, 127 }, { 128, 5 },
	};
	static const struct { uint32_t size, count; const char *reason; } bad[] = {
		{ 0, 128, "entry size 0" }, { 7, 128, "entry size 7" },
		{ 120, 128, "entry size 120" }, { 132, 128, "entry size 132" },
		{ 8192, 129, "129 entries of 8192 bytes" },
		{ 4096, 1u << 31, "2147483648 entries of 4096 bytes" },
	};
	struct part_table t;
	struct image im;
	const char *why;

	/* Any multiple of 8 from 128 up is read, entries straddling blocks too. */
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		gpt_copy(&im);
		relayout(&im, good[i].size, good[i].count);
		assert_int_equal(scan(&im, &t, &why), 4);
		assert_false(t.gpt_backup);
		for (int j = 0; j < 4; j++)
			assert_memory_equal(t.parts[j].raw,
					    at(&gpt_img, 2, (gpt_e[j].number - 1) * 128), 128);
		assert_int_equal(t.count, 4);
		for (int j = 0; j < 4; j++)
			assert_int_equal(t.parts[j].first_lba, gpt_e[j].first);
		part_free(&t);
		image_free(&im);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gpt_copy(&im);
		relayout(&im, bad[i].size, bad[i].count);
		expect_backup(&im, bad[i].reason);
		image_free(&im);
	}
}

static void test_gpt_header_fields(void **state)
{
	struct image im;

	gpt_copy(&im);
	put64(at(&im, 1, 24), 5);                       /* MyLBA */
	fix_header_crc(&im, 1);
	expect_backup(&im, "MyLBA 5 in block 1");
	image_free(&im);

	gpt_copy(&im);
	put64(at(&im, 1, 48), gpt_img.dev.nr_blocks);   /* LastUsableLBA past the disk */
	fix_header_crc(&im, 1);
	expect_backup(&im, "usable blocks 34..16384");
	image_free(&im);

	gpt_copy(&im);
	put32(at(&im, 1, 12), 513);                     /* HeaderSize beyond the block */
	expect_backup(&im, "header size 513");
	image_free(&im);

	gpt_copy(&im);
	put32(at(&im, 1, 8), 0x20000);                  /* Revision 2.0 */
	fix_header_crc(&im, 1);
	expect_backup(&im, "revision 0x20000");
	image_free(&im);

	gpt_copy(&im);
	put64(at(&im, 1, 72), 40);                      /* the array inside the usable blocks */
	fix_header_crc(&im, 1);
	expect_backup(&im, "entry array at blocks 40..71");
	image_free(&im);
}

/* Entries outside the usable blocks or overlapping an earlier one: refused, one line
 * each, the others kept. Both arrays are changed, so the backup cannot help. */
static void test_gpt_bad_entries(void **state)
{
	struct part_table t;
	struct image im;
	const char *why;

	gpt_copy(&im);
	put64(at(&im, 2, 2 * 128 + 40), im.dev.nr_blocks + 100);   /* 3 past the end */
	put64(backup_entry(&im, 3) + 40, im.dev.nr_blocks + 100);
	put64(at(&im, 2, 4 * 128 + 32), 5000);                      /* 5 starts inside 2 */
	put64(backup_entry(&im, 5) + 32, 5000);
	fix_crcs(&im, 1);
	fix_crcs(&im, backup_lba(&im));
	assert_int_equal(scan(&im, &t, &why), 2);
	assert_false(t.gpt_backup);
	assert_int_equal(t.parts[0].number, 1);
	assert_int_equal(t.parts[1].number, 2);
	assert_int_equal(log_count("GPT: partition 3 (blocks 8192..16484) is outside the usable blocks 34..16350, ignored"), 1);
	assert_int_equal(log_count("GPT: partition 5 (blocks 5000..12287) overlaps partition 2, ignored"), 1);
	assert_int_equal(log_lines(), 2);
	part_free(&t);

	/* First > Last */
	put64(at(&im, 2, 40), 2000);
	fix_crcs(&im, 1);
	assert_int_equal(scan(&im, &t, &why), 1);
	assert_int_equal(t.parts[0].number, 2);
	assert_int_equal(log_count("partition 1 (blocks 2048..2000) is outside"), 1);
	part_free(&t);
	image_free(&im);
}

/* A disk full of bad entries cannot flood the log: 8 lines, then a count. */
static void test_gpt_refusal_flood(void **state)
{
	struct part_table t;
	struct image im;
	const char *why;

	gpt_copy(&im);
	for (int i = 10; i < 30; i++) {
		memset(at(&im, 2, i * 128), 0x77, 16);
		put64(at(&im, 2, i * 128 + 32), 1);     /* over the header */
		put64(at(&im, 2, i * 128 + 40), 10);
	}
	fix_crcs(&im, 1);
	assert_int_equal(scan(&im, &t, &why), 4);
	assert_int_equal(t.refused, 20);
	assert_int_equal(log_count("is outside the usable blocks"), PART_REFUSALS_LOGGED);
	assert_int_equal(log_count("GPT: 12 more partitions ignored as above"), 1);
	assert_int_equal(log_lines(), PART_REFUSALS_LOGGED + 1);
	part_free(&t);
	image_free(&im);
}

/* A cloud image grown after sgdisk made it: the backup is no longer at the end. */
static void test_gpt_grown_disk(void **state)
{
	struct part_table t;
	struct image im;
	const char *why;

	gpt_copy(&im);
	image_grow(&im, 16 << 20);
	assert_int_equal(scan(&im, &t, &why), 4);
	same_gpt(&t, gpt_guid, gpt_e, gpt_n, &gpt_img);
	part_free(&t);
	at(&im, 2, 56)[0] ^= 0x20;              /* primary array bad: AlternateLBA finds the backup */
	assert_int_equal(scan(&im, &t, &why), 4);
	assert_true(t.gpt_backup);
	same_gpt(&t, gpt_guid, gpt_e, gpt_n, &gpt_img);
	part_free(&t);
	at(&im, 1, 0)[0] = 0;                   /* header bad: its AlternateLBA is not trusted */
	assert_int_equal(scan(&im, &t, &why), -1);
	assert_non_null(strstr(why, "backup bad (no signature)"));
	image_free(&im);
}

/* A disk cut short: LastUsableLBA is past its end, in both headers (one is gone). */
static void test_gpt_truncated(void **state)
{
	struct part_table t;
	struct image im;
	const char *why;

	gpt_copy(&im);
	image_shrink(&im, 4 << 20);
	assert_int_equal(scan(&im, &t, &why), -1);
	assert_non_null(strstr(why, "GPT: primary header bad (usable blocks 34..16350), backup bad"));
	image_free(&im);
}

/* ---- MBR images ---- */

static const char sfdisk_script[] =
	"label: dos\\nlabel-id: 0x12345678\\n"
	"start=2048,size=2048,type=ef,bootable\\nstart=4096,size=4096,type=83\\n"
	"start=8192,size=16384,type=5\\nstart=10240,size=2048,type=83\\n"
	"start=14336,size=2048,type=82\\nstart=18432,size=2048,type=7\\n"
	"start=26624,size=4096,type=c\\n";

static struct image mbr_img;
static struct expect mbr_e[8];
static int mbr_n;
static uint32_t mbr_sig;

static void make_mbr(void)
{
	sh("truncate -s 16M %s && printf '%s' | sfdisk -q %s", path("mbr.img"), sfdisk_script,
	   path("mbr.img"));
	mbr_n = sfdisk_says("mbr.img", &mbr_sig, mbr_e, 8);
	assert_int_equal(mbr_n, 6);
	image_load(&mbr_img, "mbr.img", 512);
}

static void mbr_copy(struct image *im)
{
	image_init(im, mbr_img.size, 512);
	memcpy(im->data, mbr_img.data, mbr_img.size);
}

static void test_mbr_sfdisk(void **state)
{
	struct part_table t;
	const char *why;

	assert_int_equal(scan(&mbr_img, &t, &why), 6);
	same_mbr(&t, mbr_sig, mbr_e, mbr_n);
	assert_int_equal(mbr_sig, 0x12345678);
	/* Primaries: the record as in the MBR. Logicals: as in their EBR. */
	assert_memory_equal(t.parts[0].raw, mbr_img.data + 446, 16);
	assert_memory_equal(t.parts[2].raw, mbr_img.data + 446 + 48, 16);
	assert_int_equal(get32(t.parts[3].raw + 8), 10240 - 8192);     /* 5: from its EBR */
	assert_true(t.parts[0].esp);
	assert_int_equal(log_lines(), 0);
	part_free(&t);
}

static void test_mbr_4k(void **state)
{
	struct expect e[8];
	struct part_table t;
	struct image im;
	const char *why;
	char id[40];
	int n;

	sh("truncate -s 8M %s && printf 'o\\nn\\np\\n1\\n256\\n+1M\\nt\\nef\\nn\\ne\\n2\\n\\n+4M\\n"
	   "n\\nl\\n\\n+128\\nn\\nl\\n\\n+128\\nn\\np\\n3\\n\\n+64\\nw\\n' | fdisk -b 4096 %s >/dev/null 2>&1",
	   path("mbr4k.img"), path("mbr4k.img"));
	n = fdisk_says("mbr4k.img", 4096, id, e, 8);
	assert_int_equal(n, 4);
	image_load(&im, "mbr4k.img", 4096);
	assert_int_equal(scan(&im, &t, &why), 4);
	same_mbr(&t, strtoul(id, NULL, 16), e, n);
	assert_int_equal(t.parts[3].number, 6);
	part_free(&t);
	image_free(&im);
}

/* The EBRs of mbr.img: block of each, in chain order. */
static int ebrs(struct image *im, uint64_t *lba)
{
	uint64_t ext = get32(im->data + 446 + 32 + 8), ebr = ext;
	int n = 0;

	while (n < 8) {
		uint32_t rel;

		lba[n++] = ebr;
		rel = get32(at(im, ebr, 446 + 16 + 8));
		if (!rel)
			break;
		ebr = ext + rel;
	}
	return n;
}

static void test_mbr_ebr_loop(void **state)
{
	struct part_table t;
	struct image im;
	uint64_t lba[8];
	const char *why;

	mbr_copy(&im);
	assert_int_equal(ebrs(&im, lba), 3);
	at(&im, lba[2], 446 + 16)[4] = 0x05;    /* the last EBR links back to the first */
	put32(at(&im, lba[2], 446 + 16 + 8), 0);
	put32(at(&im, lba[2], 446 + 16 + 12), 1);
	assert_int_equal(scan(&im, &t, &why), 6);
	same_mbr(&t, mbr_sig, mbr_e, mbr_n);
	assert_int_equal(log_count("MBR: extended partition chain loops back to block 8192"), 1);
	assert_int_equal(log_lines(), 1);
	part_free(&t);

	/* The first EBR links to itself, through a link of type 0x0F. */
	at(&im, lba[0], 446 + 16)[4] = 0x0f;
	put32(at(&im, lba[0], 446 + 16 + 8), 0);
	assert_int_equal(scan(&im, &t, &why), 4);
	assert_int_equal(t.parts[3].number, 5);
	assert_int_equal(log_count("loops back to block 8192"), 1);
	part_free(&t);
	image_free(&im);
}

static void test_mbr_past_end(void **state)
{
	struct part_table t;
	struct image im;
	uint64_t lba[8];
	const char *why;

	/* Cut after partition 6: 7 and primary 4 are past the end. */
	mbr_copy(&im);
	image_shrink(&im, 18432 * 512 + 4096);
	assert_int_equal(scan(&im, &t, &why), 4);
	assert_int_equal(t.parts[3].number, 6);
	assert_int_equal(log_count("MBR: partition 4 (blocks 26624+4096) is past the end of the disk (18440 blocks), ignored"), 1);
	assert_int_equal(log_count("MBR: partition 7 (blocks 18432+2048) is past the end"), 1);
	assert_int_equal(log_lines(), 2);
	part_free(&t);
	image_free(&im);

	/* An EBR link past the end; an EBR without its signature. */
	mbr_copy(&im);
	ebrs(&im, lba);
	put32(at(&im, lba[1], 446 + 16 + 8), 0x7fffffff);
	assert_int_equal(scan(&im, &t, &why), 5);
	assert_int_equal(log_count("link to block 2147491839 is past the end of the disk"), 1);
	part_free(&t);
	at(&im, lba[1], 510)[0] = 0;
	assert_int_equal(scan(&im, &t, &why), 4);
	assert_int_equal(log_count("MBR: no extended boot record at block"), 1);
	part_free(&t);
	image_free(&im);

	/* A primary starting beyond 2^32 blocks cannot be, one ending past the disk is refused. */
	mbr_copy(&im);
	put32(im.data + 446 + 16 + 12, 0xffffffff);
	assert_int_equal(scan(&im, &t, &why), 5);
	assert_int_equal(log_count("MBR: partition 2 (blocks 4096+4294967295) is past the end"), 1);
	part_free(&t);
	image_free(&im);
}

/* ---- no table, odd disks ---- */

static void test_no_table(void **state)
{
	struct part_table t;
	struct image im;
	const char *why;

	image_init(&im, 1 << 20, 512);
	assert_int_equal(scan(&im, &t, &why), 0);
	assert_int_equal(t.scheme, PART_NONE);
	assert_null(t.parts);
	image_free(&im);

	/* A FAT file system on the whole disk ends its boot sector in 55 AA too. */
	sh("rm -f %s && mkfs.vfat -C %s 1024 >/dev/null", path("fat.img"), path("fat.img"));
	image_load(&im, "fat.img", 512);
	assert_int_equal(im.data[510], 0x55);
	assert_int_equal(scan(&im, &t, &why), 0);
	assert_int_equal(t.scheme, PART_NONE);
	image_free(&im);

	/* An MBR with four empty records is none either; one record makes it a table. */
	image_init(&im, 1 << 20, 512);
	im.data[510] = 0x55, im.data[511] = 0xaa;
	assert_int_equal(scan(&im, &t, &why), 0);
	assert_int_equal(t.scheme, PART_NONE);
	im.data[446 + 4] = 0x83;
	put32(im.data + 446 + 8, 1024);
	put32(im.data + 446 + 12, 512);
	assert_int_equal(scan(&im, &t, &why), 1);
	assert_int_equal(t.scheme, PART_MBR);
	assert_int_equal(t.parts[0].first_lba, 1024);
	assert_int_equal(t.parts[0].nr_blocks, 512);
	part_free(&t);
	/* A boot indicator other than 0 and 0x80: not a partition table. */
	im.data[446 + 16] = 0x12;
	assert_int_equal(scan(&im, &t, &why), 0);
	assert_int_equal(t.scheme, PART_NONE);
	image_free(&im);
}

static void test_odd_disks(void **state)
{
	struct part_table t;
	struct image im;
	const char *why;

	image_init(&im, 0, 512);                /* zero blocks */
	assert_int_equal(scan(&im, &t, &why), 0);
	assert_int_equal(t.scheme, PART_NONE);
	image_free(&im);

	gpt_copy(&im);                          /* one block: a protective MBR, nothing else */
	image_shrink(&im, 512);
	assert_int_equal(scan(&im, &t, &why), -1);
	assert_non_null(strstr(why, "primary header bad (cannot read block 1), backup bad"));
	image_free(&im);

	gpt_copy(&im);                          /* block 0 unreadable */
	im.fail_lba = 0;
	assert_int_equal(scan(&im, &t, &why), -1);
	assert_string_equal(why, "cannot read block 0");
	image_free(&im);

	gpt_copy(&im);                          /* a block size the blkdev cannot have */
	im.dev.block_size = 1000;
	assert_int_equal(scan(&im, &t, &why), -1);
	assert_string_equal(why, "block size 1000 not supported");
	image_free(&im);

	/* The 512-byte GPT read as a 4 KiB disk: LBA 1 is elsewhere, no header there. */
	gpt_copy(&im);
	im.dev.block_size = 4096;
	im.dev.nr_blocks = im.size / 4096;
	assert_int_equal(scan(&im, &t, &why), -1);
	assert_non_null(strstr(why, "primary header bad (no signature)"));
	image_free(&im);
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/test_part.XXXXXX");
	assert_non_null(mkdtemp(dir));
	make_gpt();
	make_mbr();
	return 0;
}

static int teardown(void **state)
{
	image_free(&gpt_img);
	image_free(&mbr_img);
	sh("rm -rf %s", dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpt_sgdisk),
		cmocka_unit_test(test_gpt_hybrid),
		cmocka_unit_test(test_gpt_4k),
		cmocka_unit_test(test_gpt_more_than_max),
		cmocka_unit_test(test_gpt_primary_header_crc),
		cmocka_unit_test(test_gpt_primary_array_crc),
		cmocka_unit_test(test_gpt_io_error),
		cmocka_unit_test(test_gpt_both_bad),
		cmocka_unit_test(test_gpt_huge_entry_count),
		cmocka_unit_test(test_gpt_entry_sizes),
		cmocka_unit_test(test_gpt_header_fields),
		cmocka_unit_test(test_gpt_bad_entries),
		cmocka_unit_test(test_gpt_refusal_flood),
		cmocka_unit_test(test_gpt_grown_disk),
		cmocka_unit_test(test_gpt_truncated),
		cmocka_unit_test(test_mbr_sfdisk),
		cmocka_unit_test(test_mbr_4k),
		cmocka_unit_test(test_mbr_ebr_loop),
		cmocka_unit_test(test_mbr_past_end),
		cmocka_unit_test(test_no_table),
		cmocka_unit_test(test_odd_disks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
