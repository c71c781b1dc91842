/* libFuzzer target for efi/smbios_build.c. Each input is tried twice: as an anchor and
 * a structure table of its own (the first byte says how many of the next bytes are the
 * anchor), and as byte patches to a valid QEMU-like table. The buffer is exactly as large
 * as smbios_build may use; whatever it accepts must walk, as an OS walks it, from the
 * entry point to an end-of-table structure that ends the table, with one type 0 at least. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "efi/smbios.h"

#define EP_SIZE sizeof(struct smbios3_entry_point)

static const struct smbios_bios_info bios = { "EFI-lite", "fuzz", "01/01/1970" };
static const uint8_t sm3_anchor[24] = { '_', 'S', 'M', '3', '_', 0, 0x18, 3, 0, 0, 1 };

static uint8_t sum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* The OS's view: every structure, header and strings, inside the table. */
static void walk(const uint8_t *buf, size_t size)
{
	struct smbios3_entry_point ep;
	const uint8_t *t, *end;
	int type0 = 0;

	memcpy(&ep, buf, sizeof(ep));
	if (memcmp(ep.anchor, "_SM3_", 5) || sum8(buf, EP_SIZE) || ep.length != EP_SIZE)
		abort();
	t = (const uint8_t *)(uintptr_t)ep.table_address;
	end = t + ep.table_max_size;
	if (t < buf + EP_SIZE || end > buf + size)
		abort();
	for (;;) {
		const uint8_t *s;

		if (end - t < 4 || t[1] < 4 || t[1] > end - t)
			abort();
		type0 += t[0] == 0;
		for (s = t + t[1]; s + 1 < end && (s[0] || s[1]); s++)
			;
		if (s + 1 >= end)
			abort();
		if (t[0] == 127) {
			if (s + 2 != end)
				abort();
			break;
		}
		t = s + 2;
	}
	if (!type0)
		abort();
}

/* 0 when smbios_build accepted it. */
static int try_table(const uint8_t *anchor, size_t anchor_len, const uint8_t *table,
		     size_t len)
{
	size_t size = EP_SIZE + smbios_type0_size(&bios) + len;
	uint8_t *buf = malloc(size);
	const char *why = NULL;
	int r;

	memcpy(buf + size - len, table, len);
	r = smbios_build(buf, len, anchor, anchor_len, &bios, &why);
	if (!r)
		walk(buf, size);
	else if (!why || !*why)
		abort();
	free(buf);
	return r;
}

/* QEMU's table for -M virt: types 1, 3, 4, 16, 17, 19, 32 and 127, strings in some. */
static const uint8_t template[] = {
	1, 8, 0, 1, 1, 2, 3, 0, 'F', 'o', 'o', 0, 'B', 'a', 'r', 0, 'v', 0, 0,
	3, 6, 0, 3, 1, 2, 'Q', 'E', 'M', 'U', 0, 'v', 0, 0,
	4, 8, 0, 4, 1, 0, 2, 0, 'C', 'P', 'U', ' ', '0', 0, 'Q', 0, 0,
	16, 4, 0, 16, 0, 0,
	17, 6, 0, 17, 1, 0, 'D', 'I', 'M', 'M', 0, 0,
	19, 4, 0, 19, 0, 0,
	32, 4, 0, 32, 0, 0,
	127, 4, 0, 127, 0, 0,
};

/* Input as (offset, value) patches to the template. */
static void try_patched(const uint8_t *data, size_t size)
{
	uint8_t table[sizeof(template)];

	memcpy(table, template, sizeof(table));
	for (size_t i = 0; i + 2 <= size; i += 2)
		table[data[i] % sizeof(table)] = data[i + 1];
	try_table(sm3_anchor, sizeof(sm3_anchor), table, sizeof(table));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool checked;
	size_t anchor_len = size ? data[0] % 32 : 0;

	if (!checked) {
		checked = true;
		if (try_table(sm3_anchor, sizeof(sm3_anchor), template, sizeof(template)))
			abort();        /* the fuzzing would be shallow without noticing */
	}
	if (anchor_len < size)
		try_table(data + 1, anchor_len, data + 1 + anchor_len, size - 1 - anchor_len);
	try_patched(data, size);
	return 0;
}
