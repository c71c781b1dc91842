/* The generic ECAM host bridge node (Devicetree "pci-host-ecam-generic", bindings in the
 * PCI Bus Binding to Open Firmware): bus-range and the ranges that give the I/O, 32-bit
 * and 64-bit memory windows. Pure: a host test reads QEMU's own trees with it. */
#include <libfdt.h>
#include "log.h"
#include "pci.h"

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

static uint64_t cells(const fdt32_t *c, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 32 | fdt32_ld(c++);
	return v;
}

static int ncells(const void *fdt, int node, const char *name, int dflt)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, node, name, &len);

	return !v ? dflt : len == 4 ? (int)fdt32_ld(v) : -1;
}

/* phys.hi of a PCI address: bits 24-25 say the space (1 I/O, 2 32-bit, 3 64-bit memory). */
static struct pci_window *window_for(struct pci_host *h, uint32_t phys_hi)
{
	switch (phys_hi >> 24 & 3) {
	case 1: return &h->io;
	case 2: return &h->mem32;
	case 3: return &h->mem64;
	}
	return NULL;
}

static int parse_ranges(const void *fdt, int node, struct pci_host *h, const char **why)
{
	int pac = ncells(fdt, 0, "#address-cells", 2), sc = ncells(fdt, node, "#size-cells", 1);
	int len, entry, i;
	const fdt32_t *r = fdt_getprop(fdt, node, "ranges", &len);
	struct pci_window *w, nw;

	if (ncells(fdt, node, "#address-cells", 3) != 3 || pac < 1 || pac > 2 || sc < 1 || sc > 2)
		return fail(why, "PCI host: unsupported #address-cells or #size-cells");
	entry = (3 + pac + sc) * 4;
	if (!r || len <= 0 || len % entry)
		return fail(why, "PCI host: no ranges, or not whole entries");
	for (i = 0; i < len / entry; i++, r += entry / 4) {
		nw.pci = cells(r + 1, 2);
		nw.cpu = cells(r + 3, pac);
		nw.size = cells(r + 3 + pac, sc);
		w = window_for(h, fdt32_ld(r));
		if (!w || !nw.size || nw.cpu + nw.size < nw.cpu || nw.pci + nw.size < nw.pci)
			continue;       /* config space entries, empty or wrapping windows */
		if (!w->size || nw.size > w->size)
			*w = nw;        /* several of a kind: the largest */
	}
	if (!h->mem32.size)
		return fail(why, "PCI host: no 32-bit memory window in ranges");
	return 0;
}

int pci_host_parse(const void *fdt, int node, uint64_t ecam, uint64_t ecam_size,
		   struct pci_host *h, const char **why)
{
	int len;
	const fdt32_t *br = fdt_getprop(fdt, node, "bus-range", &len);
	uint64_t buses = ecam_size >> 20;       /* 1 MiB of config space per bus */

	*h = (struct pci_host){ .ecam = ecam, .ecam_size = ecam_size, .bus_end = 255 };
	if (br && len == 8) {
		h->bus_start = fdt32_ld(br);
		h->bus_end = fdt32_ld(br + 1);
	}
	if (h->bus_start > 255 || h->bus_end > 255 || h->bus_start > h->bus_end)
		return fail(why, "PCI host: bad bus-range");
	if (!buses)
		return fail(why, "PCI host: ECAM smaller than one bus");
	if (h->bus_end - h->bus_start >= buses)
		h->bus_end = h->bus_start + buses - 1;
	return parse_ranges(fdt, node, h, why);
}
