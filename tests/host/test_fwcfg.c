/* Host tests for fwcfg/filedir.c: look-ups in well-formed and malformed fw_cfg file
 * directories; and fwcfg/bool.c, the knobs' booleans. Every directory sits in a heap buffer of exactly its length, so
 * AddressSanitizer catches any read past its end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "fwcfg.h"
#include "util.h"

#define ENTRY sizeof(struct fwcfg_file)

struct dir {
	unsigned char *buf;
	size_t len;
};

/* A directory of n entries as QEMU lays it out: big-endian fields, names NUL-padded,
 * plus slack bytes after the last entry (QEMU's item is sized for all its slots). */
static struct dir make_dir(uint32_t n, const char *const *names, size_t slack)
{
	struct dir d = { .len = 4 + n * ENTRY + slack };

	d.buf = calloc(1, d.len);
	assert_non_null(d.buf);
	d.buf[0] = n >> 24, d.buf[1] = n >> 16, d.buf[2] = n >> 8, d.buf[3] = n;
	for (uint32_t i = 0; i < n; i++) {
		struct fwcfg_file f = {
			.size = __builtin_bswap32(0x1000 * (i + 1) + 1),
			.select = __builtin_bswap16(FW_CFG_FILE_FIRST + i),
		};

		strncpy(f.name, names[i], sizeof(f.name));
		memcpy(d.buf + 4 + i * ENTRY, &f, ENTRY);
	}
	return d;
}

static int find(struct dir d, const char *name, uint16_t *item, uint32_t *size)
{
	return fwcfg_dir_find(d.buf, d.len, name, item, size);
}

static const char *const virt_names[] = {
	"bios-geometry", "bootorder", "etc/acpi/rsdp", "etc/acpi/tables", "etc/boot-fail-wait",
	"etc/smbios/smbios-anchor", "etc/smbios/smbios-tables", "etc/table-loader",
	"etc/tpm/log",
};
#define NR_VIRT (ARRAY_SIZE(virt_names))

static void test_finds_every_entry(void **state)
{
	struct dir d = make_dir(NR_VIRT, virt_names, 0);

	for (uint32_t i = 0; i < NR_VIRT; i++) {
		uint16_t item = 0;
		uint32_t size = 0;

		assert_int_equal(find(d, virt_names[i], &item, &size), 0);
		assert_int_equal(item, FW_CFG_FILE_FIRST + i);
		assert_int_equal(size, 0x1000 * (i + 1) + 1);
	}
	free(d.buf);
}

static void test_not_found_leaves_outputs(void **state)
{
	struct dir d = make_dir(NR_VIRT, virt_names, 0);
	uint16_t item = 0xabcd;
	uint32_t size = 0x12345678;

	assert_int_equal(find(d, "etc/table", &item, &size), FWCFG_NOT_FOUND);  /* prefix */
	assert_int_equal(find(d, "etc/table-loader2", &item, &size), FWCFG_NOT_FOUND);
	assert_int_equal(find(d, "ETC/TABLE-LOADER", &item, &size), FWCFG_NOT_FOUND);
	assert_int_equal(find(d, "", &item, &size), FWCFG_NOT_FOUND);
	assert_int_equal(item, 0xabcd);
	assert_int_equal(size, 0x12345678);
	free(d.buf);
}

/* QEMU's item covers all its file slots: bytes after count entries are not entries. */
static void test_slack_after_entries_ignored(void **state)
{
	struct dir d = make_dir(2, virt_names, 10 * ENTRY + 3);
	uint16_t item;
	uint32_t size;

	memcpy(d.buf + 4 + 2 * ENTRY + 8, "etc/table-loader", 17);
	assert_int_equal(find(d, "bootorder", &item, &size), 0);
	assert_int_equal(find(d, "etc/table-loader", &item, &size), FWCFG_NOT_FOUND);
	free(d.buf);
}

static void test_empty_directory(void **state)
{
	struct dir d = make_dir(0, NULL, 0);
	uint16_t item;
	uint32_t size;

	assert_int_equal(d.len, 4);
	assert_int_equal(find(d, "bootorder", &item, &size), FWCFG_NOT_FOUND);
	free(d.buf);
}

static void test_too_short_for_count(void **state)
{
	static const unsigned char zeros[4];
	uint16_t item;
	uint32_t size;

	for (size_t len = 0; len < 4; len++) {
		unsigned char *b = malloc(len ? len : 1);

		memcpy(b, zeros, len);
		assert_int_equal(fwcfg_dir_find(b, len, "bootorder", &item, &size), FWCFG_BAD_DIR);
		free(b);
	}
}

