/* PCI enumeration over ECAM: one depth-first walk that numbers the buses behind
 * PCI-to-PCI bridges (pcie-root-port), sizes and assigns memory BARs from the 32-bit
 * window and opens each bridge's memory window around what lies behind it.
 *
 * Every BAR, 64-bit ones included, goes in the 32-bit window: the identity map covers it
 * as device memory already (0x0800_0000-0x4000_0000), while QEMU's 64-bit window (at
 * 512 GiB) lies beyond our 39-bit VA. Linux reassigns all of it anyway. I/O BARs are
 * left alone and I/O decoding stays off: nothing we drive needs them. Config space is
 * read with single ldr/str of the field's width (mmio.h), as KVM can emulate only those. */
#include "log.h"
#include "mmio.h"
#include "pci.h"

#define PCI_HEADER_TYPE      0x0e
#define PCI_BAR0             0x10
#define PCI_PRIMARY_BUS      0x18
#define PCI_SUBORDINATE_BUS  0x1a
#define PCI_IO_BASE          0x1c
#define PCI_MEMORY_BASE      0x20
#define PCI_PREF_MEMORY_BASE 0x24
#define PCI_PREF_BASE_UPPER  0x28
#define PCI_PREF_LIMIT_UPPER 0x2c
#define PCI_IO_BASE_UPPER    0x30
#define BAR_IO               0x1
#define BAR_MEM_64           0x4
#define BRIDGE_ALIGN         (1u << 20)    /* memory windows have 1 MiB granularity */

static struct pci_host host;
static struct pci_dev devs[PCI_MAX_DEVS];
static unsigned nr_devs, next_bus;
static uint64_t mem_next, mem_end;        /* free PCI addresses in host.mem32 */

uint8_t pci_read8(const struct pci_dev *d, unsigned off) { return readb(d->cfg + off); }
uint16_t pci_read16(const struct pci_dev *d, unsigned off) { return readw(d->cfg + off); }
uint32_t pci_read32(const struct pci_dev *d, unsigned off) { return readl(d->cfg + off); }
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v) { writew(d->cfg + off, v); }
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v) { writel(d->cfg + off, v); }

static uint64_t cfg_addr(unsigned bus, unsigned dev, unsigned fn)
{
	return host.ecam + ((uint64_t)(bus - host.bus_start) << 20 | dev << 15 | fn << 12);
}

/* Place a BAR of size bytes (a power of two), aligned to its size, in the 32-bit window:
 * its PCI address, 0 when full. */
static __attribute__((noinline)) uint64_t bar_place(struct pci_dev *d, unsigned i,
						    uint64_t size)
{
	uint64_t at = (mem_next + size - 1) & ~(size - 1);

	if (!size || (size & (size - 1)) || at < mem_next || at + size < at || at + size > mem_end)
		return 0;
	mem_next = at + size;
	d->bar[i] = host.mem32.cpu + (at - host.mem32.pci);
	d->bar_size[i] = size;
	return at;
}

/* Size BAR i the usual way (all ones, read back, restore) and place it. Returns the
 * number of BAR registers it used: 2 for a 64-bit BAR. Decoding is off meanwhile. */
static unsigned bar_assign(struct pci_dev *d, unsigned i, unsigned nr)
{
	unsigned off = PCI_BAR0 + 4 * i;
	uint32_t lo, hi = 0;
	uint64_t size, pci;
	bool is64;

	pci_write32(d, off, ~0u);
	lo = pci_read32(d, off);
	if (lo & BAR_IO)
		return 1;
	is64 = (lo & 6) == BAR_MEM_64 && i + 1 < nr;
	if (is64) {
		pci_write32(d, off + 4, ~0u);
		hi = pci_read32(d, off + 4);
	}
	size = ~((uint64_t)hi << 32 | (lo & ~0xfu)) + 1;
	if (!is64)
		size &= 0xffffffffu;
	if (!(lo & ~0xfu) && !hi)
		return is64 ? 2 : 1;    /* not implemented */
	pci = bar_place(d, i, size);
	if (!pci)
		warn("PCI %02x:%02x.%x: no room for BAR%u (%#llx bytes)", d->bus, d->dev, d->fn,
		     i, (unsigned long long)size);
	pci_write32(d, off, (uint32_t)pci);
	if (is64)
		pci_write32(d, off + 4, (uint32_t)(pci >> 32));
	return is64 ? 2 : 1;
}

static void scan_bus(unsigned bus, int parent);

/* Close the I/O and prefetchable windows, number the bus behind, place what lies there,
 * then open the memory window around it. */
