/*
 * Boot options as the variables hold them (UEFI 2.10 section 3.1.3, EFI_LOAD_OPTION),
 * parsed without trusting a byte: an OS, or anything that writes variables, wrote them.
 * Pure code (efi/load_option.c), host-tested and fuzzed.
 */
#ifndef EFILITE_EFI_LOAD_OPTION_H
#define EFILITE_EFI_LOAD_OPTION_H

#include <stdbool.h>
#include "efitypes.h"

#ifndef LOAD_OPTION_ACTIVE
#define LOAD_OPTION_ACTIVE          0x00000001
#endif
/* BootOptionSupport (section 3.3) */
#define EFI_BOOT_OPTION_SUPPORT_APP 0x00000002
#define LOAD_OPTION_HIDDEN          0x00000008
#define LOAD_OPTION_CATEGORY        0x00001f00
#define LOAD_OPTION_CATEGORY_BOOT   0x00000000

struct load_option {
	UINT32 attributes;
	const CHAR16 *description;      /* NUL-terminated, inside the buffer */
	const EFI_DEVICE_PATH *path;    /* the first path of FilePathList */
	UINTN path_size;                /* its bytes, the end-entire node included */
	const UINT8 *data;              /* OptionalData (LoadOptions for the image) */
	UINTN data_size;
};

/* Parse len bytes at buf (2-byte aligned). false when anything is out of bounds: the
 * description unterminated, FilePathListLength past the end, a node shorter than a
 * node header or longer than the list, no end-entire node closing the first path (an
 * end-instance node there), or a path that is only an end node. */
bool load_option_parse(const void *buf, UINTN len, struct load_option *o);

/* The HARDDRIVE_DEVICE_PATH (section 10.3.5.1), packed as on disk. */
struct hd_node {
	EFI_DEVICE_PATH Header;
	UINT32 PartitionNumber;
	UINT64 PartitionStart, PartitionSize;
	UINT8 Signature[16];
	UINT8 MBRType;                  /* 1 MBR, 2 GPT */
	UINT8 SignatureType;            /* 0 none, 1 MBR disk signature, 2 GUID */
} __attribute__((packed));

/* Does the partition whose last node is have match the node want a short-form path
 * starts with (section 3.1.2)? Both must be HD() nodes of full length. A GPT partition
 * by its unique GUID; an MBR one by the disk signature and the partition number; a node
 * without a signature matches nothing. */
bool load_option_hd_match(const EFI_DEVICE_PATH *want, const EFI_DEVICE_PATH *have);

#endif