/* A count the blob cannot hold is refused before any entry is read, even when the
 * sought name would be found among the entries that are there. */
static void test_count_beyond_blob(void **state)
{
	static const uint32_t counts[] = { 3, 4, 0x3fe0, 0x04000000, 0x80000000, 0xffffffff };
	uint16_t item;
	uint32_t size;

	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		struct dir d = make_dir(2, virt_names, ENTRY - 1);   /* 2 entries and a bit */

		d.buf[0] = counts[i] >> 24, d.buf[1] = counts[i] >> 16;
		d.buf[2] = counts[i] >> 8, d.buf[3] = counts[i];
		assert_int_equal(find(d, "bios-geometry", &item, &size), FWCFG_BAD_DIR);
		free(d.buf);
	}
}

/* The last entry cut short by one byte: the count no longer fits. */
static void test_truncated_last_entry(void **state)
{
	struct dir d = make_dir(3, virt_names, 0);
	uint16_t item;
	uint32_t size;

	assert_int_equal(fwcfg_dir_find(d.buf, d.len - 1, "bootorder", &item, &size),
			 FWCFG_BAD_DIR);
	assert_int_equal(fwcfg_dir_find(d.buf, d.len, "bootorder", &item, &size), 0);
	free(d.buf);
}

/* 55 characters is the longest name the 56-byte field holds with its NUL. */
static void test_longest_name(void **state)
{
	char longest[FW_CFG_MAX_FILE_PATH], too_long[FW_CFG_MAX_FILE_PATH + 8];
	const char *names[2] = { "bootorder", longest };
	uint16_t item;
	uint32_t size;
	struct dir d;

	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = 0;
	memset(too_long, 'a', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = 0;
	d = make_dir(2, names, 0);
	assert_int_equal(find(d, longest, &item, &size), 0);
	assert_int_equal(item, FW_CFG_FILE_FIRST + 1);
	/* 56 or more characters can never match, not even the 55 a's plus one more. */
	too_long[FW_CFG_MAX_FILE_PATH] = 0;
	assert_int_equal(find(d, too_long, &item, &size), FWCFG_NOT_FOUND);
	too_long[FW_CFG_MAX_FILE_PATH] = 'a';
	assert_int_equal(find(d, too_long, &item, &size), FWCFG_NOT_FOUND);
	free(d.buf);
}

/* An entry whose name fills all 56 bytes with no NUL matches nothing, and the search
 * neither stops at it nor reads past it: it is the last thing in the buffer. */
static void test_unterminated_name(void **state)
{
	const char *names[2] = { "bootorder", "x" };
	struct dir d = make_dir(2, names, 0);
	unsigned char *name = d.buf + 4 + ENTRY + offsetof(struct fwcfg_file, name);
	char probe[FW_CFG_MAX_FILE_PATH];
	uint16_t item;
	uint32_t size;

	memset(name, 'b', FW_CFG_MAX_FILE_PATH);
	memset(probe, 'b', sizeof(probe) - 1);
	probe[sizeof(probe) - 1] = 0;
	assert_int_equal(find(d, probe, &item, &size), FWCFG_NOT_FOUND);
	assert_int_equal(find(d, "b", &item, &size), FWCFG_NOT_FOUND);
	assert_int_equal(find(d, "bootorder", &item, &size), 0);
	free(d.buf);
}

/* Names are compared up to their NUL only; padding after it is not looked at. */
static void test_garbage_after_nul(void **state)
{
	const char *names[1] = { "etc/acpi/rsdp" };
	struct dir d = make_dir(1, names, 0);
	uint16_t item;
	uint32_t size;

	memset(d.buf + 4 + offsetof(struct fwcfg_file, name) + 14, 0xff, 42);
	assert_int_equal(find(d, "etc/acpi/rsdp", &item, &size), 0);
	free(d.buf);
}

static void test_first_duplicate_wins(void **state)
{
	const char *names[3] = { "bootorder", "etc/acpi/rsdp", "bootorder" };
	struct dir d = make_dir(3, names, 0);
	uint16_t item;
	uint32_t size;

	assert_int_equal(find(d, "bootorder", &item, &size), 0);
	assert_int_equal(item, FW_CFG_FILE_FIRST);
	free(d.buf);
}

/* Big-endian fields are decoded whatever their values, and from an unaligned blob. */
static void test_unaligned_and_extreme_fields(void **state)
{
	struct dir d = make_dir(NR_VIRT, virt_names, 0);
	unsigned char *odd = malloc(d.len + 1);
	struct fwcfg_file *last = (void *)(d.buf + 4 + (NR_VIRT - 1) * ENTRY);
	uint16_t item;
	uint32_t size;

	last->size = 0xffffffff;
	last->select = __builtin_bswap16(0x3fff);
	memcpy(odd + 1, d.buf, d.len);
	assert_int_equal(fwcfg_dir_find(odd + 1, d.len, virt_names[NR_VIRT - 1], &item, &size),
			 0);
	assert_int_equal(item, 0x3fff);
	assert_int_equal(size, 0xffffffff);
	free(odd);
	free(d.buf);
}

/* Random blobs of every small length: whatever the bytes, the result agrees with a
 * plain reading of the format and nothing is read out of bounds. */
static void test_random_blobs(void **state)
{
	static const char *const probes[] = { "a", "ab", "etc/table-loader" };
	uint32_t seed = 12345;

	for (int round = 0; round < 20000; round++) {
		size_t len = round % (4 + 3 * ENTRY + 5);
		unsigned char *b = malloc(len ? len : 1);
		const char *name = probes[round % 3];
		uint32_t count = 0;
		uint16_t item;
		uint32_t size;
		int r, want = FWCFG_NOT_FOUND;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			/* Mostly letters and NULs so names do match now and then. */
			b[i] = (seed >> 16) % 4 == 0 ? 0 : "ab"[(seed >> 20) & 1];
		}
		if (len >= 4) {
			b[0] = b[1] = b[2] = 0;
			b[3] = (seed >> 8) % 5;
			count = b[3];
		}
		if (len < 4 || count > (len - 4) / ENTRY)
			want = FWCFG_BAD_DIR;
		else
			for (uint32_t i = 0; i < count; i++)
				if (!strncmp((char *)b + 4 + i * ENTRY + offsetof(struct fwcfg_file, name), name, FW_CFG_MAX_FILE_PATH)) {
					want = 0;
					break;
				}
		r = fwcfg_dir_find(b, len, name, &item, &size);
		assert_int_equal(r, want);
		free(b);
	}
}

