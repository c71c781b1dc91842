/* Host tests for efi/smbios_build.c: QEMU's anchors and tables as -M virt gives them,
 * with and without a type 0 record, then malformed anchors and tables, each refused with
 * a message. Each buffer is exactly as large as smbios_build may use, so
 * AddressSanitizer catches any access past it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "efi/smbios.h"

#define EP_SIZE sizeof(struct smbios3_entry_point)

static const struct smbios_bios_info bios = { "EFI-lite", "v1.2-3-gabcdef0", "11/25/2026" };

/* ---- QEMU's blobs ---- */

/* The 64-bit anchor QEMU 7.2 gives -M virt: version 3.0.0, no address yet. */
static const uint8_t sm3_anchor[24] = { '_', 'S', 'M', '3', '_', 0, 0x18, 3, 0, 0, 1 };

/* The 32-bit one older machine types give, version 2.8. */
static const uint8_t sm_anchor[31] = {
	'_', 'S', 'M', '_', 0, 0x1f, 2, 8, 0, 0, 0, 0, 0, 0, 0, 0, '_', 'D', 'M', 'I', '_',
};

static uint8_t table[512];
static size_t table_len;

/* Append a structure: type, handle, formatted length (with the header), strings. */
static void add(uint8_t type, uint16_t handle, uint8_t length, const char *const *strings,
		unsigned nr_strings)
{
	uint8_t *p = table + table_len;

	memset(p, 0, length);
	p[0] = type, p[1] = length, p[2] = handle, p[3] = handle >> 8;
	p += length;
	for (unsigned i = 0; i < nr_strings; i++)
		p = (uint8_t *)stpcpy((char *)p, strings[i]) + 1;
	if (!nr_strings)
		*p++ = 0;
	*p++ = 0;
	table_len = p - table;
}

/* What QEMU 7.2 builds for -M virt -smbios type=1,manufacturer=Foo,product=Bar. */
static void qemu_table(void)
{
	static const char *const t1[] = { "Foo", "Bar", "virt-7.2" };
	static const char *const t3[] = { "QEMU", "virt-7.2" };
	static const char *const t4[] = { "CPU 0", "QEMU", "virt-7.2" };
	static const char *const t17[] = { "DIMM 0", "QEMU" };

	table_len = 0;
	add(1, 0x100, 0x1b, t1, 3);
	add(3, 0x300, 0x16, t3, 2);
	add(4, 0x400, 0x30, t4, 3);
	add(16, 0x1000, 0x17, NULL, 0);
	add(17, 0x1100, 0x28, t17, 2);
	add(19, 0x1300, 0x1f, NULL, 0);
	add(32, 0x2000, 0x0b, NULL, 0);
	add(127, 0x7f00, 4, NULL, 0);
}

/* ---- building ---- */

static uint8_t *buf;
static const char *why;

static int build(const void *anchor, size_t anchor_len)
{
	size_t size = EP_SIZE + smbios_type0_size(&bios) + table_len;

	free(buf);
	buf = malloc(size);
	memset(buf, 0xa5, size);
	memcpy(buf + size - table_len, table, table_len);
	why = NULL;
	return smbios_build(buf, table_len, anchor, anchor_len, &bios, &why);
}

static void expect_refused(const void *anchor, size_t anchor_len, const char *text)
{
	assert_int_equal(build(anchor, anchor_len), -1);
	assert_non_null(why);
	if (!strstr(why, text))
		fail_msg("refused with \"%s\", expected \"%s\"", why, text);
}

