/* Host unit tests for efi/pecoff.c: a small PE32+ image built in memory, then every
 * header field broken one at a time, truncations, byte flips, relocations at several
 * addresses, in-place loading, and the real Debian kernels when they are cached. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <cmocka.h>
#include "efi/pecoff.h"
#include "pgtable.h"
#include "util.h"

/* Where the fields are in the test image: e_lfanew 0x40, 16 data directories. */
#define E_LFANEW   0x3c
#define NT         0x40
#define MACHINE    (NT + 4)
#define NSECTIONS  (NT + 6)
#define SIZEOPT    (NT + 20)
#define FILECHARS  (NT + 22)
#define OPT        (NT + 24)
#define MAGIC      OPT
#define ENTRY      (OPT + 16)
#define IMAGEBASE  (OPT + 24)
#define SECTALIGN  (OPT + 32)
#define FILEALIGN  (OPT + 36)
#define SIZEIMAGE  (OPT + 56)
#define SIZEHDRS   (OPT + 60)
#define SUBSYSTEM  (OPT + 68)
#define DLLCHARS   (OPT + 70)
#define NRVA       (OPT + 108)
#define DIR(i)     (OPT + 112 + 8 * (i))
#define SEC(i)     (OPT + 240 + 40 * (i))
#define S_VSIZE    8
#define S_VA       12
#define S_RAWSIZE  16
#define S_RAWPTR   20
#define S_CHARS    36

#define CODE  0x60000020u       /* CNT_CODE | MEM_EXECUTE | MEM_READ */
#define DATA  0xc0000040u       /* INITIALIZED_DATA | MEM_READ | MEM_WRITE */
#define RDATA 0x40000040u       /* INITIALIZED_DATA | MEM_READ */
#define BASE  0x10000000ULL     /* ImageBase */
#define IMAGE_SIZE 0x5000

/* .text at 0x1000 (entry), .data at 0x2000 with a bss tail, .reloc at 0x4000: the
 * image as a linker lays it out (in_place false), or with each section's file data at
 * its RVA and junk between them (in_place true). .data holds pointers into the image,
 * one unaligned, that .reloc fixes up. */
static uint8_t file[0x8000];
static size_t file_len;

struct layout { uint32_t va, vsize, raw, ch, off[2]; const char *name; };
static const struct layout sections[] = {
	{ 0x1000, 0x800,  0x800, CODE,  { 0x400, 0x1000 }, ".text" },
	{ 0x2000, 0x1800, 0x200, DATA,  { 0xc00, 0x2000 }, ".data" },
	{ 0x4000, 0x20,   0x200, RDATA, { 0xe00, 0x4000 }, ".reloc" },
};
static const uint16_t relocs[] = { 0xa000, 0xa008, 0xa013, 0x0000 };

static void put16(size_t off, uint16_t v) { memcpy(file + off, &v, 2); }
static void put32(size_t off, uint32_t v) { memcpy(file + off, &v, 4); }
static void put64(size_t off, uint64_t v) { memcpy(file + off, &v, 8); }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static void build(bool in_place)
{
	memset(file, in_place ? 0xee : 0, sizeof(file));
	memset(file, 0, 0x400);
	put16(0, 0x5a4d);
	put32(E_LFANEW, NT);
	put32(NT, 0x4550);
	put16(MACHINE, 0xaa64);
	put16(NSECTIONS, 3);
	put16(SIZEOPT, 240);
	put16(FILECHARS, 0x0206);
	put16(MAGIC, 0x20b);
	put32(ENTRY, 0x1000);
	put64(IMAGEBASE, BASE);
	put32(SECTALIGN, 0x1000);
	put32(FILEALIGN, 0x200);
	put32(SIZEIMAGE, IMAGE_SIZE);
	put32(SIZEHDRS, 0x400);
	put16(SUBSYSTEM, 10);
	put32(NRVA, 16);
	put32(DIR(5), 0x4000);
	put32(DIR(5) + 4, 8 + sizeof(relocs));
	for (unsigned i = 0; i < 3; i++) {
		const struct layout *l = &sections[i];
		uint32_t off = l->off[in_place];

		memcpy(file + SEC(i), l->name, strlen(l->name));
		put32(SEC(i) + S_VSIZE, l->vsize);
		put32(SEC(i) + S_VA, l->va);
		put32(SEC(i) + S_RAWSIZE, l->raw);
		put32(SEC(i) + S_RAWPTR, off);
		put32(SEC(i) + S_CHARS, l->ch);
		memset(file + off, 0x11 * (i + 1), l->raw);
		file_len = off + l->raw;
	}
	put64(sections[1].off[in_place] + 0x00, BASE + 0x1000);
	put64(sections[1].off[in_place] + 0x08, BASE + 0x2010);
	put64(sections[1].off[in_place] + 0x13, BASE + 0x4ff8);
	put32(sections[2].off[in_place], 0x2000);
	put32(sections[2].off[in_place] + 4, 8 + sizeof(relocs));
	memcpy(file + sections[2].off[in_place] + 8, relocs, sizeof(relocs));
}

