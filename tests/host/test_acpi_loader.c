/* Host tests for efi/acpi_loader.c: QEMU-like table-loader scripts run against a fake
 * fw_cfg, then every kind of malformed script and every broken result, each refused
 * with a message that says what is wrong. Files are loaded into heap buffers of exactly
 * their size, so AddressSanitizer catches any access past a file's end; where a pointer
 * must fit in 4 bytes, they are loaded below 4 GiB instead (MAP_32BIT). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "efi/acpi_loader.h"
#include "util.h"

#define TABLES "etc/acpi/tables"
#define RSDP   ACPI_RSDP_FILE

/* ---- a fake fw_cfg and the callbacks ---- */

struct file {
	const char *name;
	uint8_t data[1024];
	uint32_t size;
};

static struct file fw[12];
static unsigned nr_fw;
static bool low_memory;                 /* load files below 4 GiB */
static struct { void *p; size_t len; bool low; } loaded_mem[16];
static unsigned nr_loaded;
static struct { char name[64]; uint32_t offset; uint64_t value; uint8_t size; } written;
static int write_result;
static uint8_t script[ACPI_LOADER_ENTRY_SIZE * 40];
static size_t script_len;

static struct file *fw_file(const char *name, uint32_t size)
{
	struct file *f = &fw[nr_fw++];

	assert_true(nr_fw <= 12 && size <= sizeof(f->data));
	f->name = name;
	f->size = size;
	memset(f->data, 0, sizeof(f->data));
	return f;
}

static int t_allocate(const char *name, uint8_t **data, uint32_t *size)
{
	for (unsigned i = 0; i < nr_fw; i++) {
		void *p;

		if (strcmp(fw[i].name, name))
			continue;
		p = low_memory ? mmap(NULL, fw[i].size, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0)
			       : malloc(fw[i].size);
		assert_true(p && p != MAP_FAILED);
		memcpy(p, fw[i].data, fw[i].size);
		loaded_mem[nr_loaded].p = p;
		loaded_mem[nr_loaded].low = low_memory;
		loaded_mem[nr_loaded++].len = fw[i].size;
		*data = p;
		*size = fw[i].size;
		return 0;
	}
	return -1;
}

static int t_write_pointer(const char *name, uint32_t offset, uint64_t value, uint8_t size)
{
	snprintf(written.name, sizeof(written.name), "%s", name);
	written.offset = offset;
	written.value = value;
	written.size = size;
	return write_result;
}

static const struct acpi_loader_ops ops = { t_allocate, t_write_pointer };

static int setup(void **state)
{
	nr_fw = nr_loaded = 0;
	script_len = 0;
	low_memory = false;
	write_result = 0;
	memset(&written, 0, sizeof(written));
	return 0;
}

static int teardown(void **state)
{
	for (unsigned i = 0; i < nr_loaded; i++)
		if (loaded_mem[i].low)
			munmap(loaded_mem[i].p, loaded_mem[i].len);
		else
			free(loaded_mem[i].p);
	return 0;
}

/* ---- scripts ---- */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint8_t *next_cmd(uint32_t command)
{
	uint8_t *c = script + script_len;

	assert_true(script_len + ACPI_LOADER_ENTRY_SIZE <= sizeof(script));
	memset(c, 0, ACPI_LOADER_ENTRY_SIZE);
	put32(c, command);
	script_len += ACPI_LOADER_ENTRY_SIZE;
	return c;
}

/* A name of 56 characters or more fills the field without a NUL. */
static void put_name(uint8_t *field, const char *name)
{
	memcpy(field, name, strnlen(name, ACPI_LOADER_FILESZ));
}

static void cmd_allocate(const char *file, uint32_t align, uint8_t zone)
{
	uint8_t *c = next_cmd(1);

	put_name(c + 4, file);
	put32(c + 60, align);
	c[64] = zone;
}

static void cmd_add_pointer(const char *dest, const char *src, uint32_t offset, uint8_t size)
{
	uint8_t *c = next_cmd(2);

	put_name(c + 4, dest);
	put_name(c + 60, src);
	put32(c + 116, offset);
	c[120] = size;
}

static void cmd_add_checksum(const char *file, uint32_t offset, uint32_t start, uint32_t length)
{
	uint8_t *c = next_cmd(3);

	put_name(c + 4, file);
	put32(c + 60, offset);
	put32(c + 64, start);
	put32(c + 68, length);
}