static int teardown(void **state)
{
	free(buf);
	buf = NULL;
	return 0;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static struct smbios3_entry_point entry_point(void)
{
	struct smbios3_entry_point ep;

	memcpy(&ep, buf, sizeof(ep));
	assert_memory_equal(ep.anchor, "_SM3_", 5);
	assert_int_equal(ep.length, 0x18);
	assert_int_equal(ep.revision, 1);
	assert_int_equal(sum(buf, EP_SIZE), 0);
	return ep;
}

/* The structures of the built table, as an OS walks them: type and handle of each,
 * string n of structure i. */
struct walked {
	unsigned count;
	uint8_t type[16];
	uint16_t handle[16];
	const char *strings[16][4];
};

static struct walked walk(void)
{
	struct smbios3_entry_point ep = entry_point();
	const uint8_t *t = (const uint8_t *)(uintptr_t)ep.table_address;
	const uint8_t *end = t + ep.table_max_size;
	struct walked w = { 0 };

	while (t < end) {
		const char *s = (const char *)t + t[1];
		unsigned n = 0;

		assert_true(w.count < 16);
		w.type[w.count] = t[0];
		w.handle[w.count] = t[2] | t[3] << 8;
		if (!*s)                        /* no strings: two NULs */
			s++;
		for (; *s; s += strlen(s) + 1)
			if (n < 4)
				w.strings[w.count][n++] = s;
		t = (const uint8_t *)s + 1;
		if (w.type[w.count++] == 127)
			break;
	}
	assert_ptr_equal(t, end);
	return w;
}

/* ---- tables that work ---- */

static void test_type0_added(void **state)
{
	struct smbios3_entry_point ep;
	struct walked w;
	const uint8_t *t0;

	qemu_table();
	assert_int_equal(build(sm3_anchor, sizeof(sm3_anchor)), 0);
	ep = entry_point();
	assert_int_equal(ep.major, 3);
	assert_int_equal(ep.minor, 0);
	assert_int_equal(ep.docrev, 0);
	/* Type 0 right after the entry point, QEMU's table right after it. */
	assert_int_equal(ep.table_address, (uintptr_t)buf + EP_SIZE);
	assert_int_equal(ep.table_max_size, smbios_type0_size(&bios) + table_len);
	assert_memory_equal(buf + EP_SIZE + smbios_type0_size(&bios), table, table_len);
	w = walk();
	assert_int_equal(w.count, 9);
	assert_int_equal(w.type[0], 0);
	assert_int_equal(w.handle[0], 0);
	assert_string_equal(w.strings[0][0], "EFI-lite");
	assert_string_equal(w.strings[0][1], "v1.2-3-gabcdef0");
	assert_string_equal(w.strings[0][2], "11/25/2026");
	assert_null(w.strings[0][3]);
	assert_int_equal(w.type[1], 1);
	assert_string_equal(w.strings[1][0], "Foo");
	assert_int_equal(w.type[8], 127);
	/* The fields: strings 1, 2 and 3; no legacy BIOS; UEFI, a virtual machine. */
	t0 = buf + EP_SIZE;
	assert_int_equal(t0[1], 0x18);
	assert_int_equal(t0[4], 1);
	assert_int_equal(t0[5], 2);
	assert_int_equal(t0[6] | t0[7], 0);
	assert_int_equal(t0[8], 3);
	assert_int_equal(t0[0x0a], 0x08);
	assert_int_equal(t0[0x13], 0x18);
	assert_int_equal(t0[0x14] & t0[0x15] & t0[0x16] & t0[0x17], 0xff);
}

/* With -smbios type=0,... QEMU's record stays, and no second one is added. */
static void test_qemu_type0_kept(void **state)
{
	static const char *const t0[] = { "Acme BIOS", "9.9" };
	uint8_t qemu[sizeof(table)];
	size_t qemu_len;
	struct smbios3_entry_point ep;
	struct walked w;

	qemu_table();
	memcpy(qemu, table, table_len);
	qemu_len = table_len;
	table_len = 0;
	add(0, 0, 0x18, t0, 2);
	memcpy(table + table_len, qemu, qemu_len);
	table_len += qemu_len;
	assert_int_equal(build(sm3_anchor, sizeof(sm3_anchor)), 0);
	ep = entry_point();
	assert_int_equal(ep.table_address, (uintptr_t)buf + EP_SIZE + smbios_type0_size(&bios));
	assert_int_equal(ep.table_max_size, table_len);
	w = walk();
	assert_int_equal(w.count, 9);
	assert_string_equal(w.strings[0][0], "Acme BIOS");
	for (unsigned i = 1; i < w.count; i++)
		assert_int_not_equal(w.type[i], 0);
}

/* Handle 0 taken: the record gets one more than the largest. */
static void test_handle_0_taken(void **state)
{
	static const char *const t1[] = { "x" };
	struct walked w;

	table_len = 0;
	add(1, 0, 0x1b, t1, 1);
	add(3, 0x1234, 0x16, NULL, 0);
	add(127, 0x7f00, 4, NULL, 0);
	assert_int_equal(build(sm3_anchor, sizeof(sm3_anchor)), 0);
	w = walk();
	assert_int_equal(w.count, 4);
	assert_int_equal(w.type[0], 0);
	assert_int_equal(w.handle[0], 0x7f01);
}

static void test_no_free_handle(void **state)
{
	table_len = 0;
	add(1, 0, 0x1b, NULL, 0);
	add(127, 0xfeff, 4, NULL, 0);          /* 0xff00 and up are reserved */
	expect_refused(sm3_anchor, sizeof(sm3_anchor), "no free handle");
	table_len = 0;
	add(1, 0, 0x1b, NULL, 0);
	add(127, 0xfefe, 4, NULL, 0);
	assert_int_equal(build(sm3_anchor, sizeof(sm3_anchor)), 0);
	assert_int_equal(walk().handle[0], 0xfeff);
}

/* The 32-bit anchor's version stays the table's: only the entry point is rebuilt. */
static void test_32bit_anchor(void **state)
{
	struct smbios3_entry_point ep;

	qemu_table();
	assert_int_equal(build(sm_anchor, sizeof(sm_anchor)), 0);
	ep = entry_point();
	assert_int_equal(ep.major, 2);
	assert_int_equal(ep.minor, 8);
	assert_int_equal(walk().count, 9);
}

/* The smallest table: the end-of-table structure alone. */
static void test_end_of_table_only(void **state)
{
	struct smbios3_entry_point ep;

	table_len = 0;
	add(127, 0x7f00, 4, NULL, 0);
	assert_int_equal(build(sm3_anchor, sizeof(sm3_anchor)), 0);
	ep = entry_point();
	assert_int_equal(ep.table_max_size, smbios_type0_size(&bios) + 6);
	assert_int_equal(walk().count, 2);
}

/* ---- what is refused ---- */

static void test_bad_anchors(void **state)
{
	uint8_t a[32];

	qemu_table();
	expect_refused(sm3_anchor, sizeof(sm3_anchor) - 1, "no SMBIOS entry point");
	expect_refused(sm_anchor, sizeof(sm_anchor) - 1, "no SMBIOS entry point");
	expect_refused(sm3_anchor, 0, "no SMBIOS entry point");
	memcpy(a, sm3_anchor, sizeof(sm3_anchor));
	a[3] = '2';
	expect_refused(a, sizeof(sm3_anchor), "no SMBIOS entry point");
	memcpy(a, "_DMI_", 5);
	expect_refused(a, sizeof(a), "no SMBIOS entry point");
}

static void test_header_cut_short(void **state)
{
	for (size_t len = 0; len < 4; len++) {
		table_len = len;
		memset(table, 1, len);
		expect_refused(sm3_anchor, sizeof(sm3_anchor), "structure at 0: header cut short");
	}
	qemu_table();
	table_len -= 6;                         /* the end of table cut off... */
	table[table_len++] = 127;               /* ...all but its first byte */
	expect_refused(sm3_anchor, sizeof(sm3_anchor), "header cut short");
}

static void test_bad_lengths(void **state)
{
	qemu_table();
	table[1] = 3;                           /* shorter than the header */
	expect_refused(sm3_anchor, sizeof(sm3_anchor), "structure at 0 (type 1): length 3");
	qemu_table();
	table_len = 0x1b;                       /* the fields end the blob */
	expect_refused(sm3_anchor, sizeof(sm3_anchor), "strings not terminated");
	table_len = 0x1a;                       /* the fields go past it */
	expect_refused(sm3_anchor, sizeof(sm3_anchor), "length 27 does not fit");
}

static void test_strings_not_terminated(void **state)
{
	qemu_table();
	table_len -= 7;                         /* type 127 gone, and the last NUL of type 32 */
	expect_refused(sm3_anchor, sizeof(sm3_anchor), "(type 32): strings not terminated");
	table_len = 0;
	add(1, 0, 4, (const char *const[]){ "abc" }, 1);
	table_len--;                            /* "abc\0" without the set's NUL */
	expect_refused(sm3_anchor, sizeof(sm3_anchor), "(type 1): strings not terminated");
}

static void test_no_end_of_table(void **state)
{
	qemu_table();
	table_len -= 6;
	expect_refused(sm3_anchor, sizeof(sm3_anchor), "no end-of-table structure");
}

static void test_bytes_after_end_of_table(void **state)
{
	qemu_table();
	table[table_len++] = 0;
	expect_refused(sm3_anchor, sizeof(sm3_anchor), "1 bytes after the end-of-table");
	qemu_table();
	add(1, 0x101, 4, NULL, 0);
	expect_refused(sm3_anchor, sizeof(sm3_anchor), "6 bytes after the end-of-table");
}

static void test_empty_bios_string(void **state)
{
	static const struct smbios_bios_info empty = { "EFI-lite", "", "01/01/1970" };
	uint8_t b[EP_SIZE + 64];

	table_len = 0;
	add(127, 0, 4, NULL, 0);
	memcpy(b + EP_SIZE + smbios_type0_size(&empty), table, table_len);
	assert_int_equal(smbios_build(b, table_len, sm3_anchor, sizeof(sm3_anchor), &empty, &why),
			 -1);
	assert_non_null(strstr(why, "empty BIOS Information string"));
}

/* Random tables of every small length: accepted or refused, never read out of bounds,
 * and what is accepted walks cleanly to its end. */
static void test_random_tables(void **state)
{
	uint32_t seed = 4321;

	for (int round = 0; round < 20000; round++) {
		table_len = round % 64;
		for (size_t i = 0; i < table_len; i++) {
			seed = seed * 1103515245 + 12345;
			/* Mostly NULs, small lengths and type 127, so some tables are valid. */
			table[i] = (seed >> 16) % 3 == 0 ? 0 : (seed >> 16) % 3 == 1 ? 4 + (seed >> 20) % 4
											 : 127;
		}
		if (build(sm3_anchor, sizeof(sm3_anchor)) == 0)
			walk();
		else
			assert_non_null(why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_teardown(t, teardown)
		T(test_type0_added),
		T(test_qemu_type0_kept),
		T(test_handle_0_taken),
		T(test_no_free_handle),
		T(test_32bit_anchor),
		T(test_end_of_table_only),
		T(test_bad_anchors),
		T(test_header_cut_short),
		T(test_bad_lengths),
		T(test_strings_not_terminated),
		T(test_no_end_of_table),
		T(test_bytes_after_end_of_table),
		T(test_empty_bios_string),
		T(test_random_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
