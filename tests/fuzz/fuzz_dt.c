/* libFuzzer target for boot/dt.c: any blob, in a buffer of exactly its size (which
 * totalsize must then not exceed, as the DTB window bounds it in the firmware). Whatever
 * dt_parse accepts must keep its promises: sorted, non-wrapping RAM that does not
 * overlap, a console that is either found or explained, names inside the blob. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include "platform.h"

static int in_blob(const void *p, const uint8_t *blob, size_t size)
{
	return (const uint8_t *)p >= blob && (const uint8_t *)p < blob + size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct platform p;
	const char *why = NULL;
	uint8_t *blob;
	unsigned i;

	if (size < sizeof(struct fdt_header))
		return 0;
	blob = malloc(size);
	memcpy(blob, data, size);
	if (fdt_totalsize(blob) > size) {
		free(blob);
		return 0;
	}
	if (dt_parse(blob, &p, &why)) {
		assert(why && !strncmp(why, "device tree: ", 13));
	} else {
		assert(!why && p.nr_ram >= 1 && p.nr_ram <= PLAT_MAX_RAM);
		assert(p.nr_reserved <= PLAT_MAX_RESERVED);
		for (i = 0; i < p.nr_ram; i++) {
			assert(p.ram[i].size && p.ram[i].base + p.ram[i].size > p.ram[i].base);
			assert(!i || p.ram[i].base >= p.ram[i - 1].base + p.ram[i - 1].size);
			assert(in_blob(p.ram[i].name, blob, size));
		}
		for (i = 0; i < p.nr_reserved; i++)
			assert(!p.reserved[i].name || in_blob(p.reserved[i].name, blob, size));
		assert(p.uart ? !p.uart_why : p.uart_why && !strncmp(p.uart_why, "device tree: ", 13));
		assert(!p.uart || !(p.uart & 0xfff));
		assert(p.rng_seed_len <= sizeof(p.rng_seed));
	}
	free(blob);
	return 0;
}
