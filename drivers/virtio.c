/* The virtio 1.x transports: PCI capabilities and virtio-mmio v2, behind one set of
 * operations. Section numbers are those of the virtio 1.2 specification. */
#include "log.h"
#include "mmio.h"
#include "pages.h"
#include "virtio.h"

/* Device status (2.1) */
#define ACKNOWLEDGE 1
#define DRIVER      2
#define DRIVER_OK   4
#define FEATURES_OK 8
#define FAILED      128

/* virtio_pci_common_cfg (4.1.4.3) */
#define COMMON_DFSELECT   0x00
#define COMMON_DF         0x04
#define COMMON_GFSELECT   0x08
#define COMMON_GF         0x0c
#define COMMON_STATUS     0x14
#define COMMON_CFGGEN     0x15
#define COMMON_Q_SELECT   0x16
#define COMMON_Q_SIZE     0x18
#define COMMON_Q_ENABLE   0x1c
#define COMMON_Q_NOFF     0x1e
#define COMMON_Q_DESC     0x20
#define COMMON_Q_AVAIL    0x28
#define COMMON_Q_USED     0x30

/* virtio-mmio registers (4.2.2) */
#define MMIO_MAGIC        0x000
#define MMIO_VERSION      0x004
#define MMIO_DEVICE_ID    0x008
#define MMIO_DF           0x010
#define MMIO_DFSELECT     0x014
#define MMIO_GF           0x020
#define MMIO_GFSELECT     0x024
#define MMIO_GUEST_PAGE_SIZE 0x028      /* legacy (version 1) only */
#define MMIO_Q_SELECT     0x030
#define MMIO_Q_NUM_MAX    0x034
#define MMIO_Q_NUM        0x038
#define MMIO_Q_ALIGN      0x03c      /* legacy */
#define MMIO_Q_PFN        0x040      /* legacy */
#define MMIO_Q_READY      0x044
#define MMIO_Q_NOTIFY     0x050
#define MMIO_STATUS       0x070
#define MMIO_Q_DESC       0x080
#define MMIO_Q_AVAIL      0x090
#define MMIO_Q_USED       0x0a0
#define MMIO_CFGGEN       0x0fc
#define MMIO_CONFIG       0x100
#define MMIO_MAGIC_VALUE  0x74726976     /* "virt" */

/* virtio_pci_cap (4.1.4) */
#define CAP_CFG_TYPE 3
#define CAP_BAR      4
#define CAP_OFFSET   8
#define CAP_LENGTH   12
#define CAP_NOTIFY_MULT 16
enum { CAP_COMMON = 1, CAP_NOTIFY, CAP_ISR, CAP_DEVICE };

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

/* Out of line so that the functions touching registers hold no paired stores (KVM
 * cannot emulate those on MMIO; tests/test_image.py checks their code). */
static __attribute__((noinline)) void dev_init(struct virtio_dev *v,
					       enum virtio_transport t, uint64_t base)
{
	*v = (struct virtio_dev){ .transport = t, .base = base,
				  .device_cfg = t == VIRTIO_MMIO ? base + MMIO_CONFIG : 0 };
}

/* ---- PCI ---- */

/* The address a capability points at, if its BAR is assigned and holds it. */
static uint64_t cap_addr(struct pci_dev *d, unsigned cap, uint32_t need)
{
	unsigned bar = pci_read8(d, cap + CAP_BAR);
	uint32_t off = pci_read32(d, cap + CAP_OFFSET), len = pci_read32(d, cap + CAP_LENGTH);

	if (bar > 5 || !d->bar[bar] || len < need || off > d->bar_size[bar] ||
	    len > d->bar_size[bar] - off)
		return 0;
	return d->bar[bar] + off;
}

