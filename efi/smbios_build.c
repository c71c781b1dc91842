/* The SMBIOS entry point and structure table from QEMU's blobs (include/efi/smbios.h).
 * Section numbers are DSP0134 3.6's. */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include "log.h"
#include "efi/smbios.h"
#include "why.h"
#include "util.h"

#define TYPE_BIOS_INFO     0
#define TYPE_END_OF_TABLE  127
#define TYPE0_LENGTH       0x18         /* the 2.4 to 3.0 layout: every field we fill */
#define HANDLE_RESERVED    0xff00       /* and up: the specification's (section 6.1.2) */

_Static_assert(sizeof(struct smbios3_entry_point) == 0x18, "SMBIOS 3.0 entry point");


/* What the walk over QEMU's table found. */
struct table_facts {
	bool has_type0, handle0_used;
	uint16_t max_handle;
};

/* Every structure (section 6.1.2): a header with type, length and handle, length bytes
 * of fields, then strings, each NUL-terminated, the set ended by one more NUL (two NULs
 * when there are none). The end-of-table structure comes last. */
static int walk(const uint8_t *t, size_t len, struct table_facts *f, const char **why)
{
	size_t off = 0, s;

	*f = (struct table_facts){ 0 };
	for (;;) {
		uint8_t type, hlen;
		uint16_t handle;

		if (len - off < 4)
			return fail(why, "structure at %#zx: header cut short", off);
		type = t[off];
		hlen = t[off + 1];
		handle = t[off + 2] | t[off + 3] << 8;
		if (hlen < 4 || hlen > len - off)
			return fail(why, "structure at %#zx (type %u): length %u does not fit", off,
				    type, hlen);
		/* Strings are never empty, so the first double NUL ends the set. */
		for (s = off + hlen; s + 1 < len && (t[s] || t[s + 1]); s++)
			;
		if (s + 1 >= len)
			return fail(why, "structure at %#zx (type %u): strings not terminated", off,
				    type);
		off = s + 2;
		f->has_type0 |= type == TYPE_BIOS_INFO;
		f->handle0_used |= handle == 0;
		if (handle > f->max_handle)
			f->max_handle = handle;
		if (type == TYPE_END_OF_TABLE)
			break;
		if (off == len)
			return fail(why, "no end-of-table structure (type 127)");
	}
	if (off != len)
		return fail(why, "%zu bytes after the end-of-table structure", len - off);
	return 0;
}

size_t smbios_type0_size(const struct smbios_bios_info *bios)
{
	return TYPE0_LENGTH + strlen(bios->vendor) + 1 + strlen(bios->version) + 1 +
	       strlen(bios->date) + 1 + 1;
}

/* BIOS Information (section 7.1), with what is true of a UEFI firmware in a VM. */
static const uint8_t type0[TYPE0_LENGTH] = {
	[0] = TYPE_BIOS_INFO,
	[1] = TYPE0_LENGTH,
	/* 2, 3: the handle */
	[4] = 1,                        /* Vendor: string 1 */
	[5] = 2,                        /* BIOS Version */
	/* 6, 7: BIOS Starting Address Segment, 0 on UEFI systems; 9: ROM Size, 0 as in
	 * QEMU's own type 0 records (the flash is the VM's business) */
	[8] = 3,                        /* BIOS Release Date */
	[0x0a] = 1 << 3,                /* Characteristics: the legacy BIOS ones are not supported */
	[0x13] = 1 << 3 | 1 << 4,       /* UEFI is supported; the system is a virtual machine */
	[0x14] = 0xff, 0xff, 0xff, 0xff, /* no release numbers, no embedded controller */
};

static void put_type0(uint8_t *p, uint16_t handle, const struct smbios_bios_info *bios)
{
	const char *strings[] = { bios->vendor, bios->version, bios->date };

	memcpy(p, type0, TYPE0_LENGTH);
	p[2] = handle, p[3] = handle >> 8;
	p += TYPE0_LENGTH;
	for (unsigned i = 0; i < 3; i++) {
		size_t n = strlen(strings[i]) + 1;

		memcpy(p, strings[i], n);
		p += n;
	}
	*p = 0;                         /* the end of the string set */
}

int smbios_build(uint8_t *buf, size_t table_len, const void *anchor, size_t anchor_len,
		 const struct smbios_bios_info *bios, const char **why)
{
	struct smbios3_entry_point ep = { .anchor = "_SM3_", .length = sizeof(ep), .revision = 1 };
	size_t room = smbios_type0_size(bios);
	uint8_t *table = buf + sizeof(ep) + room;
	const uint8_t *a = anchor;
	struct table_facts f;

	/* The version the structures follow is QEMU's: only the entry point is rebuilt. */
	if (anchor_len >= 0x18 && !memcmp(a, "_SM3_", 5)) {
		ep.major = a[7], ep.minor = a[8], ep.docrev = a[9];
	} else if (anchor_len >= 0x1f && !memcmp(a, "_SM_", 4)) {
		ep.major = a[6], ep.minor = a[7];
	} else {
		return fail(why, "no SMBIOS entry point in the anchor (%zu bytes)", anchor_len);
	}
	if (walk(table, table_len, &f, why))
		return -1;
	if (!*bios->vendor || !*bios->version || !*bios->date)
		return fail(why, "an empty BIOS Information string");
	if (!f.has_type0) {
		if (f.handle0_used && f.max_handle + 1 >= HANDLE_RESERVED)
			return fail(why, "no free handle for a type 0 structure");
		table -= room;
		table_len += room;
		put_type0(table, f.handle0_used ? f.max_handle + 1 : 0, bios);
	}
	if (table_len > UINT32_MAX)
		return fail(why, "a table of %zu bytes", table_len);
	ep.table_max_size = table_len;
	ep.table_address = (uintptr_t)table;
	ep.checksum = -sum8((const uint8_t *)&ep, sizeof(ep));
	memcpy(buf, &ep, sizeof(ep));
	return 0;
}
