/*
 * The text forms of device nodes (UEFI 2.10 section 10.6.1), as one table that both
 * directions read: efi/devpath_text.c prints a node with it, efi/devpath_from_text.c
 * builds one. A form is "Name(field,field,...)"; each field is a value at a fixed
 * offset of the node, printed and parsed according to its kind.
 */
#ifndef EFILITE_EFI_DEVPATH_TEXT_H
#define EFILITE_EFI_DEVPATH_TEXT_H

#include "efi/core.h"

enum dp_kind {
	DP_NONE,
	DP_U8, DP_U16, DP_U32, DP_U64, /* printed 0x%X; parsed decimal or 0x hex */
	DP_DEC,         /* UINT32 printed in decimal (the HD partition number) */
	DP_DEC8,        /* UINT8 printed in decimal (the generic forms' type and subtype) */
	DP_GUID,        /* EFI_GUID, 8-4-4-4-12 hex digits */
	DP_DATA,        /* the rest of the node as hex bytes (vendor data); may be empty */
	DP_ASCII,       /* the rest of the node as 8-bit characters (Uri) */
	DP_EISA,        /* ACPI _HID: PNPxxxx for the PNP vendor, else 0x%08X */
	DP_HDSIG,       /* HD's signature (16 bytes) then MBRType, SignatureType: 2 fields */
	DP_IP4,         /* 4 bytes, dotted decimal */
	DP_PROTO,       /* UINT16 IP protocol: TCP, UDP or a number */
	DP_ORIGIN,      /* UINT8 StaticIpAddress: Static or DHCP */
	DP_MAC,         /* 32-byte MAC address, then IfType: 6 bytes shown for IfType 0, 1 */
	DP_NKINDS
};

struct dp_field {
	UINT8 kind, off;
};

struct dp_form {
	char name[13];          /* the longest, VenVt100Plus, and its NUL */
	UINT8 type, subtype;    /* 0 in the generic forms: any (no other form has 0) */
	UINT8 len;              /* the node's length; a DP_DATA/DP_ASCII tail may follow */
	UINT8 display;          /* fields printed when DisplayOnly, 0 for all */
	UINT8 vendor;           /* nonzero: only the vendor node with dp_vendor_guids[vendor - 1],
				 * a shortcut form, printed only with AllowShortcuts */
	UINT16 pnp;             /* nonzero: only the ACPI node with _HID EISA_PNP(pnp) */
	struct dp_field f[6];   /* 32 bytes a form, where a name pointer made it 40 */
};

/* An ACPI _HID in its EISA encoding: "PNP" compressed, then the product number. */
#define EISA_PNP(id) (0x41d0 | (UINT32)(id) << 16)

/* The last entries are the generic forms, for the nodes no entry before describes. */
extern const struct dp_form dp_forms[];
extern const UINTN dp_nforms;
extern const EFI_GUID dp_vendor_guids[];

/* The bytes of a GUID in the order its text gives them ("33221100-5544-7766-8899-AABB..."):
 * the first three fields are little-endian, the last 8 bytes in order. */
extern const UINT8 dp_guid_order[16];
/* A GUID's text has a '-' before these of its bytes: 4, 6, 8 and 10. */
static inline bool dp_guid_dash(int i)
{
	return i == 4 || i == 6 || i == 8 || i == 10;
}

/* efi/devpath_from_text.c; installed with the to-text protocol by efi_devpath_text_init(). */
extern EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL efi_devpath_from_text;

/* Bytes a field of each kind covers at its offset; 0 for the tails. */
extern const UINT8 dp_field_size[DP_NKINDS];

/* Little-endian field access at any alignment: nodes are byte-packed. */
static inline UINT64 dp_get(const UINT8 *p, UINTN size)
{
	UINT64 v = 0;

	while (size--)
		v = v << 8 | p[size];
	return v;
}

#endif