int virtio_pci_open(struct virtio_dev *v, struct pci_dev *d, const char **why)
{
	unsigned cap = 0, type;
	uint64_t *slot[] = { [CAP_COMMON] = &v->common, [CAP_NOTIFY] = &v->notify,
			     [CAP_ISR] = &v->isr, [CAP_DEVICE] = &v->device_cfg };

	dev_init(v, VIRTIO_PCI, 0);
	v->pci = d;
	if (d->vendor != 0x1af4 || d->device < 0x1000 || d->device > 0x107f)
		return fail(why, "not a virtio device");
	v->type = d->device >= 0x1040 ? d->device - 0x1040u : d->subsystem;
	/* The first capability of each type is the one to use (4.1.4.1). */
	while ((cap = pci_find_cap(d, PCI_CAP_ID_VNDR, cap))) {
		type = pci_read8(d, cap + CAP_CFG_TYPE);
		if (type < CAP_COMMON || type > CAP_DEVICE || *slot[type])
			continue;
		*slot[type] = cap_addr(d, cap, type == CAP_COMMON ? 0x38 : 1);
		if (type == CAP_NOTIFY)
			v->notify_mult = pci_read32(d, cap + CAP_NOTIFY_MULT);
	}
	if (!v->common || !v->notify || !v->device_cfg)
		return fail(why, "no virtio 1.0 capabilities (legacy-only device?) or their "
			    "BARs are unassigned");
	pci_enable(d);
	return 0;
}

/* ---- MMIO ---- */

int virtio_mmio_open(struct virtio_dev *v, uint64_t base, const char **why)
{
	uint32_t version;

	dev_init(v, VIRTIO_MMIO, base);
	if (readl(base + MMIO_MAGIC) != MMIO_MAGIC_VALUE)
		return fail(why, "virtio-mmio: bad magic value");
	v->type = readl(base + MMIO_DEVICE_ID);
	if (!v->type)
		return 1;
	version = readl(base + MMIO_VERSION);
	if (version != 1 && version != 2)
		return fail(why, "virtio-mmio: unknown version");
	v->legacy = version == 1;
	return 0;
}

/* ---- common operations ---- */

static void set_status(struct virtio_dev *v, uint8_t s)
{
	if (v->transport == VIRTIO_PCI)
		writeb(v->common + COMMON_STATUS, s);
	else
		writel(v->base + MMIO_STATUS, s);
}

static uint8_t get_status(struct virtio_dev *v)
{
	return v->transport == VIRTIO_PCI ? readb(v->common + COMMON_STATUS)
					  : (uint8_t)readl(v->base + MMIO_STATUS);
}

void virtio_reset(struct virtio_dev *v)
{
	unsigned n;

	set_status(v, 0);
	/* The reset is done when status reads back 0 (4.1.4.3.2); bounded, not trusted. */
	for (n = 0; n < 1000000 && get_status(v); n++)
		;
}

static uint32_t features_half(struct virtio_dev *v, unsigned sel)
{
	if (v->transport == VIRTIO_PCI) {
		writel(v->common + COMMON_DFSELECT, sel);
		return readl(v->common + COMMON_DF);
	}
	writel(v->base + MMIO_DFSELECT, sel);
	return readl(v->base + MMIO_DF);
}

static void set_features_half(struct virtio_dev *v, unsigned sel, uint32_t f)
{
	if (v->transport == VIRTIO_PCI) {
		writel(v->common + COMMON_GFSELECT, sel);
		writel(v->common + COMMON_GF, f);
	} else {
		writel(v->base + MMIO_GFSELECT, sel);
		writel(v->base + MMIO_GF, f);
	}
}

int virtio_negotiate(struct virtio_dev *v, uint64_t wanted, const char **why)
{
	uint64_t offered;

	virtio_reset(v);
	set_status(v, ACKNOWLEDGE);
	set_status(v, ACKNOWLEDGE | DRIVER);
	offered = features_half(v, 0) | (uint64_t)features_half(v, 1) << 32;
	if (v->legacy)
		offered &= 0xffffffffu; /* 0.9.5 has 32 feature bits */
	else if (!(offered & VIRTIO_F_VERSION_1)) {
		set_status(v, FAILED);
		return fail(why, "device does not offer VIRTIO_F_VERSION_1");
	}
	/* The identity map is the "platform" translation: accepting it costs nothing. */
	v->features = offered & (wanted | VIRTIO_F_VERSION_1 | VIRTIO_F_ACCESS_PLATFORM);
	set_features_half(v, 0, (uint32_t)v->features);
	set_features_half(v, 1, (uint32_t)(v->features >> 32));
	if (v->legacy)
		return 0;       /* no FEATURES_OK step before 1.0 */
	set_status(v, ACKNOWLEDGE | DRIVER | FEATURES_OK);
	if (!(get_status(v) & FEATURES_OK)) {
		set_status(v, FAILED);
		return fail(why, "device refused our features (FEATURES_OK did not stick)");
	}
	return 0;
}