static int setup(void **state)
{
	build(false);
	return 0;
}

/* Parse len bytes copied to a buffer of exactly that size, so that ASan sees any read
 * past the end. */
static int parse_len(size_t len, struct pe_image *img, const char **why)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, file, len);
	*why = NULL;
	r = pe_parse(copy, len, img, why);
	free(copy);
	return r;
}

static int parse(struct pe_image *img, const char **why)
{
	return parse_len(file_len, img, why);
}

static void expect_refused_(const char *want, int line)
{
	struct pe_image img;
	const char *why;

	if (parse(&img, &why) == 0)
		fail_msg("line %d: accepted, want \"%s\"", line, want);
	if (!why || !strstr(why, want))
		fail_msg("line %d: \"%s\", want \"%s\"", line, why ? why : "(null)", want);
}
#define expect_refused(want) expect_refused_(want, __LINE__)

static void expect_accepted_(int line)
{
	struct pe_image img;
	const char *why;

	if (parse(&img, &why))
		fail_msg("line %d: refused: %s", line, why);
}
#define expect_accepted() expect_accepted_(__LINE__)

/* ---- the valid image ---- */

static void test_valid(void **state)
{
	struct pe_image img;
	const char *why;

	assert_int_equal(parse(&img, &why), 0);
	assert_int_equal(img.machine, PE_MACHINE_ARM64);
	assert_int_equal(img.subsystem, 10);
	assert_int_equal(img.image_base, BASE);
	assert_int_equal(img.file_size, file_len);
	assert_int_equal(img.size_of_image, IMAGE_SIZE);
	assert_int_equal(img.size_of_headers, 0x400);
	assert_int_equal(img.section_alignment, 0x1000);
	assert_int_equal(img.entry_rva, 0x1000);
	assert_int_equal(img.reloc_rva, 0x4000);
	assert_int_equal(img.reloc_size, 8 + sizeof(relocs));
	assert_false(img.nx_compat);
	assert_false(img.relocs_stripped);
	assert_false(img.in_place);
	assert_int_equal(img.nr_sections, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(img.sec[i].rva, sections[i].va);
		assert_int_equal(img.sec[i].vsize, sections[i].vsize);
		assert_int_equal(img.sec[i].file_off, sections[i].off[0]);
		assert_int_equal(img.sec[i].characteristics, sections[i].ch);
	}
	assert_int_equal(img.sec[1].file_size, 0x200);   /* SizeOfRawData < VirtualSize */
	assert_int_equal(img.sec[2].file_size, 0x20);    /* SizeOfRawData > VirtualSize */
}

static void test_valid_in_place(void **state)
{
	struct pe_image img;
	const char *why;

	build(true);
	assert_int_equal(parse(&img, &why), 0);
	assert_true(img.in_place);
}

static void test_headers_only(void **state)
{
	struct pe_image img;
	const char *why;

	assert_int_equal(pe_parse_head(file, 0x400, file_len, &img, &why), 0);
	assert_int_equal(img.file_size, file_len);
	assert_int_equal(pe_parse_head(file, 0x100, file_len, &img, &why), -1);
	assert_string_equal(why, "the optional header extends past the first 256 bytes read");
	assert_int_equal(pe_parse_head(file, 0x180, file_len, &img, &why), -1);
	assert_string_equal(why, "the section table extends past the first 384 bytes read");
}

/* ---- broken headers ---- */