static void cmd_write_pointer(const char *dest, const char *src, uint32_t dst_offset,
			      uint32_t src_offset, uint8_t size)
{
	uint8_t *c = next_cmd(4);

	put_name(c + 4, dest);
	put_name(c + 60, src);
	put32(c + 116, dst_offset);
	put32(c + 120, src_offset);
	c[124] = size;
}

/* ---- QEMU-like tables: what -M virt's script does, on a DSDT, FADT, MADT and XSDT ---- */

enum { DSDT = 0, FADT = 64, MADT = 340, XSDT = 384, TABLES_SIZE = 436 };
enum { DSDT_LEN = 52, FADT_LEN = 276, MADT_LEN = 44, XSDT_LEN = 52 };

static void header(uint8_t *t, const char *sig, uint32_t length)
{
	memcpy(t, sig, 4);
	put32(t + 4, length);
	t[8] = 2;
	memcpy(t + 10, "BOCHS BXPC    ", 14);
	for (uint32_t i = 36; i < length; i++)     /* some contents for the checksums */
		t[i] = i * 7;
}

static void qemu_files(void)
{
	uint8_t *t = fw_file(TABLES, TABLES_SIZE)->data, *r = fw_file(RSDP, 36)->data;
	uint64_t off;

	header(t + DSDT, "DSDT", DSDT_LEN);
	header(t + FADT, "FACP", FADT_LEN);
	memset(t + FADT + 40, 0, 4);                        /* DSDT: unused */
	off = DSDT, memcpy(t + FADT + 140, &off, 8);        /* X_DSDT */
	header(t + MADT, "APIC", MADT_LEN);
	header(t + XSDT, "XSDT", XSDT_LEN);
	off = FADT, memcpy(t + XSDT + 36, &off, 8);
	off = MADT, memcpy(t + XSDT + 44, &off, 8);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BOCHS ", 6);
	r[15] = 2;
	put32(r + 20, 36);
	off = XSDT, memcpy(r + 24, &off, 8);
}

/* The FADT's DSDT pointer is its 8-byte X_DSDT, or the 4-byte DSDT field. */
static void qemu_script_with(uint32_t dsdt_field, uint8_t dsdt_size)
{
	cmd_allocate(TABLES, 64, 1);
	cmd_allocate(RSDP, 16, 2);
	cmd_add_checksum(TABLES, DSDT + 9, DSDT, DSDT_LEN);
	cmd_add_pointer(TABLES, TABLES, dsdt_field, dsdt_size);
	cmd_add_checksum(TABLES, FADT + 9, FADT, FADT_LEN);
	cmd_add_checksum(TABLES, MADT + 9, MADT, MADT_LEN);
	cmd_add_pointer(TABLES, TABLES, XSDT + 36, 8);
	cmd_add_pointer(TABLES, TABLES, XSDT + 44, 8);
	cmd_add_checksum(TABLES, XSDT + 9, XSDT, XSDT_LEN);
	cmd_add_pointer(RSDP, TABLES, 24, 8);
	cmd_add_checksum(RSDP, 8, 0, 20);
	cmd_add_checksum(RSDP, 32, 0, 36);
}

static void qemu_script(void)
{
	qemu_script_with(FADT + 140, 8);
}

/* Remove command n (from 0) of the script. */
static void drop_cmd(unsigned n)
{
	uint8_t *c = script + n * ACPI_LOADER_ENTRY_SIZE;

	memmove(c, c + ACPI_LOADER_ENTRY_SIZE, script + script_len - c - ACPI_LOADER_ENTRY_SIZE);
	script_len -= ACPI_LOADER_ENTRY_SIZE;
}

static struct acpi_loader l;
static const char *why;

static int run(void)
{
	why = NULL;
	return acpi_loader_run(&l, script, script_len, &ops, &why);
}

static void expect_refused(const char *text)
{
	assert_int_equal(run(), -1);
	assert_non_null(why);
	if (!strstr(why, text))
		fail_msg("refused with \"%s\", expected \"%s\"", why, text);
}

