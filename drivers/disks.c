/* Finding the disks: PCI enumeration, then every virtio-blk function on it and in the
 * virtio-mmio slots the device tree lists. */
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "timer.h"
#include "crc32.h"
#include "mmu.h"
#include "disks.h"
#include "pages.h"
#include "virtio_blk.h"

static struct disk disks[MAX_DISKS];
static unsigned nr_disks;

static void path_name(struct disk *d)
{
	int n = snprintf(d->name, sizeof(d->name), "PciRoot(0)");

	for (unsigned i = 0; i < d->pci_depth && n < (int)sizeof(d->name); i++)
		n += snprintf(d->name + n, sizeof(d->name) - n, "/Pci(%#x,%#x)",
			      d->pci_path[i].dev, d->pci_path[i].fn);
}

static const char *transport(const struct disk *d, char *buf, size_t len)
{
	if (d->transport == VIRTIO_MMIO)
		return d->dev->vdev.legacy ? "mmio v1, legacy" : "mmio v2";
	snprintf(buf, len, "pci %04x:%04x %s", d->pci_vendor, d->pci_device,
		 d->pci_device < 0x1040 ? "transitional" : "modern");
	return buf;
}

#ifdef FAULT_TEST
/* Test builds: read the start of each disk and give its CRC-32, for the QEMU tests to
 * compare with the image (tests/test_disks.py). */
static void read_test(struct disk *d)
{
	uint64_t bytes = d->blk->nr_blocks * d->blk->block_size, t;
	unsigned before = d->dev->requests;
	void *buf;

	if (bytes > (32u << 20))
		bytes = 32u << 20;
	buf = page_alloc((bytes + 4095) / 4096 ?: 1);
	t = timer_us();
	if (!buf || blk_read(d->blk, 0, bytes / d->blk->block_size, buf)) {
		err("disk %s: read test failed", d->name);
		return;
	}
	t = timer_us() - t;
	info("disk %s: read %llu bytes, crc32 %08x, %u requests, %llu us", d->name,
	     (unsigned long long)bytes, crc32(buf, bytes), d->dev->requests - before,
	     (unsigned long long)t);
	page_free(buf, (bytes + 4095) / 4096 ?: 1);
}

/* ... and write its last block, which the test then finds in the image file. */
static void write_test(struct disk *d)
{
	uint32_t bs = d->blk->block_size;
	uint64_t lba = d->blk->nr_blocks - 1;
	char *buf = page_alloc(2);

	if (!buf || !d->blk->nr_blocks)
		return;
	snprintf(buf, bs, "EFI-lite wrote block %llu of %s", (unsigned long long)lba, d->name);
	if (blk_write(d->blk, lba, 1, buf) || (d->blk->flush && d->blk->flush(d->blk->ctx)))
		info("disk %s: write refused", d->name);
	else if (blk_read(d->blk, lba, 1, buf + 4096) || memcmp(buf, buf + 4096, bs))
		err("disk %s: write test: read back differs", d->name);
	else
		info("disk %s: wrote block %llu%s", d->name, (unsigned long long)lba,
		     d->blk->flush ? " and flushed" : "");
	page_free(buf, 2);
}
#endif

/* Bring up an opened device; keep it as the next disk, or say once why not. */
static void add(struct disk *d, struct virtio_blk *b)
{
	const char *why;
	char tbuf[40];

	if (virtio_blk_init(b, &why)) {
		warn("disk %s: skipped: %s", d->name, why);
		free(b);
		return;
	}
	d->dev = b;
	d->blk = &b->blk;
	if (virtio_blk_get_id(b, d->serial))
		d->serial[0] = '\0';
	info("disk %s: virtio-blk (%s), %llu blocks of %u bytes%s%s%s%s", d->name,
	     transport(d, tbuf, sizeof(tbuf)), (unsigned long long)b->blk.nr_blocks,
	     b->blk.block_size, b->blk.read_only ? ", read-only" : "",
	     d->serial[0] ? ", serial \"" : "", d->serial, d->serial[0] ? "\"" : "");
#ifdef FAULT_TEST
	read_test(d);
	write_test(d);
#endif
	nr_disks++;
}

