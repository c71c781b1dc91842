/* Every disk the firmware can read: virtio-blk on PCI (root bus or behind bridges) and
 * on virtio-mmio, found once at boot. The EFI layer builds its handles (BlockIo,
 * DiskIo, device paths) from this list; this code knows nothing of EFI. */
#ifndef EFILITE_DISKS_H
#define EFILITE_DISKS_H

#include "blkdev.h"
#include "pci.h"
#include "platform.h"
#include "virtio.h"

#define MAX_DISKS 16

struct disk {
	struct blkdev *blk;             /* what partition and file-system code reads */
	enum virtio_transport transport;
	/* PCI: the device path is PciRoot(0) then Pci(dev,fn) for each path entry */
	uint8_t pci_depth;
	struct { uint8_t dev, fn; } pci_path[PCI_MAX_DEPTH];
	uint16_t pci_vendor, pci_device;
	/* MMIO: the register block (EDK2 names it VenHw(837dca9e-..., base)) */
	uint64_t mmio_base;
	char name[48];                  /* as logged: PciRoot(0)/Pci(0x2,0x0) or virtio-mmio@... */
	char serial[21];                /* virtio-blk GET_ID, "" when it has none */
	struct virtio_blk *dev;
};

/* Enumerate PCI, probe virtio-blk on PCI and MMIO, log one line per disk. A device that
 * fails is reported once and skipped. Returns the number of disks. */
unsigned disks_init(const struct platform *p);
unsigned disk_count(void);
struct disk *disk_get(unsigned i);      /* NULL past the last */
/* ExitBootServices: reset every virtio device, then PCI decoding and bus mastering off. */
void disks_quiesce(void);

#endif
