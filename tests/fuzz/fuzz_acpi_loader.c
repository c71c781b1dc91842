/* libFuzzer target for efi/acpi_loader.c. Each input is tried twice: as a script of its
 * own against a fixed fake fw_cfg, and as byte patches to a valid QEMU-like script and
 * its tables, so that the check of the result is reached from the first run. Files are
 * loaded into heap buffers of exactly their size; whatever is accepted must be a script
 * of whole commands, and an accepted RSDP must be the one loaded from etc/acpi/rsdp. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "efi/acpi_loader.h"

#define ENTRY ACPI_LOADER_ENTRY_SIZE

/* The template: a DSDT, a FADT pointing at it and an XSDT listing the FADT; the RSDP. */
enum { DSDT = 0, FADT = 64, XSDT = 340, TABLES_SIZE = 384, RSDP_SIZE = 36, NR_CMDS = 10 };

static struct file {
	const char *name;
	uint8_t *data;
	uint32_t size;
} files[4];
static uint8_t tables[TABLES_SIZE], rsdp[RSDP_SIZE], script[NR_CMDS * ENTRY];
static uint8_t *loaded[ACPI_LOADER_MAX_FILES];
static unsigned nr_loaded;

static int allocate(const char *name, uint8_t **data, uint32_t *size)
{
	for (unsigned i = 0; i < 4; i++)
		if (!strcmp(files[i].name, name)) {
			*data = loaded[nr_loaded++] = malloc(files[i].size);
			memcpy(*data, files[i].data, files[i].size);
			*size = files[i].size;
			return 0;
		}
	return -1;
}

static int write_pointer(const char *name, uint32_t offset, uint64_t value, uint8_t size)
{
	if (strlen(name) >= ACPI_LOADER_FILESZ || (size != 1 && size != 2 && size != 4 &&
						   size != 8))
		abort();
	return offset & 1;      /* some writes fail */
}

static const struct acpi_loader_ops ops = { allocate, write_pointer };

/* 0 when the script ran and its result passed the check. */
static int try_script(const uint8_t *s, size_t len)
{
	static struct acpi_loader l;
	const char *why = NULL;
	void *table = NULL;
	int r = -1;

	nr_loaded = 0;
	if (acpi_loader_run(&l, s, len, &ops, &why)) {
		if (!why || !*why)
			abort();
	} else if (len % ENTRY || l.nr_blobs != nr_loaded) {
		abort();
	} else if (!acpi_loader_check(&l, &table, &why)) {
		unsigned i = 0;

		while (i < l.nr_blobs && strcmp(l.blob[i].name, ACPI_RSDP_FILE))
			i++;
		if (i == l.nr_blobs || table != l.blob[i].data)
			abort();
		r = 0;
	} else if (!why || !*why) {
		abort();
	}
	for (unsigned i = 0; i < nr_loaded; i++)
		free(loaded[i]);
	return r;
}

/* ---- the template ---- */

static void put(uint8_t *p, uint64_t v, unsigned size)
{
	memcpy(p, &v, size);
}

static void header(uint8_t *t, const char *sig, uint32_t length)
{
	memcpy(t, sig, 4);
	put(t + 4, length, 4);
}

static void cmd(unsigned n, uint32_t command, const char *f1, const char *f2, uint32_t a,
		uint32_t b, uint32_t c)
{
	uint8_t *e = script + n * ENTRY;

	put(e, command, 4);
	strcpy((char *)e + 4, f1);
	if (command == 1) {                      /* ALLOCATE: align, zone */
		put(e + 60, a, 4), e[64] = b;
	} else if (command == 2) {               /* ADD_POINTER: offset, size */
		strcpy((char *)e + 60, f2);
		put(e + 116, a, 4), e[120] = b;
	} else {                                 /* ADD_CHECKSUM: offset, start, length */
		put(e + 60, a, 4), put(e + 64, b, 4), put(e + 68, c, 4);
	}
}

static void build_template(void)
{
	const char *t = "etc/acpi/tables", *r = ACPI_RSDP_FILE;

	header(tables + DSDT, "DSDT", 40);
	header(tables + FADT, "FACP", 276);
	put(tables + FADT + 140, DSDT, 8);
	header(tables + XSDT, "XSDT", 44);
	put(tables + XSDT + 36, FADT, 8);
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = 2;
	put(rsdp + 20, RSDP_SIZE, 4);
	put(rsdp + 24, XSDT, 8);
	cmd(0, 1, t, NULL, 64, 1, 0);
	cmd(1, 1, r, NULL, 16, 2, 0);
	cmd(2, 3, t, NULL, DSDT + 9, DSDT, 40);
	cmd(3, 2, t, t, FADT + 140, 8, 0);
	cmd(4, 3, t, NULL, FADT + 9, FADT, 276);
	cmd(5, 2, t, t, XSDT + 36, 8, 0);
	cmd(6, 3, t, NULL, XSDT + 9, XSDT, 44);
	cmd(7, 2, r, t, 24, 8, 0);
	cmd(8, 3, r, NULL, 8, 0, 20);
	cmd(9, 3, r, NULL, 32, 0, RSDP_SIZE);
}

/* Input as (offset low, offset high, value) patches to script, tables and RSDP. */
static void try_patched(const uint8_t *data, size_t size)
{
	static uint8_t all[sizeof(script) + TABLES_SIZE + RSDP_SIZE];
	static uint8_t *t = all + sizeof(script), *r = all + sizeof(script) + TABLES_SIZE;

	memcpy(all, script, sizeof(script));
	memcpy(t, tables, TABLES_SIZE);
	memcpy(r, rsdp, RSDP_SIZE);
	for (size_t i = 0; i + 3 <= size; i += 3)
		all[(data[i] | data[i + 1] << 8) % sizeof(all)] = data[i + 2];
	files[0] = (struct file){ "etc/acpi/tables", t, TABLES_SIZE };
	files[1] = (struct file){ ACPI_RSDP_FILE, r, RSDP_SIZE };
	try_script(all, sizeof(script));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t small[16], one[1];

	files[0] = (struct file){ "etc/acpi/tables", tables, TABLES_SIZE };
	files[1] = (struct file){ ACPI_RSDP_FILE, rsdp, RSDP_SIZE };
	files[2] = (struct file){ "a", small, sizeof(small) };
	files[3] = (struct file){ "b", one, sizeof(one) };
	if (!script[0]) {
		build_template();
		if (try_script(script, sizeof(script)))
			abort();        /* the fuzzing would be shallow without noticing */
	}
	try_script(data, size);
	try_patched(data, size);
	return 0;
}
