/* Partition tables on a whole disk (UEFI 2.10 §5: MBR, extended partitions, GPT), read
 * through struct blkdev. The result carries what a partition's EFI handle needs: the
 * window on the disk, the HD() device-path node and EFI_PARTITION_INFO_PROTOCOL. */
#ifndef EFILITE_PART_H
#define EFILITE_PART_H

#include <stdbool.h>
#include <stdint.h>
#include "blkdev.h"

#define PART_MAX        128             /* partitions reported per disk; more are logged */
#define PART_ARRAY_MAX  (1u << 20)      /* bytes of GPT entry array accepted (8192 x 128) */
#define PART_REFUSALS_LOGGED 8          /* bad entries logged one by one, the rest counted */

enum part_scheme { PART_NONE, PART_MBR, PART_GPT };

struct part {
	uint32_t number;        /* GPT: entry index + 1; MBR: 1-4 primary, 5.. logical */
	uint64_t first_lba;     /* absolute, in the disk's blocks */
	uint64_t nr_blocks;
	uint8_t type_guid[16];  /* GPT, as on disk (EFI_GUID layout); zero for MBR */
	uint8_t unique_guid[16];
	uint64_t attributes;
	uint16_t name[37];      /* GPT PartitionName (UTF-16LE, 36), always NUL-terminated */
	uint8_t mbr_type;       /* MBR OS type byte; 0 for GPT */
	bool esp;               /* GPT type C12A7328-F81F-11D2-BA4B-00A0C93EC93B or MBR 0xEF */
	/* For EFI_PARTITION_INFO_PROTOCOL: the GPT entry's first 128 bytes, or the 16-byte
	 * MBR record as on disk (a logical partition's StartingLBA is relative to its EBR). */
	uint8_t raw[128];
};

struct part_table {
	enum part_scheme scheme;
	uint8_t disk_guid[16];  /* GPT DiskGUID, as on disk */
	uint32_t mbr_signature; /* unique MBR disk signature (offset 440), also read on GPT */
	bool gpt_backup;        /* the primary GPT was bad; these come from the backup */
	uint32_t count;
	uint32_t dropped;       /* valid partitions beyond PART_MAX, not in parts[] */
	uint32_t refused;       /* bad entries (outside the disk or usable blocks, overlapping) */
	struct part *parts;     /* count of them in number order (calloc; part_free) */
	uint32_t capacity;      /* of parts[]: part_scan's own */
	bool out_of_memory;
};

/* Finds the partitions of a whole disk. Returns their number (0: no partition table,
 * or an empty one), or -1 with *why when the disk has a table that cannot be used (both
 * GPT headers bad, I/O error, no memory); the caller reports that once. Problems worked
 * around (backup GPT used, entries refused, an EBR loop) are logged here. */
int part_scan(const struct blkdev *disk, struct part_table *t, const char **why);
void part_free(struct part_table *t);

#endif