static void test_dos_and_coff_header(void **state)
{
	struct pe_image img;
	const char *why;

	put16(0, 0x4d5a);
	expect_refused("not a PE image (no MZ signature)");
	assert_int_equal(parse(&img, &why), -1);
	assert_int_equal(img.machine, 0);
	setup(state), put32(E_LFANEW, 0x20);
	expect_refused("e_lfanew 0x20 is inside the MS-DOS header");
	setup(state), put32(E_LFANEW, 0x44);
	expect_refused("misaligned");
	setup(state), put32(E_LFANEW, 0xfffffff8);
	expect_refused("the PE header extends past the end of the file");
	setup(state), put32(NT, 0x4551);
	expect_refused("no PE signature at 0x40");
	setup(state), put16(MACHINE, 0x8664);
	expect_refused("not an arm64 image (machine 0x8664)");
	assert_int_equal(parse(&img, &why), -1);
	assert_int_equal(img.machine, 0x8664);
	setup(state), put16(FILECHARS, 0x0204);
	expect_refused("not an executable image");
	setup(state), put16(NSECTIONS, 0);
	expect_refused("0 sections");
	setup(state), put16(NSECTIONS, PE_MAX_SECTIONS + 1);
	expect_refused("33 sections: 1 to 32 supported");
	setup(state), put16(NSECTIONS, 0xffff);
	expect_refused("65535 sections");
}

static void test_optional_header(void **state)
{
	put16(SIZEOPT, 0);
	expect_refused("SizeOfOptionalHeader 0 does not fit a PE32+ header");
	setup(state), put16(SIZEOPT, 248);
	expect_refused("does not fit");
	setup(state), put16(SIZEOPT, 232);
	expect_refused("SizeOfOptionalHeader 232 does not match NumberOfRvaAndSizes 16");
	setup(state), put32(NRVA, 17);
	expect_refused("does not match NumberOfRvaAndSizes 17");
	setup(state), put32(NRVA, 0xffffffff);
	expect_refused("does not match");
	setup(state), put16(MAGIC, 0x10b);
	expect_refused("not a PE32+ image (optional header magic 0x10b)");
	setup(state), put32(SECTALIGN, 0x1800);
	expect_refused("SectionAlignment 0x1800 is not a power of 2");
	setup(state), put32(SECTALIGN, 0x200);
	expect_refused("SectionAlignment 0x200");
	setup(state), put32(SECTALIGN, 0);
	expect_refused("SectionAlignment 0");
	setup(state), put32(FILEALIGN, 0x2000);
	expect_refused("FileAlignment 0x2000 is not a power of 2 up to SectionAlignment");
	setup(state), put32(FILEALIGN, 0x300);
	expect_refused("FileAlignment 0x300");
	setup(state), put32(FILEALIGN, 0);
	expect_refused("FileAlignment 0");
	setup(state), put32(SIZEHDRS, 0x100);
	expect_refused("SizeOfHeaders 0x100 does not cover the section table");
	setup(state), put32(SIZEHDRS, 0x2000);
	expect_refused("SizeOfHeaders 0x2000 exceeds SizeOfImage or the file");
	setup(state), put32(SIZEIMAGE, 0x200);
	expect_refused("SizeOfHeaders 0x400 exceeds");
	setup(state), put32(SIZEIMAGE, 0x4010);
	expect_refused("section 3 (.reloc) extends past SizeOfImage");
	setup(state), put16(SUBSYSTEM, 3);
	expect_refused("subsystem 3 is not an EFI application or driver");
	for (uint16_t s = 10; s <= 12; s++) {
		setup(state), put16(SUBSYSTEM, s);
		expect_accepted();
	}
}

static void test_data_directories(void **state)
{
	put32(DIR(5), IMAGE_SIZE - 8);
	expect_refused("data directory 5 extends past the image");
	setup(state), put32(DIR(6), 0xfffffff0), put32(DIR(6) + 4, 0x20);
	expect_refused("data directory 6 extends past the image");
	setup(state), put32(DIR(4), file_len), put32(DIR(4) + 4, 1);
	expect_refused("data directory 4 extends past the file");
	/* The certificate table is a file offset: after the sections, past SizeOfImage. */
	setup(state), put32(DIR(4), IMAGE_SIZE), put32(DIR(4) + 4, 0x100);
	file_len = IMAGE_SIZE + 0x100;
	expect_accepted();
	setup(state), put32(DIR(5), 0x3800);
	expect_refused("the base relocations are not inside a section");
	setup(state), put32(DIR(5), 0x4010), put32(DIR(5) + 4, 0x20);
	expect_refused("the base relocations are not inside a section");
	/* Fewer directories: the relocations are then not described at all. */
	setup(state), put32(NRVA, 5), put16(SIZEOPT, 112 + 5 * 8);
	memmove(file + OPT + 152, file + SEC(0), 3 * 40);
	expect_accepted();
}