/* A 64-bit queue address as two 32-bit writes, low half first (4.1.3.1, 4.2.2.2). */
static void write64(uint64_t addr, uint64_t val)
{
	writel(addr, (uint32_t)val);
	writel(addr + 4, (uint32_t)(val >> 32));
}

static unsigned queue_max(struct virtio_dev *v)
{
	if (v->transport == VIRTIO_PCI) {
		writew(v->common + COMMON_Q_SELECT, 0);
		return readw(v->common + COMMON_Q_SIZE);
	}
	writel(v->base + MMIO_Q_SELECT, 0);
	return readl(v->base + MMIO_Q_NUM_MAX);
}

/* The rings at mem, laid out as virtq_init() does. */
static void queue_program(struct virtio_dev *v, void *mem, unsigned size)
{
	uint64_t desc = (uint64_t)mem, avail = desc + VIRTQ_AVAIL_OFF(size);
	uint64_t used = desc + VIRTQ_USED_OFF(size);

	if (v->transport == VIRTIO_PCI) {
		writew(v->common + COMMON_Q_SIZE, size);
		write64(v->common + COMMON_Q_DESC, desc);
		write64(v->common + COMMON_Q_AVAIL, avail);
		write64(v->common + COMMON_Q_USED, used);
		v->queue_notify_off = readw(v->common + COMMON_Q_NOFF);
		writew(v->common + COMMON_Q_ENABLE, 1);
	} else if (v->legacy) {
		/* One contiguous area, used ring page-aligned, given by page number. */
		writel(v->base + MMIO_GUEST_PAGE_SIZE, 4096);
		writel(v->base + MMIO_Q_NUM, size);
		writel(v->base + MMIO_Q_ALIGN, 4096);
		writel(v->base + MMIO_Q_PFN, (uint32_t)(desc >> 12));
	} else {
		writel(v->base + MMIO_Q_NUM, size);
		write64(v->base + MMIO_Q_DESC, desc);
		write64(v->base + MMIO_Q_AVAIL, avail);
		write64(v->base + MMIO_Q_USED, used);
		writel(v->base + MMIO_Q_READY, 1);
	}
}

int virtio_queue_setup(struct virtio_dev *v, struct virtq *q, unsigned max_size,
		       const char **why)
{
	unsigned size = queue_max(v);
	void *mem;

	if (!size)
		return fail(why, "queue 0 does not exist");
	/* The largest power of two within both limits (a split ring needs one). */
	while (size & (size - 1))
		size &= size - 1;
	while (size > max_size)
		size >>= 1;
	mem = page_alloc((VIRTQ_BYTES(size) + 4095) / 4096);
	if (!mem || virtq_init(q, mem, size))
		return fail(why, "no memory for the virtqueue");
	queue_program(v, mem, size);
	return 0;
}

void virtio_driver_ok(struct virtio_dev *v)
{
	set_status(v, ACKNOWLEDGE | DRIVER | (v->legacy ? 0 : FEATURES_OK) | DRIVER_OK);
}

void virtio_notify(struct virtio_dev *v)
{
	/* The ring in normal memory before the doorbell in device memory. */
	asm volatile("dmb oshst" ::: "memory");
	if (v->transport == VIRTIO_PCI)
		writew(v->notify + (uint64_t)v->queue_notify_off * v->notify_mult, 0);
	else
		writel(v->base + MMIO_Q_NOTIFY, 0);
}

static uint32_t generation(struct virtio_dev *v)
{
	return v->transport == VIRTIO_PCI ? readb(v->common + COMMON_CFGGEN)
					  : readl(v->base + MMIO_CFGGEN);
}

uint32_t virtio_cfg32(struct virtio_dev *v, unsigned off)
{
	return readl(v->device_cfg + off);
}

uint64_t virtio_cfg64(struct virtio_dev *v, unsigned off)
{
	uint32_t gen, lo, hi, n = 0;

	do {
		gen = generation(v);
		lo = readl(v->device_cfg + off);
		hi = readl(v->device_cfg + off + 4);
	} while (gen != generation(v) && ++n < 100);
	return (uint64_t)hi << 32 | lo;
}