static void expect_check_refused(const char *text)
{
	void *rsdp = NULL;

	assert_int_equal(run(), 0);
	assert_int_equal(acpi_loader_check(&l, &rsdp, &why), -1);
	assert_null(rsdp);
	if (!strstr(why, text))
		fail_msg("refused with \"%s\", expected \"%s\"", why, text);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* ---- scripts that work ---- */

static void test_qemu_script(void **state)
{
	uint8_t *t, *r;
	void *rsdp;

	qemu_files();
	qemu_script();
	assert_int_equal(run(), 0);
	assert_int_equal(l.nr_blobs, 2);
	assert_string_equal(l.blob[0].name, TABLES);
	assert_int_equal(l.blob[0].size, TABLES_SIZE);
	t = l.blob[0].data, r = l.blob[1].data;
	assert_int_equal(get64(t + FADT + 140), (uintptr_t)t + DSDT);
	assert_int_equal(get64(t + XSDT + 36), (uintptr_t)t + FADT);
	assert_int_equal(get64(t + XSDT + 44), (uintptr_t)t + MADT);
	assert_int_equal(get64(r + 24), (uintptr_t)t + XSDT);
	assert_int_equal(sum(t + DSDT, DSDT_LEN), 0);
	assert_int_equal(sum(t + FADT, FADT_LEN), 0);
	assert_int_equal(sum(t + MADT, MADT_LEN), 0);
	assert_int_equal(sum(t + XSDT, XSDT_LEN), 0);
	assert_int_equal(sum(r, 20), 0);
	assert_int_equal(sum(r, 36), 0);
	assert_int_equal(acpi_loader_check(&l, &rsdp, &why), 0);
	assert_ptr_equal(rsdp, r);
}

/* Pointers of every size hold the address plus the offset that was there; 1 and 2-byte
 * fields cannot hold any address of ours, 4-byte ones only those below 4 GiB. */
static void test_pointer_sizes(void **state)
{
	uint8_t *d = fw_file("dest", 32)->data;
	uint8_t *src;

	low_memory = true;
	fw_file("src", 0x300);
	d[0] = 0x10, d[4] = 0x22, d[5] = 0x01, d[16] = 0xff, d[17] = 0x02;
	cmd_allocate("src", 4096, 1);
	cmd_allocate("dest", 8, 1);
	cmd_add_pointer("dest", "src", 0, 4);
	cmd_add_pointer("dest", "src", 4, 8);
	cmd_add_pointer("dest", "src", 16, 8);
	assert_int_equal(run(), 0);
	src = l.blob[0].data;
	d = l.blob[1].data;
	assert_true((uintptr_t)src < 0x100000000);
	assert_int_equal(get64(d) & 0xffffffff, (uintptr_t)src + 0x10);
	assert_int_equal(get64(d + 4), (uintptr_t)src + 0x122);
	assert_int_equal(get64(d + 16), (uintptr_t)src + 0x2ff);
	for (uint8_t size = 1; size <= 2; size++) {
		script_len = 0;
		cmd_allocate("src", 1, 1);
		cmd_allocate("dest", 1, 1);
		cmd_add_pointer("dest", "src", 8, size);
		expect_refused("does not fit in");
	}
}

static void test_four_byte_pointer_above_4g(void **state)
{
	fw_file("a", 64);
	cmd_allocate("a", 0, 2);
	cmd_add_pointer("a", "a", 0, 4);
	expect_refused("the address of a does not fit in 4 bytes");
	assert_true((uintptr_t)l.blob[0].data > 0xffffffff);  /* AddressSanitizer's heap */
}

/* Checksums: the byte becomes what makes the range sum to 0, whether the range holds
 * it or not; an empty range changes nothing. */
static void test_checksums(void **state)
{
	uint8_t orig[16], *d = fw_file("f", 16)->data;

	for (int i = 0; i < 16; i++)
		orig[i] = d[i] = i * 13 + 1;
	cmd_allocate("f", 1, 1);
	cmd_add_checksum("f", 3, 0, 8);
	cmd_add_checksum("f", 15, 8, 7);
	cmd_add_checksum("f", 0, 16, 0);
	assert_int_equal(run(), 0);
	d = l.blob[0].data;
	assert_int_equal(sum(d, 8), 0);
	assert_int_equal(d[15], (uint8_t)(orig[15] - sum(orig + 8, 7)));
	assert_int_equal(d[0], orig[0]);
}

static void test_write_pointer(void **state)
{
	fw_file("blob", 64);
	fw_file("etc/hardware_errors_addr", 8);
	cmd_allocate("blob", 8, 1);
	cmd_write_pointer("etc/hardware_errors_addr", "blob", 0, 0x20, 8);
	assert_int_equal(run(), 0);
	assert_string_equal(written.name, "etc/hardware_errors_addr");
	assert_int_equal(written.offset, 0);
	assert_int_equal(written.size, 8);
	assert_int_equal(written.value, (uintptr_t)l.blob[0].data + 0x20);
	/* A refusal by the callback (no such fw_cfg file, out of its bounds) stops it. */
	write_result = -1;
	expect_refused("cannot write to etc/hardware_errors_addr");
}

/* An empty script loads nothing: nothing to check either. */
static void test_empty_script(void **state)
{
	void *rsdp;

	assert_int_equal(run(), 0);
	assert_int_equal(l.nr_blobs, 0);
	assert_int_equal(acpi_loader_check(&l, &rsdp, &why), -1);
	assert_non_null(strstr(why, "loads no etc/acpi/rsdp"));
}

/* ---- malformed scripts ---- */

static void test_partial_command(void **state)
{
	qemu_files();
	qemu_script();
	for (size_t cut = 1; cut < ACPI_LOADER_ENTRY_SIZE; cut += 31) {
		size_t full = script_len;

		script_len -= cut;
		expect_refused("not a whole number of 128-byte commands");
		script_len = full;
	}
}

static void test_unknown_command(void **state)
{
	static const uint32_t bad[] = { 0, 5, 0x101, 0xffffffff };

	qemu_files();
	for (unsigned i = 0; i < 4; i++) {
		script_len = 0;
		cmd_allocate(TABLES, 64, 1);
		next_cmd(bad[i]);
		expect_refused("command 2 (?): unknown command");
	}
}

/* Every file name field of every command: 56 bytes without a NUL, or empty. */
static void test_bad_names(void **state)
{
	char long_name[ACPI_LOADER_FILESZ + 1];

	memset(long_name, 'a', ACPI_LOADER_FILESZ);
	long_name[ACPI_LOADER_FILESZ] = 0;
	fw_file("f", 16);
	fw_file(long_name, 16);            /* even if fw_cfg had it */
	for (int empty = 0; empty < 2; empty++) {
		const char *bad = empty ? "" : long_name;
		const char *text = empty ? "a file name is empty" : "without a NUL";

		script_len = 0;
		cmd_allocate(bad, 1, 1);
		expect_refused(text);
		for (int field = 0; field < 5; field++) {
			script_len = 0;
			cmd_allocate("f", 1, 1);
			switch (field) {
			case 0: cmd_add_pointer(bad, "f", 0, 8); break;
			case 1: cmd_add_pointer("f", bad, 0, 8); break;
			case 2: cmd_add_checksum(bad, 0, 0, 1); break;
			case 3: cmd_write_pointer(bad, "f", 0, 0, 8); break;
			case 4: cmd_write_pointer("etc/x", bad, 0, 0, 8); break;
			}
			expect_refused(text);
		}
	}
}

static void test_file_not_in_fw_cfg(void **state)
{
	cmd_allocate("etc/acpi/nothere", 1, 1);
	expect_refused("command 1 (ALLOCATE): cannot load etc/acpi/nothere");
	assert_int_equal(l.nr_blobs, 0);
}

/* Only files loaded by an earlier ALLOCATE may be referred to. */
static void test_file_not_loaded(void **state)
{
	fw_file("a", 16);
	fw_file("b", 16);
	cmd_add_pointer("a", "a", 0, 8);
	expect_refused("command 1 (ADD_POINTER): a was not loaded by an earlier ALLOCATE");
	script_len = 0;
	cmd_allocate("a", 1, 1);
	cmd_add_pointer("a", "b", 0, 8);
	cmd_allocate("b", 1, 1);
	expect_refused("command 2 (ADD_POINTER): b was not loaded");
	script_len = 0;
	cmd_add_checksum("a", 0, 0, 1);
	expect_refused("command 1 (ADD_CHECKSUM): a was not loaded");
	script_len = 0;
	cmd_write_pointer("a", "a", 0, 0, 8);
	expect_refused("command 1 (WRITE_POINTER): a was not loaded");
}

static void test_duplicate_allocate(void **state)
{
	fw_file("a", 16);
	cmd_allocate("a", 1, 1);
	cmd_allocate("a", 1, 2);
	expect_refused("command 2 (ALLOCATE): a is loaded twice");
	assert_int_equal(l.nr_blobs, 1);           /* the caller frees what was loaded */
}

static void test_too_many_files(void **state)
{
	static const char *const names[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8" };

	for (unsigned i = 0; i <= ACPI_LOADER_MAX_FILES; i++) {
		fw_file(names[i], 8);
		cmd_allocate(names[i], 1, 1);
	}
	expect_refused("command 9 (ALLOCATE): more than 8 files");
	assert_int_equal(l.nr_blobs, ACPI_LOADER_MAX_FILES);
	assert_int_equal(nr_loaded, ACPI_LOADER_MAX_FILES);
}

static void test_allocate_fields(void **state)
{
	static const uint32_t bad_align[] = { 3, 6, 0x2000, 0x80000000, 0xffffffff };
	static const uint8_t bad_zone[] = { 0, 3, 0xff };

	fw_file("a", 16);
	for (unsigned i = 0; i < 5; i++) {
		script_len = 0;
		cmd_allocate("a", bad_align[i], 1);
		expect_refused("is not a power of 2 up to 4 KiB");
	}
	for (unsigned i = 0; i < 3; i++) {
		script_len = 0;
		cmd_allocate("a", 16, bad_zone[i]);
		expect_refused("unknown zone");
	}
	for (uint32_t align = 0; align <= 4096; align = align ? align * 2 : 1) {
		script_len = 0;
		cmd_allocate("a", align, 2);
		assert_int_equal(run(), 0);
	}
}

static void test_pointer_out_of_bounds(void **state)
{
	static const struct { uint32_t offset; uint8_t size; } bad[] = {
		{ 16, 1 }, { 15, 2 }, { 13, 4 }, { 9, 8 }, { 0xffffffff, 1 },
		{ 0xfffffff9, 8 }, { 0x80000000, 8 },
	};

	fw_file("d", 16);
	fw_file("s", 16);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		script_len = 0;
		cmd_allocate("d", 1, 1);
		cmd_allocate("s", 1, 1);
		cmd_add_pointer("d", "s", bad[i].offset, bad[i].size);
		expect_refused("pointer at");
	}
	script_len = 0;                    /* the last field that fits */
	cmd_allocate("d", 1, 1);
	cmd_allocate("s", 1, 1);
	cmd_add_pointer("d", "s", 8, 8);
	assert_int_equal(run(), 0);
}

static void test_pointer_size_invalid(void **state)
{
	static const uint8_t bad[] = { 0, 3, 5, 6, 7, 9, 16, 0xff };

	fw_file("d", 32);
	for (unsigned i = 0; i < sizeof(bad); i++) {
		script_len = 0;
		cmd_allocate("d", 1, 1);
		cmd_add_pointer("d", "d", 0, bad[i]);
		expect_refused("is not 1, 2, 4 or 8");
		script_len = 0;
		cmd_allocate("d", 1, 1);
		cmd_write_pointer("etc/x", "d", 0, 0, bad[i]);
		expect_refused("is not 1, 2, 4 or 8");
	}
}

/* The field holds an offset into the source file: past its end is refused. */
static void test_pointee_outside_source(void **state)
{
	uint8_t *d = fw_file("d", 16)->data;

	fw_file("s", 0x40);
	d[0] = 0x40;
	cmd_allocate("d", 1, 1);
	cmd_allocate("s", 1, 1);
	cmd_add_pointer("d", "s", 0, 8);
	expect_refused("offset 0x40 is outside s (0x40 bytes)");
	d[0] = 0xff, d[7] = 0xff;
	expect_refused("is outside s");
	script_len = 0;
	cmd_allocate("s", 1, 1);
	cmd_write_pointer("etc/x", "s", 0, 0x40, 8);
	expect_refused("offset 0x40 is outside s");
	assert_int_equal(written.size, 0);         /* nothing was written */
}

static void test_checksum_out_of_bounds(void **state)
{
	static const uint32_t bad[][3] = {      /* offset, start, length */
		{ 16, 0, 1 }, { 0xffffffff, 0, 1 }, { 0, 0, 17 }, { 0, 1, 16 },
		{ 0, 16, 1 }, { 0, 17, 0 }, { 0, 0xffffffff, 2 }, { 0, 2, 0xffffffff },
	};

	fw_file("f", 16);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		script_len = 0;
		cmd_allocate("f", 1, 1);
		cmd_add_checksum("f", bad[i][0], bad[i][1], bad[i][2]);
		expect_refused("is outside f (0x10 bytes)");
	}
}

