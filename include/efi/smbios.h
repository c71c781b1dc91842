/*
 * SMBIOS (DMTF DSP0134 3.x) from QEMU's fw_cfg files etc/smbios/smbios-anchor (an entry
 * point: 64-bit "_SM3_" from -M virt, 32-bit "_SM_" from older machine types) and
 * etc/smbios/smbios-tables (the structure table, without a type 0 record unless the
 * command line asked for one), turned into what the OS finds through SMBIOS3_TABLE_GUID:
 * a 64-bit entry point and the table, with a type 0 (BIOS Information) record naming
 * the firmware when QEMU gave none. The assembly is pure, for the host tests and a fuzzer.
 */
#ifndef EFILITE_EFI_SMBIOS_H
#define EFILITE_EFI_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

/* The SMBIOS 3.0 (64-bit) entry point structure (DSP0134 section 5.2.2). */
struct smbios3_entry_point {
	char anchor[5];                 /* "_SM3_" */
	uint8_t checksum;               /* of the whole structure */
	uint8_t length;                 /* 0x18 */
	uint8_t major, minor, docrev;   /* the version the structures follow */
	uint8_t revision;               /* 1: this layout */
	uint8_t reserved;
	uint32_t table_max_size;        /* the table's length */
	uint64_t table_address;
} __attribute__((packed));

/* The strings of the type 0 record. */
struct smbios_bios_info {
	const char *vendor, *version, *date;    /* date: "mm/dd/yyyy" */
};

/* Bytes the type 0 record for these strings takes. */
size_t smbios_type0_size(const struct smbios_bios_info *bios);

/* buf holds the entry point's room (sizeof(struct smbios3_entry_point) bytes), then
 * smbios_type0_size(bios) bytes of room, then QEMU's structure table (table_len bytes).
 * Check the anchor and every structure, put a type 0 record right before the table when
 * it has none, and write the entry point at buf. buf's address is the one the OS sees
 * (identity mapping). 0, or -1 with *why (a static buffer). */
int smbios_build(uint8_t *buf, size_t table_len, const void *anchor, size_t anchor_len,
		 const struct smbios_bios_info *bios, const char **why);

#endif