static void test_sections(void **state)
{
	put32(SEC(1) + S_VA, 0x2010);
	expect_refused("section 2 (.data) is not aligned to SectionAlignment");
	setup(state), put32(SEC(1) + S_VA, 0x1000);
	expect_refused("section 2 (.data) overlaps the section before it");
	setup(state), put32(SEC(0) + S_VSIZE, 0x1001);
	expect_refused("section 2 (.data) overlaps the section before it");
	setup(state), put32(SEC(0) + S_VA, 0);
	expect_refused("section 1 (.text) overlaps the headers");
	setup(state), put32(SEC(2) + S_VA, 0x1000);     /* out of order */
	expect_refused("section 3 (.reloc) overlaps");
	setup(state), put32(SEC(2) + S_VSIZE, 0xffffffff);
	expect_refused("section 3 (.reloc) extends past SizeOfImage");
	setup(state), put32(SEC(2) + S_VA, 0xfffff000);
	expect_refused("extends past SizeOfImage");
	setup(state), put32(SEC(1) + S_RAWPTR, 0xffffff00);
	expect_refused("section 2 (.data) extends past the end of the file");
	setup(state), put32(SEC(1) + S_RAWSIZE, 0xffffffff);
	expect_refused("section 2 (.data) extends past the end of the file");
	setup(state), put32(SEC(2) + S_RAWSIZE, 0x201);
	expect_refused("section 3 (.reloc) extends past the end of the file");
	setup(state), memcpy(file + SEC(1), "\x01\xff\x7f" "abcdefgh", 8);
	put32(SEC(1) + S_VA, 0x2010);
	expect_refused("section 2 (???abcde) is not aligned");
	/* No file data at all: the offset does not matter. */
	setup(state), put32(SEC(1) + S_RAWSIZE, 0), put32(SEC(1) + S_RAWPTR, 0xffffffff);
	expect_accepted();
	/* An empty section takes no room. */
	setup(state), put32(SEC(1) + S_VSIZE, 0), put32(SEC(2) + S_VA, 0x2000);
	put32(DIR(5), 0x2000), put32(SIZEIMAGE, 0x3000);
	expect_accepted();
}

static void test_entry_point(void **state)
{
	put32(ENTRY, 0x2000);
	expect_refused("entry point 0x2000 is not in an executable section");
	setup(state), put32(ENTRY, 0x1800);
	expect_refused("entry point 0x1800");
	setup(state), put32(ENTRY, 0x100);
	expect_refused("entry point 0x100");
	setup(state), put32(ENTRY, 0xffffffff);
	expect_refused("entry point 0xffffffff");
	setup(state), put32(ENTRY, 0x17fc);
	expect_accepted();
}

static void test_nx_compat(void **state)
{
	struct pe_image img;
	const char *why;

	put32(SEC(1) + S_CHARS, DATA | 0x20000000);
	expect_accepted();
	put16(DLLCHARS, 0x0100);
	expect_refused("section 2 (.data) is writable and executable in an NX_COMPAT image");
	setup(state), put16(DLLCHARS, 0x0100);
	assert_int_equal(parse(&img, &why), 0);
	assert_true(img.nx_compat);
}

/* Every proper prefix of the file is refused: the last section's data ends it. */
static void test_truncated(void **state)
{
	struct pe_image img;
	const char *why;

	for (size_t len = 0; len < file_len; len++) {
		if (parse_len(len, &img, &why) == 0)
			fail_msg("accepted %zu of %zu bytes", len, file_len);
		assert_non_null(why);
	}
}

