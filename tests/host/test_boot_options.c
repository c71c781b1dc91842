/* Host tests for the boot manager's pure parsers: EFI_LOAD_OPTION (efi/load_option.c)
 * and QEMU's bootorder lines (fwcfg/bootorder.c). Every input sits in a heap buffer
 * of exactly its length, so AddressSanitizer catches a read past its end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "efi/load_option.h"
#include "fwcfg.h"

static uint8_t *copy(const void *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	memcpy(b, p, n);
	return b;
}

/* Active, "ab", HD()-less path Pci(1,0)/End, then 3 bytes of optional data. */
static const uint8_t option[] = {
	1, 0, 0, 0, 10, 0, 'a', 0, 'b', 0, 0, 0,
	1, 1, 6, 0, 0, 1, 0x7f, 0xff, 4, 0,
	'x', 'y', 'z',
};

static void test_parse_good(void **state)
{
	uint8_t *b = copy(option, sizeof(option));
	struct load_option o;

	assert_true(load_option_parse(b, sizeof(option), &o));
	assert_int_equal(o.attributes, LOAD_OPTION_ACTIVE);
	assert_int_equal(o.description[0], 'a');
	assert_int_equal(o.description[2], 0);
	assert_ptr_equal(o.path, b + 12);
	assert_int_equal(o.path_size, 10);
	assert_ptr_equal(o.data, b + 22);
	assert_int_equal(o.data_size, 3);
	free(b);
}

/* Every truncation fails or stays inside: none reads past the end (ASan). */
static void test_parse_truncated(void **state)
{
	for (size_t n = 0; n < sizeof(option); n++) {
		uint8_t *b = copy(option, n);
		struct load_option o;

		assert_int_equal(load_option_parse(b, n, &o), n >= 22);
		free(b);
	}
}

static void test_parse_bad_paths(void **state)
{
	struct load_option o;
	uint8_t b[sizeof(option)];

	memcpy(b, option, sizeof(b));
	b[14] = 2;                              /* a node shorter than its header */
	assert_false(load_option_parse(b, sizeof(b), &o));
	memcpy(b, option, sizeof(b));
	b[14] = 200;                            /* a node longer than the list */
	assert_false(load_option_parse(b, sizeof(b), &o));
	memcpy(b, option, sizeof(b));
	b[18] = 0x04;                           /* no end node within the list */
	assert_false(load_option_parse(b, sizeof(b), &o));
	memcpy(b, option, sizeof(b));
	b[4] = 4;                               /* a list that is only the end node */
	memcpy(b + 12, "\x7f\xff\x04\x00", 4);
	assert_false(load_option_parse(b, sizeof(b), &o));
	memcpy(b, option, sizeof(b));
	b[19] = 0x01;                           /* an end-instance node: several paths */
	assert_false(load_option_parse(b, sizeof(b), &o));
	memcpy(b, option, sizeof(b));
	b[4] = 30;                              /* FilePathListLength past the end */
	assert_false(load_option_parse(b, sizeof(b), &o));
}

static struct hd_node hd(uint8_t sig_type, uint32_t number, uint8_t first)
{
	struct hd_node n = { .Header = { MEDIA_DEVICE_PATH, MEDIA_HARDDRIVE_DP,
					 { sizeof(n), 0 } },
			     .PartitionNumber = number, .SignatureType = sig_type,
			     .MBRType = sig_type };

	memset(n.Signature, first, sig_type == 2 ? 16 : 4);
	return n;
}

