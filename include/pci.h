/* PCI Express through the ECAM of QEMU virt's generic host bridge (drivers/pci_host.c
 * reads it from the device tree, drivers/pci.c enumerates). Names after the PCI Local
 * Bus and PCI-to-PCI Bridge specifications. Knows nothing of EFI. */
#ifndef EFILITE_PCI_H
#define EFILITE_PCI_H

#include <stdbool.h>
#include <stdint.h>

/* An address window of the host bridge ("ranges"): CPU address cpu is PCI address pci. */
struct pci_window {
	uint64_t cpu, pci, size;                /* size 0: absent */
};

struct pci_host {
	uint64_t ecam, ecam_size;               /* CPU address of bus bus_start's config */
	unsigned bus_start, bus_end;            /* bus-range, clipped to what the ECAM holds */
	struct pci_window io, mem32, mem64;
};

/* Read the pci-host-ecam-generic node (its reg, ecam/ecam_size, comes from the caller,
 * which read it with the root's cells). 0, or -1 with *why naming what is wrong. */
int pci_host_parse(const void *fdt, int node, uint64_t ecam, uint64_t ecam_size,
		   struct pci_host *h, const char **why);

#define PCI_MAX_DEVS  32
#define PCI_MAX_DEPTH 8         /* root bus plus bridges: a device path's Pci() nodes */
#define PCI_NO_BAR    0

struct pci_dev {
	uint64_t cfg;                   /* CPU address of its 4 KiB of ECAM config space */
	uint8_t bus, dev, fn, header;   /* header type without the multi-function bit */
	uint16_t vendor, device, subsystem;
	uint8_t revision;
	uint32_t class;                 /* base class << 16 | sub-class << 8 | prog-if */
	uint64_t bar[6];                /* CPU address of each memory BAR; 0 if none */
	uint64_t bar_size[6];
	int parent;                     /* index of the bridge above; -1 on the root bus */
	bool enabled;                   /* pci_enable() was called */
	uint8_t depth;                  /* entries in path */
	struct { uint8_t dev, fn; } path[PCI_MAX_DEPTH];   /* from the root bus down */
};

/* Enumerate: bus numbers behind bridges, memory BARs (64-bit ones too) assigned in the
 * 32-bit window, bridge memory windows, I/O and prefetchable windows closed. Every
 * device is left with decoding and bus mastering off. Returns the number found. */
unsigned pci_init(const struct pci_host *h);
struct pci_dev *pci_device(unsigned i);          /* NULL past the last */

uint8_t pci_read8(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint32_t pci_read32(const struct pci_dev *d, unsigned off);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);

/* Offset of the next capability with this id after start (0: from the list head), or 0. */
unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned start);

/* Memory decoding and bus mastering on, for d and the bridges above it. */
void pci_enable(struct pci_dev *d);
/* Both off again on every enabled device, bridges last: for ExitBootServices, after the
 * drivers have reset their devices. */
void pci_quiesce(void);

#define PCI_COMMAND             0x04
#define  PCI_COMMAND_MEMORY     0x2
#define  PCI_COMMAND_MASTER     0x4
#define PCI_STATUS              0x06
#define  PCI_STATUS_CAP_LIST    0x10
#define PCI_CAPABILITY_LIST     0x34
#define PCI_CAP_ID_VNDR         0x09

#endif