static void bridge_setup(struct pci_dev *b, int self)
{
	uint32_t buses = pci_read32(b, PCI_PRIMARY_BUS) & 0xff000000u;
	unsigned secondary = next_bus + 1;
	uint64_t start, end;

	pci_write16(b, PCI_IO_BASE, 0x00f0);            /* base above limit: closed */
	pci_write32(b, PCI_IO_BASE_UPPER, 0);
	pci_write32(b, PCI_PREF_MEMORY_BASE, 0x0000fff0);
	pci_write32(b, PCI_PREF_BASE_UPPER, 0);
	pci_write32(b, PCI_PREF_LIMIT_UPPER, 0);
	pci_write32(b, PCI_MEMORY_BASE, 0x0000fff0);
	if (secondary > host.bus_end || b->depth >= PCI_MAX_DEPTH) {
		warn("PCI %02x:%02x.%x: bridge left unconfigured (no bus numbers or too deep)",
		     b->bus, b->dev, b->fn);
		return;
	}
	next_bus = secondary;
	pci_write32(b, PCI_PRIMARY_BUS, buses | 0xff << 16 | secondary << 8 | b->bus);
	mem_next = (mem_next + BRIDGE_ALIGN - 1) & ~(uint64_t)(BRIDGE_ALIGN - 1);
	start = mem_next;
	scan_bus(secondary, self);
	mem_next = (mem_next + BRIDGE_ALIGN - 1) & ~(uint64_t)(BRIDGE_ALIGN - 1);
	end = mem_next;
	pci_write32(b, PCI_PRIMARY_BUS, buses | next_bus << 16 | secondary << 8 | b->bus);
	if (end > start && end <= mem_end)
		pci_write32(b, PCI_MEMORY_BASE, (uint32_t)(start >> 16 & 0xfff0) |
			    (uint32_t)((end - 1) >> 16 & 0xfff0) << 16);
}

/* The next entry of devs, named and placed in the tree. Kept out of line, as is
 * bar_place: the functions that touch config space then hold no paired or writeback
 * load/store, which tests/test_mmio_access.py checks (KVM cannot emulate those on MMIO). */
static __attribute__((noinline)) struct pci_dev *dev_new(unsigned bus, unsigned dev,
							 unsigned fn, int parent, uint32_t id)
{
	struct pci_dev *d = &devs[nr_devs];
	const struct pci_dev *up = parent >= 0 ? &devs[parent] : NULL;

	*d = (struct pci_dev){ .cfg = cfg_addr(bus, dev, fn), .bus = bus, .dev = dev,
			       .fn = fn, .vendor = id, .device = id >> 16, .parent = parent };
	if (up) {
		d->depth = up->depth;
		__builtin_memcpy(d->path, up->path, sizeof(d->path));
	}
	d->path[d->depth].dev = dev;
	d->path[d->depth++].fn = fn;
	return d;
}

static void probe_fn(unsigned bus, unsigned dev, unsigned fn, int parent, uint32_t id)
{
	struct pci_dev *d = dev_new(bus, dev, fn, parent, id);
	unsigned i, nr;

	d->header = pci_read8(d, PCI_HEADER_TYPE) & 0x7f;
	d->class = pci_read32(d, 0x08) >> 8;
	d->revision = pci_read8(d, 0x08);
	pci_write16(d, PCI_COMMAND, 0);
	nr = d->header == 0 ? 6 : d->header == 1 ? 2 : 0;
	if (d->header == 0)
		d->subsystem = pci_read16(d, 0x2e);
	nr_devs++;
	for (i = 0; i < nr; )
		i += bar_assign(d, i, nr);
	if (d->header == 1)
		bridge_setup(d, nr_devs - 1);
	debug("PCI %02x:%02x.%x: %04x:%04x class %06x", bus, dev, fn, d->vendor, d->device,
	      d->class);
}

static void scan_bus(unsigned bus, int parent)
{
	unsigned dev, fn;
	uint32_t id;

	for (dev = 0; dev < 32; dev++) {
		for (fn = 0; fn < 8; fn++) {
			id = readl(cfg_addr(bus, dev, fn));
			if ((id & 0xffff) == 0xffff) {
				if (fn == 0)
					break;
				continue;
			}
			if (nr_devs == PCI_MAX_DEVS) {
				warn("PCI: more than %u functions: the rest are ignored", PCI_MAX_DEVS);
				return;
			}
			probe_fn(bus, dev, fn, parent, id);
			if (fn == 0 && !(readb(cfg_addr(bus, dev, 0) + PCI_HEADER_TYPE) & 0x80))
				break;
		}
	}
}

unsigned pci_init(const struct pci_host *h)
{
	host = *h;
	nr_devs = 0;
	next_bus = h->bus_start;
	mem_next = h->mem32.pci;
	mem_end = h->mem32.pci + h->mem32.size;
	scan_bus(h->bus_start, -1);
	return nr_devs;
}

struct pci_dev *pci_device(unsigned i)
{
	return i < nr_devs ? &devs[i] : NULL;
}

unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned start)
{
	unsigned off, n;

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	off = start ? pci_read8(d, start + 1) : pci_read8(d, PCI_CAPABILITY_LIST);
	/* 48 capabilities fill the 192 bytes after the header: a longer list loops. */
	for (n = 0; n < 48 && (off &= 0xfc) >= 0x40; n++, off = pci_read8(d, off + 1))
		if (pci_read8(d, off) == id)
			return off;
	return 0;
}

static void command(struct pci_dev *d, bool on)
{
	uint16_t bits = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, cmd = pci_read16(d, PCI_COMMAND);

	pci_write16(d, PCI_COMMAND, on ? cmd | bits : cmd & ~bits);
	d->enabled = on;
}

void pci_enable(struct pci_dev *d)
{
	for (;;) {
		command(d, true);
		if (d->parent < 0)
			return;
		d = &devs[d->parent];
	}
}

void pci_quiesce(void)
{
	for (unsigned i = nr_devs; i-- > 0; )
		if (devs[i].enabled)
			command(&devs[i], false);
}
