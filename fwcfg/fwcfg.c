/* The fw_cfg driver. Every transfer uses the DMA interface (QEMU's docs/specs/fw_cfg.rst,
 * "Guest-side DMA Interface"): QEMU copies an item into guest RAM in one go, so a kernel
 * of tens of MiB lands at its final address at host memcpy speed. */
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "fwcfg.h"
#include "mmio.h"
#include "platform.h"

/* Registers, from the base */
#define FW_CFG_DATA          0       /* bytes of the item in order, whatever the width */
#define FW_CFG_SELECTOR      8       /* 16-bit, big-endian */
#define FW_CFG_DMA_ADDR      16      /* 64-bit, big-endian */
#define FW_CFG_MAX_FILES     (0x4000 - FW_CFG_FILE_FIRST)

/* FWCfgDmaAccess.control */
#define DMA_ERROR            (1 << 0)
#define DMA_READ             (1 << 1)
#define DMA_SKIP             (1 << 2)
#define DMA_SELECT           (1 << 3)  /* the selector goes in bits 31:16 */
#define DMA_WRITE            (1 << 4)

struct fwcfg_dma_access {               /* all big-endian */
	uint32_t control;
	uint32_t length;
	uint64_t address;
};

static uint64_t fwcfg_base;             /* 0 until fwcfg_init has found the device */
static const struct region *ram;        /* where DMA may write */
static unsigned nr_ram;

/* One DMA operation on len bytes at buf (identity mapped: the pointer is the address).
 * QEMU completes it before the trapping register write returns; the spec still says
 * to poll until the device clears control. The device is cache coherent (the device
 * tree says dma-coherent), so barriers to order our accesses against it suffice. */
static int fwcfg_dma(uint32_t control, void *buf, uint32_t len)
{
	struct fwcfg_dma_access d = {
		.control = __builtin_bswap32(control),
		.length = __builtin_bswap32(len),
		.address = __builtin_bswap64((uintptr_t)buf),
	};
	uint32_t c;

	asm volatile("dmb oshst" ::: "memory");    /* descriptor before the doorbell */
	writeq(fwcfg_base + FW_CFG_DMA_ADDR, __builtin_bswap64((uintptr_t)&d));
	do
		c = __builtin_bswap32(*(volatile uint32_t *)&d.control);
	while (c && !(c & DMA_ERROR));
	asm volatile("dmb oshld" ::: "memory");    /* the data only after the status */
	return c ? -1 : 0;
}

/* The selector takes 16-bit big-endian writes only. */
static void fwcfg_select(uint64_t base, uint16_t item)
{
	writew(base + FW_CFG_SELECTOR, __builtin_bswap16(item));
}

/* Found through the traditional interface: the DMA register exists only when the
 * feature bits say so, and reading it where it does not would fault. */
int fwcfg_init(uint64_t base, const struct region *ram_regions, unsigned nr_ram_regions)
{
	uint32_t sig, features;

	if (!base) {
		err("fw_cfg: not in the device tree: no -kernel, -initrd or ACPI tables");
		return -1;
	}
	fwcfg_select(base, FW_CFG_SIGNATURE);
	sig = readl(base + FW_CFG_DATA);
	fwcfg_select(base, FW_CFG_ID);
	features = readl(base + FW_CFG_DATA);   /* le32, like us */
	if (memcmp(&sig, "QEMU", sizeof(sig)) || !(features & FW_CFG_ID_DMA)) {
		err("fw_cfg@%#llx: %s", (unsigned long long)base,
		    features & FW_CFG_ID_DMA ? "no \"QEMU\" signature" :
		    "no DMA interface (dma_enabled=off?)");
		return -1;
	}
	fwcfg_base = base;
	ram = ram_regions;
	nr_ram = nr_ram_regions;
	return 0;
}

/* QEMU writes wherever it is told, past the MMU: into flash it would issue flash
 * commands (and our code would stop reading as code), into devices register writes.
 * The RAM regions are sorted by base; adjacent ones count as one. */
static bool in_ram(const void *buf, uint32_t len)
{
	uint64_t a = (uintptr_t)buf, end = a + len;

	if (end < a)
		return false;
	for (unsigned i = 0; i < nr_ram && a < end; i++)
		if (ram[i].base <= a && a - ram[i].base < ram[i].size)
			a = ram[i].base + ram[i].size;
	return a >= end;
}

/* One item transfer: select, skip to offset (a READ or WRITE ignores SKIP, so an offset
 * costs one more operation), then move len bytes between the item and buf. */
static int transfer(uint32_t op, uint16_t item, uint32_t offset, void *buf, uint32_t len)
{
	const char *what = op == DMA_READ ? "reading" : "writing";
	uint32_t select = (uint32_t)item << 16 | DMA_SELECT;

	if (!fwcfg_base || !in_ram(buf, len)) {
		err("fw_cfg: %s item %#x at %p: %s", what, item, buf,
		    fwcfg_base ? "not RAM" : "no device");
		return -1;
	}
	if (offset) {
		if (fwcfg_dma(select | DMA_SKIP, NULL, offset))
			goto fail;
		select = 0;
	}
	if (fwcfg_dma(select | op, buf, len))
		goto fail;
	return 0;
fail:
	err("fw_cfg: DMA error %s item %#x (%u bytes at offset %u, %p)", what, item, len,
	    offset, buf);
	return -1;
}

int fwcfg_read(uint16_t item, uint32_t offset, void *dest, uint32_t len)
{
	return transfer(DMA_READ, item, offset, dest, len);
}

int fwcfg_write(uint16_t item, uint32_t offset, const void *src, uint32_t len)
{
	return transfer(DMA_WRITE, item, offset, (void *)src, len);
}

uint32_t fwcfg_read_le32(uint16_t item)
{
	uint32_t v;

	return fwcfg_read(item, 0, &v, sizeof(v)) ? 0 : v;
}

/* The file directory, read once: QEMU fixes it before the machine starts, and the boot
 * path looks a dozen names up in it (ACPI, SMBIOS, bootorder, the opt/ knobs). */
static void *dir;
static uint32_t dir_len;

static int read_dir(void)
{
	uint32_t count, len;

	if (dir)
		return 0;
	if (fwcfg_read(FW_CFG_FILE_DIR, 0, &count, sizeof(count)))
		return -1;
	count = __builtin_bswap32(count);
	if (count > FW_CFG_MAX_FILES) {
		err("fw_cfg: file directory claims %u files", count);
		return -1;
	}
	len = sizeof(count) + count * sizeof(struct fwcfg_file);
	dir = calloc(1, len);
	if (!dir) {
		err("fw_cfg: no memory for the file directory (%u bytes)", len);
		return -1;
	}
	if (fwcfg_read(FW_CFG_FILE_DIR, 0, dir, len)) {
		free(dir);
		dir = NULL;
		return -1;
	}
	dir_len = len;
	return 0;
}

int fwcfg_find_file(const char *name, uint16_t *item, uint32_t *size)
{
	int r;

	if (read_dir())
		return -1;
	r = fwcfg_dir_find(dir, dir_len, name, item, size);
	if (r == FWCFG_BAD_DIR)
		err("fw_cfg: malformed file directory");
	return r ? -1 : 0;
}

int fwcfg_read_bool(const char *name, bool *value)
{
	char buf[16];   /* "disabled\r\n" and a NUL, with room to spare */
	uint16_t item;
	uint32_t size;

	if (fwcfg_find_file(name, &item, &size) || size > sizeof(buf) ||
	    fwcfg_read(item, 0, buf, size))
		return -1;
	return fwcfg_parse_bool(buf, size, value);
}