static void test_hd_match(void **state)
{
	struct hd_node gpt = hd(2, 1, 0xaa), gpt_other = hd(2, 1, 0xbb), gpt_n = hd(2, 3, 0xaa);
	struct hd_node mbr = hd(1, 1, 0x55), mbr2 = hd(1, 2, 0x55), none = hd(0, 1, 0);

	struct hd_node short_gpt = gpt, not_hd = gpt;

	short_gpt.Header.Length[0]--;
	not_hd.Header.SubType = MEDIA_FILEPATH_DP;
	assert_true(load_option_hd_match(&gpt.Header, &gpt.Header));
	/* the GUID names the partition */
	assert_true(load_option_hd_match(&gpt.Header, &gpt_n.Header));
	assert_false(load_option_hd_match(&gpt.Header, &gpt_other.Header));
	assert_true(load_option_hd_match(&mbr.Header, &mbr.Header));
	/* same disk, other partition */
	assert_false(load_option_hd_match(&mbr.Header, &mbr2.Header));
	assert_false(load_option_hd_match(&gpt.Header, &mbr.Header));
	assert_false(load_option_hd_match(&none.Header, &none.Header));
	/* only HD() nodes of full length */
	assert_false(load_option_hd_match(&short_gpt.Header, &gpt.Header));
	assert_false(load_option_hd_match(&gpt.Header, &short_gpt.Header));
	assert_false(load_option_hd_match(&not_hd.Header, &gpt.Header));
	assert_false(load_option_hd_match(&gpt.Header, &not_hd.Header));
}

static int line(const char *s, struct fwcfg_boot_device *d)
{
	char *b = (char *)copy(s, strlen(s));
	int r = fwcfg_bootorder_line(b, strlen(s), d);

	free(b);
	return r;
}

static void test_bootorder_lines(void **state)
{
	struct fwcfg_boot_device d;

	assert_int_equal(line("/pci@ffffffffffffffff/scsi@1/disk@0,0", &d), 0);
	assert_false(d.mmio);
	assert_int_equal(d.pci_depth, 1);
	assert_int_equal(d.pci_path[0].dev, 1);
	assert_int_equal(d.pci_path[0].fn, 0);
	assert_int_equal(line("/pci@ffffffffffffffff/pci-bridge@2/scsi@0/disk@0,0", &d), 0);
	assert_int_equal(d.pci_depth, 2);
	assert_int_equal(d.pci_path[0].dev, 2);
	assert_int_equal(d.pci_path[1].dev, 0);
	assert_int_equal(line("/pci@ffffffffffffffff/scsi@1f,7/disk@0,0", &d), 0);
	assert_int_equal(d.pci_path[0].dev, 31);
	assert_int_equal(d.pci_path[0].fn, 7);
	assert_int_equal(line("/virtio-mmio@000000000a003e00/disk@0,0", &d), 0);
	assert_true(d.mmio);
	assert_int_equal(d.mmio_base, 0xa003e00);
}

static void test_bootorder_refused(void **state)
{
	static const char *const bad[] = {
		"", "/", "//", "pci@0/scsi@1/disk@0,0",
		"/pci@ffffffffffffffff/ethernet@1/ethernet-phy@0",      /* not a disk */
		"/pci@ffffffffffffffff/disk@0,0",                       /* no device */
		"/pci@ffffffffffffffff/scsi@20/disk@0,0",               /* slot 32 */
		"/pci@ffffffffffffffff/scsi@1,8/disk@0,0",              /* function 8 */
		"/pci@ffffffffffffffff/scsi@/disk@0,0",
		"/pci@ffffffffffffffff/scsi1/disk@0,0",
		"/pci@ffffffffffffffff/scsi@1/disk@0,0/",
		"/virtio-mmio@a003e00/x@1/disk@0,0",
		"/virtio-mmio@1234567890abcdef0/disk@0,0",              /* 17 digits */
		"/isa@0/fdc@3f0/floppy@0",
		"/pci@f/a@1/a@1/a@1/a@1/a@1/a@1/a@1/a@1/a@1/disk@0,0",  /* 9 deep */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fwcfg_boot_device d;

		assert_int_equal(line(bad[i], &d), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_bad_paths),
		cmocka_unit_test(test_hd_match),
		cmocka_unit_test(test_bootorder_lines),
		cmocka_unit_test(test_bootorder_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