/* The failing command is named by its number, and nothing after it runs. */
static void test_stops_at_first_error(void **state)
{
	qemu_files();
	qemu_script();
	cmd_add_checksum(TABLES, TABLES_SIZE, 0, 1);
	cmd_add_pointer(TABLES, TABLES, 0, 8);
	expect_refused("command 13 (ADD_CHECKSUM)");
}

/* ---- results the check refuses ---- */

/* A table whose checksum the script does not fix: MADT's checksum command is gone. */
static void test_table_checksum_error(void **state)
{
	qemu_files();
	qemu_script();
	drop_cmd(5);
	expect_check_refused("APIC at");
	assert_non_null(strstr(why, "checksum error"));
}

static void test_rsdp_checksum_errors(void **state)
{
	qemu_files();
	qemu_script();
	drop_cmd(11);                              /* no extended checksum */
	expect_check_refused("RSDP: checksum error");
	drop_cmd(10);                              /* neither */
	expect_check_refused("RSDP: checksum error");
}

static void test_bad_rsdp(void **state)
{
	qemu_files();
	qemu_script();
	fw[1].data[15] = 0;                        /* ACPI 1.0 */
	expect_check_refused("not an ACPI 2.0+ RSDP");
	fw[1].data[15] = 2;
	put32(fw[1].data + 20, 37);                /* longer than the file */
	expect_check_refused("not an ACPI 2.0+ RSDP");
	put32(fw[1].data + 20, 36);
	fw[1].data[0] = 'X';
	expect_check_refused("holds no RSDP");
}

