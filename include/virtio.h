/* The virtio 1.x device interface (the "modern" one) over two transports: PCI
 * capabilities (section 4.1.4) and virtio-mmio version 2 (section 4.2.2). One queue
 * setup, feature negotiation and config access for both; polled, no interrupts.
 * Knows nothing of EFI. */
#ifndef EFILITE_VIRTIO_H
#define EFILITE_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include "pci.h"
#include "virtqueue.h"

#define VIRTIO_ID_BLOCK    2
#define VIRTIO_F_VERSION_1 (1ULL << 32)
#define VIRTIO_F_ACCESS_PLATFORM (1ULL << 33)

enum virtio_transport { VIRTIO_PCI, VIRTIO_MMIO };

struct virtio_dev {
	enum virtio_transport transport;
	bool legacy;                    /* virtio-mmio version 1: 0.9.5 semantics */
	uint32_t type;                  /* device id: VIRTIO_ID_BLOCK ... */
	uint64_t features;              /* negotiated */
	/* PCI: where the capabilities point, in the BARs; MMIO: base is the register block */
	uint64_t common, notify, isr, device_cfg, base;
	uint32_t notify_mult;
	uint16_t queue_notify_off;      /* of queue 0, the only one we use */
	struct pci_dev *pci;            /* NULL on MMIO */
};

/* Find the modern interface of a virtio PCI function: transitional ids 0x1000-0x103f
 * (type from the subsystem id) and modern 0x1040 + type. Turns decoding on. 0, or -1
 * with *why set. */
int virtio_pci_open(struct virtio_dev *v, struct pci_dev *d, const char **why);
/* A virtio-mmio register block, version 2 or legacy version 1 (QEMU's default for
 * -device virtio-blk-device): 0, 1 for an empty slot (device id 0), -1 with *why. */
int virtio_mmio_open(struct virtio_dev *v, uint64_t base, const char **why);

/* Reset, ACKNOWLEDGE|DRIVER, accept `wanted` & the device's features (VERSION_1 is
 * required but on legacy mmio), FEATURES_OK checked. 0, or -1 with *why. */
int virtio_negotiate(struct virtio_dev *v, uint64_t wanted, const char **why);
/* Queue 0: at most max_size entries (a power of two), its rings in page_alloc()
 * memory, laid out in q. 0, or -1 with *why. */
int virtio_queue_setup(struct virtio_dev *v, struct virtq *q, unsigned max_size,
		       const char **why);
void virtio_driver_ok(struct virtio_dev *v);
void virtio_notify(struct virtio_dev *v);
/* Status 0: the device stops all DMA (used at ExitBootServices and on failure). */
void virtio_reset(struct virtio_dev *v);
/* Device-specific config, read with accesses of the field's width; 64-bit fields are
 * read as two 32-bit halves until the config generation holds still. */
uint32_t virtio_cfg32(struct virtio_dev *v, unsigned off);
uint64_t virtio_cfg64(struct virtio_dev *v, unsigned off);

#endif
