/* QEMU's firmware configuration device (fw_cfg), MMIO variant with the DMA interface:
 * QEMU's docs/specs/fw_cfg.rst. Items are named by 16-bit selector keys; the ones a
 * command line adds (-fw_cfg, ACPI and SMBIOS blobs) are found by name in the file
 * directory. Every item is at most 4 GiB - 1 bytes long (QEMU keeps a 32-bit length). */
#ifndef EFILITE_FWCFG_H
#define EFILITE_FWCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Selector keys (QEMU's include/standard-headers/linux/qemu_fw_cfg.h). Sizes are le32;
 * on arm the kernel item holds the -kernel file as is (gunzipped when it was gzip). */
#define FW_CFG_SIGNATURE     0x00    /* "QEMU" */
#define FW_CFG_ID            0x01    /* le32 feature bits */
#define FW_CFG_KERNEL_SIZE   0x08
#define FW_CFG_INITRD_SIZE   0x0b
#define FW_CFG_KERNEL_DATA   0x11
#define FW_CFG_INITRD_DATA   0x12
#define FW_CFG_CMDLINE_SIZE  0x14    /* includes the NUL */
#define FW_CFG_CMDLINE_DATA  0x15
#define FW_CFG_FILE_DIR      0x19

#define FW_CFG_ID_DMA        (1 << 1)
#define FW_CFG_FILE_FIRST    0x20    /* file items: from here up to 0x3fff */
#define FW_CFG_MAX_FILE_PATH 56

/* File directory entry; the directory is a be32 count followed by count entries. */
struct fwcfg_file {
	uint32_t size;                  /* big-endian */
	uint16_t select;                /* big-endian */
	uint16_t reserved;
	char name[FW_CFG_MAX_FILE_PATH];        /* NUL-terminated */
};

/* Check for the device at base (from the device tree; 0 when it has none) and for its
 * DMA interface, which we require: it moves data at host speed. ram (sorted by base,
 * kept, not copied) is where DMA may write. 0, or -1 with the reason logged; the other
 * calls fail until it succeeds. */
struct region;
int fwcfg_init(uint64_t base, const struct region *ram, unsigned nr_ram);

/* Read len bytes of item from offset straight into dest by DMA. Bytes past the item's
 * end read as zeros. dest must be RAM (the DMA goes past the MMU: a buffer in flash or
 * device space is refused). 0, or -1 with the reason logged. */
int fwcfg_read(uint16_t item, uint32_t offset, void *dest, uint32_t len);

/* Write len bytes from src (RAM) into item at offset, by DMA (the few writable items:
 * ACPI's WRITE_POINTER targets). 0, or -1 with the reason logged. */
int fwcfg_write(uint16_t item, uint32_t offset, const void *src, uint32_t len);

/* A small le32 item (a size); 0 when it cannot be read. */
uint32_t fwcfg_read_le32(uint16_t item);

/* Find a named item through the file directory: 0 with *item and *size set, or -1
 * (not there; or no device, no memory, a malformed directory: those are logged). */
int fwcfg_find_file(const char *name, uint16_t *item, uint32_t *size);

/* A named file read as a boolean (fwcfg_parse_bool): 0 with *value set; -1 when the
 * file is absent, longer than any such word, or says something else (not logged). */
int fwcfg_read_bool(const char *name, bool *value);
/* fwcfg/bool.c, pure: EDK2's words (true/yes/y/enable/enabled/1 and their opposites,
 * any case, a trailing newline or NUL allowed). 0 with *value set, or -1. */
int fwcfg_parse_bool(const char *s, size_t len, bool *value);

/* fwcfg/filedir.c, the pure part: look name up in a file directory blob of len bytes.
 * 0 and *item, *size set when found; FWCFG_NOT_FOUND; FWCFG_BAD_DIR when the count does
 * not fit in len. */
#define FWCFG_NOT_FOUND (-1)
#define FWCFG_BAD_DIR   (-2)
int fwcfg_dir_find(const void *dir, size_t len, const char *name, uint16_t *item,
		   uint32_t *size);

/* fwcfg/bootorder.c, pure: one line of QEMU's "bootorder" file, the devices given
 * bootindex=N, best first, as OpenFirmware paths (QEMU's docs/specs/fw_cfg.rst). Only
 * virtio-blk disks are understood, on PCI (/pci@ffffffffffffffff/[pci-bridge@2/]
 * scsi@1[,f]/disk@0,0) or on virtio-mmio (/virtio-mmio@000000000a003e00/disk@0,0). */
#define FWCFG_BOOT_PCI_DEPTH 8
struct fwcfg_boot_device {
	bool mmio;
	uint64_t mmio_base;                     /* mmio */
	uint8_t pci_depth;                      /* PCI: Pci(dev,fn) from the root bus down */
	struct { uint8_t dev, fn; } pci_path[FWCFG_BOOT_PCI_DEPTH];
};
/* s[0..len) without its newline: 0 and *d set, or -1 for anything else (a network
 * device, another bus, a malformed path). */
int fwcfg_bootorder_line(const char *s, size_t len, struct fwcfg_boot_device *d);

#endif
