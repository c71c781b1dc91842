/* libFuzzer target for efi/pecoff.c. Each input is tried twice: as a file of its own, and
 * as byte patches to a small valid image, so that the section, relocation and loading
 * code is reached from the first run instead of after the headers are rediscovered.
 * Whatever pe_parse accepts is loaded; for in_place images, loading the file copied as
 * is must give the very bytes that loading section by section gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "efi/pecoff.h"
#include "util.h"

#define MAX_LOAD  (64u << 20)   /* larger images are parsed, not loaded */
#define LOAD_ADDR 0x40200000ULL

static void try_file(const uint8_t *file, size_t len)
{
	struct pe_image img;
	const char *why = NULL;
	uint8_t *a, *b;
	int ra, rb;

	if (pe_parse(file, len, &img, &why)) {
		if (!why || !*why)
			abort();
		return;
	}
	if (img.size_of_image > MAX_LOAD)
		return;
	a = malloc(img.size_of_image);
	ra = pe_load(&img, file, a, LOAD_ADDR, &why);
	if (img.in_place) {
		b = malloc(img.size_of_image);
		memset(b, 0xa5, img.size_of_image);
		memcpy(b, file, len < img.size_of_image ? len : img.size_of_image);
		rb = pe_load_in_place(&img, b, LOAD_ADDR, &why);
		if (ra != rb || (!ra && memcmp(a, b, img.size_of_image)))
			abort();
		free(b);
	}
	free(a);
}

/* The valid image: .text, .data with a bss tail and a pointer to relocate, .reloc. */
static uint8_t template[0x1000];

static void put(size_t off, uint64_t val, size_t size)
{
	memcpy(template + off, &val, size);
}

static void build_template(void)
{
	static const struct { uint16_t off; uint8_t size; uint64_t val; } fields[] = {
		{ 0x00, 2, 0x5a4d },   { 0x3c, 4, 0x40 },      /* MZ, e_lfanew */
		{ 0x40, 4, 0x4550 },   { 0x44, 2, 0xaa64 },    /* PE, Machine */
		{ 0x46, 2, 3 },        { 0x54, 2, 240 },       /* sections, optional header */
		{ 0x56, 2, 0x0206 },   { 0x58, 2, 0x20b },     /* Characteristics, PE32+ */
		{ 0x68, 4, 0x1000 },   { 0x70, 8, 0x10000000 },/* entry, ImageBase */
		{ 0x78, 4, 0x1000 },   { 0x7c, 4, 0x200 },     /* Section/FileAlignment */
		{ 0x90, 4, 0x5000 },   { 0x94, 4, 0x400 },     /* SizeOfImage/Headers */
		{ 0x9c, 2, 10 },       { 0xc4, 4, 16 },        /* subsystem, directories */
		{ 0xf0, 4, 0x4000 },   { 0xf4, 4, 16 },        /* base relocations */
		{ 0xc00, 8, 0x10001000 },                       /* .data: a pointer */
		{ 0xe00, 4, 0x2000 },  { 0xe04, 4, 16 },       /* .reloc: one block */
		{ 0xe08, 8, 0x0000a013a008a000 },
	};
	static const uint32_t sec[3][5] = {     /* VirtualSize, VA, raw size, raw at, flags */
		{ 0x800, 0x1000, 0x800, 0x400, 0x60000020 },
		{ 0x1800, 0x2000, 0x200, 0xc00, 0xc0000040 },
		{ 0x20, 0x4000, 0x200, 0xe00, 0x42000040 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		put(fields[i].off, fields[i].val, fields[i].size);
	for (size_t i = 0; i < 3; i++) {
		for (size_t j = 0; j < 4; j++)
			put(0x148 + 40 * i + 8 + 4 * j, sec[i][j], 4);
		put(0x148 + 40 * i + 36, sec[i][4], 4);
	}
	if (pe_parse(template, sizeof(template), &(struct pe_image){ 0 }, &(const char *){ 0 }))
		abort();        /* the fuzzing would be shallow without noticing */
}

/* Input as patches to the template: (offset low, offset high, value) triples. */
static void try_patched(const uint8_t *data, size_t size)
{
	static uint8_t file[sizeof(template)];

	memcpy(file, template, sizeof(file));
	for (size_t i = 0; i + 3 <= size; i += 3)
		file[(data[i] | data[i + 1] << 8) % sizeof(file)] = data[i + 2];
	try_file(file, sizeof(file));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!template[0])
		build_template();
	try_file(data, size);
	try_patched(data, size);
	return 0;
}
