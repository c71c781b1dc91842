/* FAT12/16/32 with long names, read and write, over a struct blkdev (Microsoft's "FAT:
 * General Overview of On-Disk Format" 1.03). Shaped after EFI_FILE_PROTOCOL (UEFI 2.10
 * §13.5) so the EFI wrapper is one call per member and a table for the status codes.
 * Names are UTF-16 (CHAR16), NUL-terminated; paths use '\\'. Nothing here knows EFI. */
#ifndef EFILITE_FAT_H
#define EFILITE_FAT_H

#include <stdbool.h>
#include <stdint.h>
#include "blkdev.h"

/* Each maps to the EFI_STATUS of the same name (FAT_NO_SPACE is EFI_VOLUME_FULL). */
enum fat_status {
	FAT_OK = 0,             /* EFI_SUCCESS */
	FAT_NOT_FOUND,          /* EFI_NOT_FOUND */
	FAT_INVALID,            /* EFI_INVALID_PARAMETER: a bad name, mode or info */
	FAT_UNSUPPORTED,        /* EFI_UNSUPPORTED: e.g. a rename into another directory */
	FAT_NO_SPACE,           /* EFI_VOLUME_FULL */
	FAT_WRITE_PROTECTED,    /* EFI_WRITE_PROTECTED: the blkdev is read-only */
	FAT_DEVICE_ERROR,       /* EFI_DEVICE_ERROR: a blkdev call failed */
	FAT_ACCESS_DENIED,      /* EFI_ACCESS_DENIED: read-only file or handle, non-empty dir */
	FAT_VOLUME_CORRUPTED,   /* EFI_VOLUME_CORRUPTED */
	FAT_BUFFER_TOO_SMALL,   /* EFI_BUFFER_TOO_SMALL */
	FAT_OUT_OF_RESOURCES,   /* EFI_OUT_OF_RESOURCES: calloc failed */
	FAT_END_OF_FILE,        /* EFI_END_OF_FILE: fat_readdir has no more entries */
};

/* Directory entry attributes: the same bits as EFI_FILE_READ_ONLY ... EFI_FILE_ARCHIVE. */
#define FAT_ATTR_READ_ONLY  0x01
#define FAT_ATTR_HIDDEN     0x02
#define FAT_ATTR_SYSTEM     0x04
#define FAT_ATTR_VOLUME_ID  0x08
#define FAT_ATTR_DIRECTORY  0x10
#define FAT_ATTR_ARCHIVE    0x20
#define FAT_ATTR_VALID      0x37        /* what fat_open/fat_set_info accept */

/* fat_open modes (EFI_FILE_MODE_READ is implied). */
#define FAT_OPEN_WRITE   1
#define FAT_OPEN_CREATE  2              /* needs FAT_OPEN_WRITE */

#define FAT_NAME_MAX 255                /* UTF-16 code units, without the NUL */

/* A time as FAT keeps it (local time; spec §6.3), so nothing here converts: date is
 * (year - 1980) << 9 | month << 5 | day, time hour << 11 | minute << 5 | second / 2,
 * cs (create times only) the 10 ms units past that, 0..199; an access time is a date
 * only. Date 0 means "no time": fat_set_info leaves such a field as it is. */
struct fat_time {
	uint16_t date, time;
	uint8_t cs;
};

struct fat_info {                       /* EFI_FILE_INFO */
	uint64_t size;                  /* bytes; 0 for a directory */
	uint64_t alloc_size;            /* size rounded up to whole clusters */
	uint8_t attr;                   /* FAT_ATTR_* */
	struct fat_time create, modify, access;
	uint16_t name[FAT_NAME_MAX + 1]; /* long name, or the 8.3 name; "" for the root */
};

struct fat_volinfo {                    /* EFI_FILE_SYSTEM_INFO */
	bool read_only;
	uint64_t volume_size;           /* bytes in the data clusters */
	uint64_t free_space;            /* bytes in free clusters (counted, not the hint) */
	uint32_t cluster_size;          /* EFI's BlockSize */
	unsigned fat_bits;              /* 12, 16 or 32 */
	uint16_t label[12];             /* "" when the volume has none */
};

struct fat_volume;
struct fat_file;                        /* an open file or directory */

/* Mount: dev must outlive the volume. now (may be NULL: 1980-01-01) stamps writes.
 * Fails with FAT_VOLUME_CORRUPTED (and a log line) on a BPB that makes no sense. */
int fat_mount(const struct blkdev *dev, void (*now)(struct fat_time *t),
	      struct fat_volume **out);
/* Flushes, then frees the volume; every file must be closed first. */
int fat_unmount(struct fat_volume *v);
int fat_volinfo(struct fat_volume *v, struct fat_volinfo *info);
int fat_set_label(struct fat_volume *v, const uint16_t *label);  /* up to 11 chars */

int fat_open_root(struct fat_volume *v, struct fat_file **out);
/* path relative to dir ('\\' first: from the root); ".", ".." and empty components
 * allowed; names match long and 8.3 names without regard to case. With FAT_OPEN_CREATE
 * a missing last component is created: a directory when attr has FAT_ATTR_DIRECTORY.
 * An existing entry is opened as it is. */
int fat_open(struct fat_file *dir, const uint16_t *path, unsigned mode, uint8_t attr,
	     struct fat_file **out);
int fat_close(struct fat_file *f);      /* flushes; f is freed even when that fails */
/* Deletes the entry and its clusters, then closes f (always freed). FAT_ACCESS_DENIED
 * for the root, a non-empty directory or a handle opened without FAT_OPEN_WRITE. */
int fat_delete(struct fat_file *f);
bool fat_is_dir(const struct fat_file *f);

/* Files: *len bytes in, *len bytes done out (short at the end of the file).
 * FAT_DEVICE_ERROR, *len as it was, when the position is beyond the end (EFI's Read). */
int fat_read(struct fat_file *f, void *buf, uint64_t *len);
/* Files (FAT_UNSUPPORTED for a directory): a write past the end grows the file (the
 * gap reads as zeros). All or nothing: FAT_NO_SPACE leaves the file as it was, *len 0. */
int fat_write(struct fat_file *f, const void *buf, uint64_t *len);
/* Directories: the next entry ("." and ".." included), FAT_END_OF_FILE after the last.
 * The position of a directory is a byte offset: save it with fat_get_pos before and
 * restore it with fat_set_pos to read the same entry again (the EFI sizing dance). */
int fat_readdir(struct fat_file *dir, struct fat_info *info);

uint64_t fat_get_pos(const struct fat_file *f);
int fat_set_pos(struct fat_file *f, uint64_t pos);      /* UINT64_MAX: end of file */

int fat_get_info(struct fat_file *f, struct fat_info *info);
/* Changes what differs from fat_get_info: the name (a rename in the same directory),
 * the size (truncate or extend with zeros; files only), the attributes (not
 * FAT_ATTR_DIRECTORY) and the times whose year is not 0. */
int fat_set_info(struct fat_file *f, const struct fat_info *info);
/* Writes the directory entry, both FATs, FSInfo, then flushes the device. */
int fat_flush(struct fat_file *f);

#endif