/* Whatever one header byte becomes, parsing and loading stay within bounds. */
static void test_byte_flips(void **state)
{
	static uint8_t dest[IMAGE_SIZE];
	unsigned accepted = 0;

	for (int in_place = 0; in_place < 2; in_place++) {
		for (size_t off = 0; off < 0x400; off++) {
			build(in_place);
			uint8_t orig = file[off];
			const uint8_t vals[] = { 0, 0xff, orig ^ 0x80, orig + 1, orig - 1 };

			for (size_t v = 0; v < sizeof(vals); v++) {
				struct pe_image img;
				const char *why;

				file[off] = vals[v];
				if (parse(&img, &why)) {
					assert_non_null(why);
					continue;
				}
				accepted++;
				if (img.size_of_image > sizeof(dest))
					continue;
				pe_load(&img, file, dest, 0x40000000, &why);
				if (img.in_place) {
					memcpy(dest, file, img.size_of_image);
					pe_load_in_place(&img, dest, 0x40000000, &why);
				}
			}
		}
	}
	assert_true(accepted > 0x400);   /* most bytes do not matter */
}

/* ---- loading ---- */

static void load_at(uint64_t addr, uint8_t *dest)
{
	struct pe_image img;
	const char *why;

	assert_int_equal(parse(&img, &why), 0);
	memset(dest, 0xaa, IMAGE_SIZE);
	if (pe_load(&img, file, dest, addr, &why))
		fail_msg("load at %#llx: %s", (unsigned long long)addr, why);
}

static void test_load_and_relocate(void **state)
{
	const uint64_t addrs[] = { BASE, 0x40000000, 0xfff0000000, 0x1000 };
	static uint8_t dest[IMAGE_SIZE];

	for (size_t i = 0; i < ARRAY_SIZE(addrs); i++) {
		uint64_t a = addrs[i];

		load_at(a, dest);
		assert_memory_equal(dest, file, 0x400);                 /* headers */
		for (size_t j = 0x400; j < 0x1000; j++)
			assert_int_equal(dest[j], 0);
		for (size_t j = 0x1000; j < 0x1800; j++)
			assert_int_equal(dest[j], 0x11);               /* .text */
		assert_int_equal(get64(dest + 0x2000), a + 0x1000);
		assert_int_equal(get64(dest + 0x2008), a + 0x2010);
		assert_int_equal(get64(dest + 0x2013), a + 0x4ff8);     /* unaligned */
		assert_int_equal(dest[0x2010], 0x22);
		assert_int_equal(dest[0x201b], 0x22);
		for (size_t j = 0x2200; j < 0x4000; j++)
			assert_int_equal(dest[j], 0);                  /* bss, gap */
		assert_int_equal(get64(dest + 0x4000), 0x0000001000002000ULL);
		for (size_t j = 0x4020; j < IMAGE_SIZE; j++)
			assert_int_equal(dest[j], 0);                  /* past VirtualSize */
	}
}

static void expect_load_refused_(uint64_t addr, const char *want, int line)
{
	static uint8_t dest[IMAGE_SIZE];
	struct pe_image img;
	const char *why = NULL;

	if (parse(&img, &why))
		fail_msg("line %d: refused by pe_parse: %s", line, why);
	if (pe_load(&img, file, dest, addr, &why) == 0)
		fail_msg("line %d: loaded, want \"%s\"", line, want);
	if (!why || !strstr(why, want))
		fail_msg("line %d: \"%s\", want \"%s\"", line, why ? why : "(null)", want);
}
#define expect_load_refused(want) expect_load_refused_(0x40000000, want, __LINE__)

#define RELOC 0xe00     /* .reloc's file offset */

