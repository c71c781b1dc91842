/*
 * QEMU's ACPI linker/loader (QEMU's hw/acpi/bios-linker-loader.c). QEMU builds the ACPI
 * tables itself and serves them as fw_cfg files, with the offsets of one table inside
 * another where addresses belong; the fw_cfg file etc/table-loader is a script of
 * 128-byte commands telling the firmware how to turn them into tables in guest memory:
 *   ALLOCATE      load a fw_cfg file into memory (each file once, before any use)
 *   ADD_POINTER   add the address of one loaded file to a 1, 2, 4 or 8-byte field
 *                 of another (the field held an offset into the first)
 *   ADD_CHECKSUM  fix an ACPI checksum byte after the pointers in its range changed
 *   WRITE_POINTER tell QEMU an address: write it into a writable fw_cfg file
 *
 * The interpreter is pure: it reaches fw_cfg and memory only through the callbacks, and
 * every file name, offset and size in the script is checked before it is used, so the
 * host tests and a fuzzer run it on malformed scripts.
 */
#ifndef EFILITE_EFI_ACPI_LOADER_H
#define EFILITE_EFI_ACPI_LOADER_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_LOADER_ENTRY_SIZE 128
#define ACPI_LOADER_FILESZ     56       /* FW_CFG_MAX_FILE_PATH, NUL included */
#define ACPI_LOADER_MAX_FILES  8        /* QEMU 7.2 -M virt loads up to 5 */
#define ACPI_RSDP_FILE         "etc/acpi/rsdp"

struct acpi_blob {
	char name[ACPI_LOADER_FILESZ];
	uint8_t *data;          /* also its address: the firmware runs identity mapped */
	uint32_t size;
};

struct acpi_loader_ops {
	/* Load the fw_cfg file name into new page-aligned memory: 0 with *data and *size
	 * set, or -1 with the reason logged. */
	int (*allocate)(const char *name, uint8_t **data, uint32_t *size);
	/* Store value, size bytes little-endian, at offset in the fw_cfg file name: 0, or
	 * -1 with the reason logged. */
	int (*write_pointer)(const char *name, uint32_t offset, uint64_t value, uint8_t size);
};

/* The files loaded so far; on failure the caller frees them. */
struct acpi_loader {
	unsigned nr_blobs;
	struct acpi_blob blob[ACPI_LOADER_MAX_FILES];
};

/* Run the script (len bytes) on an empty *l. 0, or -1 with *why naming the command and
 * what is wrong with it (a static buffer, valid until the next call). */
int acpi_loader_run(struct acpi_loader *l, const void *script, size_t len,
		    const struct acpi_loader_ops *ops, const char **why);

/* Check what the script produced before the OS sees it: the file ACPI_RSDP_FILE starts
 * with an ACPI 2.0+ RSDP, and its XSDT, every table the XSDT lists and the FADT's DSDT
 * lie inside loaded files with correct checksums. 0 with *rsdp set, or -1 with *why. */
int acpi_loader_check(const struct acpi_loader *l, void **rsdp, const char **why);

#endif
