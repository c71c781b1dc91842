/*
 * The non-volatile variable store in NOR flash (runtime/varstore.c): a log of variable
 * records in two sectors used A/B. Runtime code: the state holds offsets and the bank's
 * address only, which SetVirtualAddressMap converts.
 */
#ifndef EFILITE_EFI_RT_VARSTORE_H
#define EFILITE_EFI_RT_VARSTORE_H

#include "efitypes.h"

/* The flash the store lives in: sectors of sector_size bytes from base (the address the
 * bank reads at in read-array mode). The store uses VS_SECTORS of them. */
#define VS_SECTORS 2
struct vs_flash {
	UINT64 base;
	UINT32 sector_size;
};

/*
 * What the store needs from the flash, linked in rather than called through pointers
 * (the runtime blob holds no absolute addresses of its own code): runtime/cfi_flash.c
 * in the firmware, a simulated NOR flash in the host tests. Offsets are from base;
 * program and erase return 0 or -1 (device error; the flash is back in read mode).
 */
UINT32 vs_flash_read(const struct vs_flash *f, UINT32 off);
int vs_flash_program(const struct vs_flash *f, UINT32 off, UINT32 word);
int vs_flash_erase(const struct vs_flash *f, UINT32 off);

struct varstore {
	struct vs_flash flash;
	UINT32 active;          /* sector of the newest valid log */
	UINT32 seq;             /* its sequence number */
	UINT32 end;             /* offset in it where the next record goes */
	UINT32 dirty;           /* not blank after end: compact before appending */
	UINT32 spare_end;       /* while compacting: where the next record goes in the spare */
};

enum { VS_OK, VS_FORMATTED, VS_FULL, VS_ERROR };

/* One variable as written: its data in up to two pieces (an append write keeps the old
 * value and adds the new one). data_size 0 is a deletion. */
struct vs_var {
	const EFI_GUID *guid;
	const CHAR16 *name;
	UINT32 name_size;       /* bytes, NUL included */
	UINT32 attr;
	const void *data[2];
	UINT32 size[2];
};

/* One record as read back by vs_next: name and data follow each other in its buffer. */
struct vs_record {
	EFI_GUID guid;
	UINT32 attr, name_size, data_size;
};

/* Find the newest valid log; format the store if there is none (VS_FORMATTED). */
int vs_open(struct varstore *vs, const struct vs_flash *f);
/* The valid records of the log, oldest first; *pos starts at 0. Records whose name and
 * data do not fit bufsize are skipped. Returns 1 with a record, 0 at the end. */
int vs_next(const struct varstore *vs, UINT32 *pos, struct vs_record *r, void *buf,
	    UINT32 bufsize);
/* Write one record at the end of the log: VS_FULL if it does not fit (or the log's
 * tail is not blank): then compact and try again. */
int vs_append(struct varstore *vs, const struct vs_var *v);
/* Compaction into the spare sector: begin erases it, add writes each live variable
 * (VS_FULL when the spare is full), end makes the spare the log. Until end returns
 * VS_OK the old log stays the valid one, at any power cut. */
int vs_compact_begin(struct varstore *vs);
int vs_compact_add(struct varstore *vs, const struct vs_var *v);
int vs_compact_end(struct varstore *vs);
/* Bytes a record of this name and data takes; bytes a log can hold; bytes left. */
UINT32 vs_record_size(UINT32 name_size, UINT32 data_size);
UINT32 vs_capacity(const struct varstore *vs);
UINT32 vs_left(const struct varstore *vs);

#endif