static void test_bad_relocations(void **state)
{
	put16(RELOC + 8 + 2, 0x3008);
	expect_load_refused("base relocation type 3 at 0x2008 is not supported");
	setup(state), put16(RELOC + 8 + 6, 0x1000);
	expect_load_refused("type 1");
	setup(state), put32(RELOC + 4, 4);
	expect_load_refused("base relocation block at 0 has a bad size 0x4");
	setup(state), put32(RELOC + 4, 0);
	expect_load_refused("bad size 0");
	setup(state), put32(RELOC + 4, 15);
	expect_load_refused("bad size 0xf");
	setup(state), put32(RELOC + 4, 0x18);
	expect_load_refused("bad size 0x18");
	setup(state), put32(DIR(5) + 4, 0x14);
	expect_load_refused("base relocation block at 0x10 is truncated");
	setup(state), put32(RELOC, IMAGE_SIZE - 8), put16(RELOC + 8, 0xa001);
	expect_load_refused("base relocation at 0x4ff9 is outside the image");
	setup(state), put32(RELOC, 0xfffff000), put16(RELOC + 8, 0xafff);
	expect_load_refused("base relocation at 0xffffffff is outside the image");
	/* A second block after the first, which the directory now covers. */
	setup(state), put32(DIR(5) + 4, 0x18);
	put32(RELOC + 0x10, 0x1000), put32(RELOC + 0x14, 8);
	load_at(0x40000000, (uint8_t[IMAGE_SIZE]){ 0 });
	setup(state), put16(FILECHARS, 0x0207);
	expect_load_refused("relocations stripped: the image only runs at 0x10000000");
	load_at(BASE, (uint8_t[IMAGE_SIZE]){ 0 });
}

/* Relocations may patch the relocations: each block is checked as it is read. Here the
 * second block patches the third one's header; the carry out of PageRVA grows its size. */
static void test_self_patching_relocations(void **state)
{
	put32(SEC(2) + S_VSIZE, 0x100);
	put32(DIR(5) + 4, 0x24);
	put32(RELOC + 0x10, 0x4000), put32(RELOC + 0x14, 0xc);
	put16(RELOC + 0x18, 0xa01c), put16(RELOC + 0x1a, 0);
	put32(RELOC + 0x1c, 0x1000), put32(RELOC + 0x20, 8);
	load_at(0x40000000, (uint8_t[IMAGE_SIZE]){ 0 });
	expect_load_refused_(BASE + (0x100ULL << 32),
			     "base relocation block at 0x1c has a bad size 0x108", __LINE__);
}

static void test_in_place(void **state)
{
	static uint8_t a[IMAGE_SIZE], b[IMAGE_SIZE];
	struct pe_image img;
	const char *why;

	build(true);
	assert_int_equal(parse(&img, &why), 0);
	assert_true(img.in_place);
	memset(a, 0x55, sizeof(a));
	assert_int_equal(pe_load(&img, file, a, 0x40000000, &why), 0);
	memset(b, 0xaa, sizeof(b));
	memcpy(b, file, file_len);                   /* the file as is, junk included */
	assert_int_equal(pe_load_in_place(&img, b, 0x40000000, &why), 0);
	assert_memory_equal(a, b, IMAGE_SIZE);
	assert_int_equal(get64(b + 0x2008), 0x40002010);
	assert_int_equal(b[0x400], 0);               /* junk after the headers */
	assert_int_equal(b[0x4100], 0);              /* .reloc's data past VirtualSize */

	setup(state);
	assert_int_equal(parse(&img, &why), 0);
	assert_int_equal(pe_load_in_place(&img, b, 0x40000000, &why), -1);
	assert_string_equal(why, "the image's sections are not where the file has them");
}

static void test_in_place_rules(void **state)
{
	struct pe_image img;
	const char *why;

	/* A section without file data may be anywhere in the file. */
	build(true), put32(SEC(1) + S_RAWSIZE, 0), put32(SEC(1) + S_RAWPTR, 0x1234);
	assert_int_equal(parse(&img, &why), 0);
	assert_true(img.in_place);
	build(true), put32(SEC(1) + S_RAWPTR, 0x2200);
	assert_int_equal(parse(&img, &why), 0);
	assert_false(img.in_place);
}

static void test_prot_and_memory_types(void **state)
{
	struct pe_section s = { .characteristics = CODE };
	struct pe_image img = { .subsystem = 10 };

	assert_int_equal(pe_section_prot(&s), PT_R | PT_X);
	s.characteristics = DATA;
	assert_int_equal(pe_section_prot(&s), PT_R | PT_W);
	s.characteristics = RDATA;
	assert_int_equal(pe_section_prot(&s), PT_R);
	s.characteristics = DATA | CODE;
	assert_int_equal(pe_section_prot(&s), PT_R | PT_X);
	assert_int_equal(pe_code_type(&img), EfiLoaderCode);
	assert_int_equal(pe_data_type(&img), EfiLoaderData);
	img.subsystem = 11;
	assert_int_equal(pe_code_type(&img), EfiBootServicesCode);
	assert_int_equal(pe_data_type(&img), EfiBootServicesData);
	img.subsystem = 12;
	assert_int_equal(pe_code_type(&img), EfiRuntimeServicesCode);
	assert_int_equal(pe_data_type(&img), EfiRuntimeServicesData);
}