static void test_unchecked_pointers(void **state)
{
	qemu_files();
	qemu_script();
	drop_cmd(9);                               /* the RSDP's XSDT offset stays an offset */
	expect_check_refused("XSDT at 0x180 is outside the loaded files");
}

static void test_wrong_signature(void **state)
{
	qemu_files();
	memcpy(fw[0].data + XSDT, "RSDT", 4);
	qemu_script();
	expect_check_refused("RSDT at");
	assert_non_null(strstr(why, "where the XSDT belongs"));
}

static void test_length_past_file(void **state)
{
	qemu_files();
	put32(fw[0].data + MADT + 4, TABLES_SIZE - MADT + 1);   /* past the file's end */
	qemu_script();
	expect_check_refused("APIC at");
	assert_non_null(strstr(why, "does not fit in etc/acpi/tables"));
}

/* An XSDT entry close to a file's end: the header itself is cut short. */
static void test_header_cut_short(void **state)
{
	uint64_t off = TABLES_SIZE - 20;

	qemu_files();
	memcpy(fw[0].data + XSDT + 44, &off, 8);
	qemu_script();
	expect_check_refused("header cut short by the end of etc/acpi/tables");
}

static void test_fadt_without_dsdt(void **state)
{
	qemu_files();
	memset(fw[0].data + FADT + 140, 0, 8);
	qemu_script();
	drop_cmd(3);                               /* no X_DSDT relocation */
	expect_check_refused("the FADT names no DSDT");
}

