/* libFuzzer target for drivers/pci_host.c. The input becomes a host bridge node built
 * with libfdt (random bytes would almost never pass fdt_check_full): cell counts,
 * an ECAM size, bus-range and ranges of any length and content. Whatever it accepts must
 * be usable: a 32-bit window, buses within bus-range and within what the ECAM holds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include "pci.h"

static char tree[65536];

static int build(const uint8_t *d, size_t size, uint64_t *ecam_size)
{
	fdt32_t ac, sc, rac;
	size_t split;

	if (size < 12)
		return -1;
	ac = cpu_to_fdt32(d[0] % 5);
	sc = cpu_to_fdt32(d[1] % 4);
	rac = cpu_to_fdt32(d[2] % 4);
	memcpy(ecam_size, d + 3, 8);
	split = 12 + (d[11] % 3 ? 8 : d[11] % 16);     /* usually a well-sized bus-range */
	if (split > size)
		split = size;
	if (fdt_create(tree, sizeof(tree)) || fdt_finish_reservemap(tree) ||
	    fdt_begin_node(tree, "") || fdt_property(tree, "#address-cells", &rac, 4) ||
	    fdt_begin_node(tree, "pcie") ||
	    fdt_property_string(tree, "compatible", "pci-host-ecam-generic") ||
	    (d[0] & 0x80 ? 0 : fdt_property(tree, "#address-cells", &ac, 4)) ||
	    (d[1] & 0x80 ? 0 : fdt_property(tree, "#size-cells", &sc, 4)) ||
	    fdt_property(tree, "bus-range", d + 12, split - 12) ||
	    fdt_property(tree, "ranges", d + split, size - split) ||
	    fdt_end_node(tree) || fdt_end_node(tree) || fdt_finish(tree))
		return -1;
	return fdt_check_full(tree, sizeof(tree)) ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pci_host h;
	const char *why = NULL;
	uint64_t ecam_size;
	int node;

	if (size > 60000 || build(data, size, &ecam_size))
		return 0;
	node = fdt_node_offset_by_compatible(tree, -1, "pci-host-ecam-generic");
	if (node < 0)
		abort();
	if (pci_host_parse(tree, node, 0x3f000000, ecam_size, &h, &why)) {
		if (!why || !strlen(why))
			abort();
		return 0;
	}
	if (!h.mem32.size || h.bus_start > h.bus_end || h.bus_end > 255 ||
	    h.bus_end - h.bus_start >= ecam_size >> 20 ||
	    h.mem32.cpu + h.mem32.size < h.mem32.cpu || h.mem32.pci + h.mem32.size < h.mem32.pci)
		abort();
	return 0;
}