/* ---- real images: Debian's kernels when cached, the test EFI applications when built
 * (make check runs us from the top of the tree), and any files in $PECOFF_SAMPLES
 * (colon-separated: GRUB, systemd-boot, a unified kernel image ...) ---- */

static void check_real(const char *path, bool kernel)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf, *a, *b;
	struct pe_image img;
	const char *why;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc(len);
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
	if (pe_parse(buf, len, &img, &why))
		fail_msg("%s: %s", path, why);
	a = malloc(img.size_of_image);
	b = calloc(1, img.size_of_image);
	if (pe_load(&img, buf, a, 0x40200000, &why))
		fail_msg("%s: %s", path, why);
	if (img.in_place) {
		memcpy(b, buf, (size_t)len < img.size_of_image ? (size_t)len : img.size_of_image);
		assert_int_equal(pe_load_in_place(&img, b, 0x40200000, &why), 0);
		assert_memory_equal(a, b, img.size_of_image);
	}
	if (kernel) {
		/* Linux lays the Image out as it runs: the stub can run it where it is. */
		assert_true(img.in_place);
		assert_true(img.nx_compat);
		assert_int_equal(pe_section_prot(&img.sec[0]), PT_R | PT_X);
	}
	printf("  %s: %u sections, SizeOfImage %#x%s%s\n", path, img.nr_sections,
	       img.size_of_image, img.in_place ? ", in place" : "",
	       img.nx_compat ? ", NX_COMPAT" : "");
	free(a);
	free(b);
	free(buf);
}

static unsigned check_glob(const char *pattern, bool kernel)
{
	unsigned n = 0;
	glob_t g;

	if (glob(pattern, 0, NULL, &g) == 0) {
		for (; n < g.gl_pathc; n++)
			check_real(g.gl_pathv[n], kernel);
		globfree(&g);
	}
	return n;
}

static void test_real_images(void **state)
{
	const char *cache = getenv("EFILITE_CACHE"), *home = getenv("HOME");
	char kernels[512], *samples = getenv("PECOFF_SAMPLES");
	unsigned n;

	snprintf(kernels, sizeof(kernels), "%s%s/linux-image-*/boot/vmlinuz-*",
		 cache ? cache : home ? home : "", cache ? "" : "/.cache/efilite");
	n = check_glob(kernels, true) + check_glob("build/efi-apps/*.efi", false);
	for (char *p = samples ? strtok(samples, ":") : NULL; p; p = strtok(NULL, ":"), n++)
		check_real(p, false);
	if (!n)
		skip();
}

int main(void)
{
	const struct CMUnitTest parsing[] = {
		cmocka_unit_test_setup(test_valid, setup),
		cmocka_unit_test_setup(test_valid_in_place, setup),
		cmocka_unit_test_setup(test_headers_only, setup),
		cmocka_unit_test_setup(test_dos_and_coff_header, setup),
		cmocka_unit_test_setup(test_optional_header, setup),
		cmocka_unit_test_setup(test_data_directories, setup),
		cmocka_unit_test_setup(test_sections, setup),
		cmocka_unit_test_setup(test_entry_point, setup),
		cmocka_unit_test_setup(test_nx_compat, setup),
		cmocka_unit_test_setup(test_truncated, setup),
		cmocka_unit_test_setup(test_byte_flips, setup),
	};
	const struct CMUnitTest loading[] = {
		cmocka_unit_test_setup(test_load_and_relocate, setup),
		cmocka_unit_test_setup(test_bad_relocations, setup),
		cmocka_unit_test_setup(test_self_patching_relocations, setup),
		cmocka_unit_test_setup(test_in_place, setup),
		cmocka_unit_test_setup(test_in_place_rules, setup),
		cmocka_unit_test_setup(test_prot_and_memory_types, setup),
		cmocka_unit_test_setup(test_real_images, setup),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("pecoff: parsing", parsing, NULL, NULL);
	failed += cmocka_run_group_tests_name("pecoff: loading", loading, NULL, NULL);
	return failed ? 1 : 0;
}