/* As EDK2's QemuFwCfgParseBool: what -fw_cfg name=...,string=y or file=... may hold. */
static void test_parse_bool(void **state)
{
	static const struct { const char *s; size_t len; int r; bool v; } t[] = {
		{ "y", 1, 0, true }, { "Y", 1, 0, true }, { "yes", 3, 0, true },
		{ "TRUE", 4, 0, true }, { "Enabled", 7, 0, true }, { "1", 1, 0, true },
		{ "y\n", 2, 0, true }, { "yes\r\n", 5, 0, true }, { "y", 2, 0, true },
		{ "n", 1, 0, false }, { "No", 2, 0, false }, { "disabled\n", 9, 0, false },
		{ "0\r\n", 3, 0, false }, { "false", 6, 0, false },
		{ "", 0, -1, false }, { "\n", 1, -1, false }, { "ye", 2, -1, false }, { "yess", 4, -1, false },
		{ "y\n\n", 3, -1, false }, { "2", 1, -1, false }, { "y\0n", 3, -1, false }, { " y", 2, -1, false },
		{ "yes", 2, -1, false }, { "on", 2, -1, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		bool v = !t[i].v;
		char *s = malloc(t[i].len ? t[i].len : 1);     /* exact: ASan sees overreads */

		memcpy(s, t[i].s, t[i].len);
		if (fwcfg_parse_bool(s, t[i].len, &v) != t[i].r)
			fail_msg("%zu: \"%s\" gives %d", i, t[i].s, !t[i].r);
		if (!t[i].r)
			assert_int_equal(v, t[i].v);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_every_entry),
		cmocka_unit_test(test_not_found_leaves_outputs),
		cmocka_unit_test(test_slack_after_entries_ignored),
		cmocka_unit_test(test_empty_directory),
		cmocka_unit_test(test_too_short_for_count),
		cmocka_unit_test(test_count_beyond_blob),
		cmocka_unit_test(test_truncated_last_entry),
		cmocka_unit_test(test_longest_name),
		cmocka_unit_test(test_unterminated_name),
		cmocka_unit_test(test_garbage_after_nul),
		cmocka_unit_test(test_first_duplicate_wins),
		cmocka_unit_test(test_unaligned_and_extreme_fields),
		cmocka_unit_test(test_random_blobs),
		cmocka_unit_test(test_parse_bool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