/* A 32-bit DSDT field serves when X_DSDT is 0. */
static void test_fadt_32bit_dsdt(void **state)
{
	void *rsdp;

	low_memory = true;
	qemu_files();
	memset(fw[0].data + FADT + 140, 0, 8);
	qemu_script_with(FADT + 40, 4);
	assert_int_equal(run(), 0);
	assert_int_equal(acpi_loader_check(&l, &rsdp, &why), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_qemu_script),
		T(test_pointer_sizes),
		T(test_four_byte_pointer_above_4g),
		T(test_checksums),
		T(test_write_pointer),
		T(test_empty_script),
		T(test_partial_command),
		T(test_unknown_command),
		T(test_bad_names),
		T(test_file_not_in_fw_cfg),
		T(test_file_not_loaded),
		T(test_duplicate_allocate),
		T(test_too_many_files),
		T(test_allocate_fields),
		T(test_pointer_out_of_bounds),
		T(test_pointer_size_invalid),
		T(test_pointee_outside_source),
		T(test_checksum_out_of_bounds),
		T(test_stops_at_first_error),
		T(test_table_checksum_error),
		T(test_rsdp_checksum_errors),
		T(test_bad_rsdp),
		T(test_unchecked_pointers),
		T(test_wrong_signature),
		T(test_length_past_file),
		T(test_header_cut_short),
		T(test_fadt_without_dsdt),
		T(test_fadt_32bit_dsdt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
