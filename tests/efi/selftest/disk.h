/*
 * What the disk and file cases (disk.c, file.c) share: tests/testdisk.py's layout (keep
 * the two in step) and the two test disks once found.
 */
#ifndef SELFTEST_DISK_H
#define SELFTEST_DISK_H

#include "selftest.h"

#define DISK_BLOCKS     131072
#define ESP_START       2048
#define ESP_BLOCKS      65536
#define DATA_START      67584
#define DATA_BLOCKS     32768
#define HELLO_LINE      L"EFI-lite self-test: a file on the ESP, read through EFI_FILE_PROTOCOL.\n"
#define HELLO_LINES     3
#define CHILD_PATH      L"\\EFI\\selftest\\Child-Image.efi"

/* One test disk and its two partitions. */
struct test_disk {
	EFI_HANDLE disk, esp, data;
	EFI_BLOCK_IO *bio;
};
extern struct test_disk rw, ro;         /* the writable disk and the read-only one */
extern UINT8 *buf;                      /* 8 KiB, page aligned, from setup_buf */

/* Setups: find the disks (skip without them) and allocate buf; free_buf undoes it. */
enum result setup_buf(void);
enum result free_buf(void);
EFI_BLOCK_IO *block_io(EFI_HANDLE h);
EFI_DEVICE_PATH *path_of(EFI_HANDLE h);

#endif