static struct virtio_blk *new_dev(struct disk *d)
{
	struct virtio_blk *b = calloc(1, sizeof(*b));

	if (!b)
		warn("disk %s: skipped: out of memory", d->name);
	return b;
}

/* Only what the run-time tables map as device memory may be touched: an access anywhere
 * else faults. (mm/mmu.c maps the ECAM; the BAR window must lie in the device window.) */
static bool device_mapped(uint64_t base, uint64_t size)
{
	return size && (mmu_get_prot(base) & PT_DEVICE) &&
	       (mmu_get_prot(base + size - 1) & PT_DEVICE);
}

static void probe_pci(const struct platform *p)
{
	struct pci_host host;
	struct pci_dev *pd;
	struct virtio_blk *b;
	struct disk *d;
	const char *why;

	if (!p->ecam)
		return;
	if (pci_host_parse(p->fdt, p->pcie_node, p->ecam, p->ecam_size, &host, &why)) {
		warn("%s: PCI devices ignored", why);
		return;
	}
	if (!device_mapped(host.ecam, host.ecam_size) ||
	    !device_mapped(host.mem32.cpu, host.mem32.size)) {
		warn("PCI: ECAM or 32-bit window outside the device mappings: PCI devices ignored");
		return;
	}
	pci_init(&host);
	for (unsigned i = 0; (pd = pci_device(i)) && nr_disks < MAX_DISKS; i++) {
		if (pd->vendor != 0x1af4 || pd->header != 0 ||
		    (pd->device >= 0x1040 ? pd->device - 0x1040u : pd->subsystem) != VIRTIO_ID_BLOCK)
			continue;
		d = &disks[nr_disks];
		*d = (struct disk){ .transport = VIRTIO_PCI, .pci_depth = pd->depth,
				    .pci_vendor = pd->vendor, .pci_device = pd->device };
		__builtin_memcpy(d->pci_path, pd->path, sizeof(d->pci_path));
		path_name(d);
		b = new_dev(d);
		if (!b)
			continue;
		if (virtio_pci_open(&b->vdev, pd, &why)) {
			warn("disk %s: skipped: %s", d->name, why);
			free(b);
		} else
			add(d, b);
	}
}

static void probe_mmio(const struct platform *p)
{
	struct virtio_dev probe;
	struct virtio_blk *b;
	struct disk *d;
	const char *why;
	int st;

	for (unsigned i = 0; i < p->nr_virtio_mmio && nr_disks < MAX_DISKS; i++) {
		const struct region r = p->virtio_mmio[i];

		if (r.size < 0x200 || !device_mapped(r.base, 0x200))
			continue;
		d = &disks[nr_disks];
		*d = (struct disk){ .transport = VIRTIO_MMIO, .mmio_base = r.base };
		snprintf(d->name, sizeof(d->name), "virtio-mmio@%#llx", (unsigned long long)r.base);
		st = virtio_mmio_open(&probe, r.base, &why);
		if (st > 0 || probe.type != VIRTIO_ID_BLOCK)
			continue;       /* an empty slot, or not a disk */
		if (st < 0) {
			warn("disk %s: skipped: %s", d->name, why);
			continue;
		}
		b = new_dev(d);
		if (!b)
			continue;
		b->vdev = probe;
		add(d, b);
	}
}

unsigned disks_init(const struct platform *p)
{
	probe_pci(p);
	probe_mmio(p);
	return nr_disks;
}

unsigned disk_count(void)
{
	return nr_disks;
}

struct disk *disk_get(unsigned i)
{
	return i < nr_disks ? &disks[i] : NULL;
}

void disks_quiesce(void)
{
	for (unsigned i = 0; i < nr_disks; i++)
		virtio_reset(&disks[i].dev->vdev);
	pci_quiesce();
}
