/* Platform discovery from QEMU virt's flattened device tree (the DTB QEMU places at the
 * base of DRAM): RAM, reservations, the devices we drive, PSCI and /chosen.
 *
 * The DTB is untrusted input. Its header and whole structure block are validated once
 * (fdt_check_header, fdt_check_full) before anything is looked up, and every property's
 * length is checked before its value is read. Devices are found by "compatible", never
 * by address: QEMU moves them between versions and machine options.
 *
 * Names follow the Devicetree Specification (v0.4): reg, #address-cells, ranges, status,
 * device_type, /chosen, /aliases, /reserved-memory, /memreserve/. */
#include <libfdt.h>
#include "layout.h"
#include "log.h"
#include "platform.h"
#include "util.h"
#include "why.h"

#define STR_(x) #x
#define STR(x)  STR_(x)

/* How a bus lays out its children's reg: 1 or 2 cells each, enough for 64-bit
 * addresses. Wider buses (PCI's 3-cell addresses) are not ours to read. */
struct bus {
	int address_cells, size_cells;
};

/* A reg property: entries of (address, size) in the parent bus's layout. */
struct reg {
	const fdt32_t *cell;
	struct bus bus;
};

/* A sorted list of regions being filled (p->ram or p->reserved), with what to say when
 * it overflows. */
struct regions {
	struct region *list;
	unsigned *nr, max;
	const char *too_many;
};

/* ---- error messages ---- */

/* "device tree: <prefix><node name><what>", e.g. "/memory@40000000: ...". */
static int node_fail(const char **why, const void *fdt, const char *prefix, int node,
		     const char *what)
{
	const char *name = fdt_get_name(fdt, node, NULL);

	return fail(why, "device tree: %s%s%s", prefix, name ? name : "?", what);
}

static int fdt_fail(const char **why, const char *what, int err)
{
	return fail(why, "device tree: %s (%s)", what, fdt_strerror(err));
}

/* ---- properties ---- */

/* The value of a string property, or NULL unless it is NUL-terminated within its
 * length: a string that runs off the end of its property is not a string. */
static const char *prop_string(const void *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	return s && len > 0 && strnlen(s, len) < (size_t)len ? s : NULL;
}

static bool prop_is(const void *fdt, int node, const char *name, const char *value)
{
	const char *s = prop_string(fdt, node, name);

	return s && !strcmp(s, value);
}

static bool prop_u32(const void *fdt, int node, const char *name, uint32_t *val)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, node, name, &len);

	if (!v || len != sizeof(*v))
		return false;
	*val = fdt32_ld(v);
	return true;
}

/* A node is in use unless its status says otherwise ("ok" is the pre-spec spelling).
 * QEMU's secure=on marks secure-only UARTs and RAM "disabled" for us. */
static bool available(const void *fdt, int node)
{
	const char *status;

	if (!fdt_getprop(fdt, node, "status", NULL))
		return true;
	status = prop_string(fdt, node, "status");
	return status && (!strcmp(status, "okay") || !strcmp(status, "ok"));
}

/* ---- reg ---- */

/* Read here rather than with fdt_address_cells(): that one's object file would link in
 * the read-write half of libfdt. Absent properties take the spec's defaults, 2 and 1. */
static bool bus_get(const void *fdt, int node, struct bus *bus)
{
	uint32_t ac = 2, sc = 1;

	if ((fdt_getprop(fdt, node, "#address-cells", NULL) && !prop_u32(fdt, node, "#address-cells", &ac)) ||
	    (fdt_getprop(fdt, node, "#size-cells", NULL) && !prop_u32(fdt, node, "#size-cells", &sc)))
		return false;
	bus->address_cells = ac;
	bus->size_cells = sc;
	return ac >= 1 && ac <= 2 && sc >= 1 && sc <= 2;
}

static uint64_t read_cells(const fdt32_t *cell, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 32 | fdt32_ld(cell++);
	return v;
}

/* Number of entries in node's reg (0 when absent), or -1 when its length is not a whole
 * number of entries. */
static int reg_open(const void *fdt, int node, const struct bus *bus, struct reg *reg)
{
	int len, entry = (bus->address_cells + bus->size_cells) * (int)sizeof(fdt32_t);

	reg->bus = *bus;
	reg->cell = fdt_getprop(fdt, node, "reg", &len);
	if (!reg->cell)
		return 0;
	return len % entry ? -1 : len / entry;
}

/* Entry i as a region. False when base + size does not fit in 64 bits: whoever uses the
 * region computes its end. */
static bool reg_entry(const struct reg *reg, int i, struct region *r)
{
	const fdt32_t *cell = reg->cell + i * (reg->bus.address_cells + reg->bus.size_cells);

	r->base = read_cells(cell, reg->bus.address_cells);
	r->size = read_cells(cell + reg->bus.address_cells, reg->bus.size_cells);
	r->node = 0;
	return r->base + r->size >= r->base;
}

/* ---- one walk for every lookup ---- */

/* Each libfdt search (by path, by compatible, fdt_node_depth) walks the tree from its
 * start: a dozen of them took 2.6 ms of guest time, half of the firmware's. So one walk
 * notes every node dt_parse looks for, in tree order, and where it sits. */
enum { PL011, PL031, FW_CFG, PCIE, CFI_FLASH, PSCI_1_0, PSCI_0_2, PSCI_0_1, POWEROFF, PL061,
       VIRTIO_MMIO, NR_WANTED };
static const char *const wanted[NR_WANTED] = {
	[PL011] = "arm,pl011", [PL031] = "arm,pl031", [FW_CFG] = "qemu,fw-cfg-mmio",
	[PCIE] = "pci-host-ecam-generic", [CFI_FLASH] = "cfi-flash",
	[PSCI_1_0] = "arm,psci-1.0", [PSCI_0_2] = "arm,psci-0.2", [PSCI_0_1] = "arm,psci",
	[POWEROFF] = "gpio-poweroff", [PL061] = "arm,pl061", [VIRTIO_MMIO] = "virtio,mmio",
};

/* A node compatible with at least one of them. */
struct candidate {
	int node;
	int parent;
	struct bus bus;         /* the parent's #address-cells and #size-cells */
	bool bus_ok;            /* ... and they are ones we read */
	bool direct;            /* every bus between it and the root maps 1:1 */
	uint16_t compat;        /* bit i: compatible with wanted[i] */
};

#define MAX_CANDIDATES 48       /* virt has about 40, 32 of them virtio-mmio slots */
#define MAX_DEPTH      16       /* virt's deepest node is at depth 3; deeper ones are not looked at */

struct lookup {
	int chosen, aliases, cpus, reserved;    /* the root's children of these names, or -1 */
	unsigned n;
	struct candidate c[MAX_CANDIDATES];
};

/* As fdt_path_offset matches a path component: the whole name, or a name without its
 * unit address. */
static bool named(const char *name, int len, const char *want)
{
	size_t n = strlen(want);

	return (size_t)len >= n && !memcmp(name, want, n) && ((size_t)len == n || name[n] == '@');
}

/* Which wanted[] the node's compatible list holds (as fdt_node_check_compatible reads
 * it: a last string without its NUL is no string). */
static unsigned compat_bits(const void *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "compatible", &len);
	unsigned bits = 0;

	while (s && len > 0) {
		size_t n = strnlen(s, len);

		if (n == (size_t)len)
			break;
		for (unsigned i = 0; i < NR_WANTED; i++)
			if (!strcmp(s, wanted[i]))
				bits |= 1u << i;
		s += n + 1;
		len -= n + 1;
	}
	return bits;
}

static void look_up(const void *fdt, struct lookup *l)
{
	int path[MAX_DEPTH] = { 0 }, depth = 0, node, len, bus_of = -1;
	bool direct[MAX_DEPTH] = { true, true }, bus_ok = false; /* direct: of the node at that depth */
	struct bus bus = { 0, 0 };                      /* of node bus_of */
	int *const named_nodes[] = { &l->chosen, &l->aliases, &l->cpus, &l->reserved };
	static const char *const names[] = { "chosen", "aliases", "cpus", "reserved-memory" };
	const char *name;
	unsigned bits;

	*l = (struct lookup){ -1, -1, -1, -1, 0, { { 0 } } };
	for (node = fdt_next_node(fdt, 0, &depth); node >= 0 && depth > 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		if (depth >= MAX_DEPTH)
			continue;
		path[depth] = node;
		if (depth > 1)
			direct[depth] = direct[depth - 1] &&
					fdt_getprop(fdt, path[depth - 1], "ranges", &len) && !len;
		name = depth == 1 ? fdt_get_name(fdt, node, &len) : NULL;
		for (unsigned i = 0; name && i < ARRAY_SIZE(names); i++)
			if (*named_nodes[i] < 0 && named(name, len, names[i]))
				*named_nodes[i] = node;
		bits = compat_bits(fdt, node);
		if (!bits || l->n == MAX_CANDIDATES)
			continue;
		if (bus_of != path[depth - 1]) {        /* siblings share it: read it once */
			bus_of = path[depth - 1];
			bus_ok = bus_get(fdt, bus_of, &bus);
		}
		l->c[l->n++] = (struct candidate){ node, bus_of, bus, bus_ok, direct[depth], bits };
	}
}

/* The next candidate after c (NULL: the first) compatible with wanted[w] and, when
 * asked, available. */
static const struct candidate *next_of(const void *fdt, const struct lookup *l,
				       const struct candidate *c, unsigned w, bool avail)
{
	for (c = c ? c + 1 : l->c; c < l->c + l->n; c++)
		if (c->compat & 1u << w && (!avail || available(fdt, c->node)))
			return c;
	return NULL;
}

#define for_each_available(c, fdt, l, w) \
	for (c = next_of(fdt, l, NULL, w, true); c; c = next_of(fdt, l, c, w, true))

/* The candidate at node compatible with wanted[w], or NULL. */
static const struct candidate *candidate_at(const struct lookup *l, int node, unsigned w)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->c[i].node == node)
			return l->c[i].compat & 1u << w ? &l->c[i] : NULL;
	return NULL;
}

/* Entry index of a device's reg, if it is a CPU physical address; otherwise why not.
 * That holds when every bus between the device and the root maps 1:1 (an empty
 * "ranges"). QEMU's virt puts the devices we drive at the root, so translation through
 * a non-empty "ranges" is not implemented: such a device is not found rather than found
 * at a wrong address. */
static const char *device_reg_why(const void *fdt, const struct candidate *c, int index,
				  struct region *r)
{
	struct reg reg;
	int n;

	if (!c->direct)
		return "is behind a bus that translates addresses";
	if (!c->bus_ok)
		return "is on a bus with unsupported #address-cells or #size-cells";
	n = reg_open(fdt, c->node, &c->bus, &reg);
	if (n < 0)
		return "has a reg that is not a whole number of (address, size) entries";
	if (n <= index)
		return n ? "has too few reg entries" : "has no reg";
	if (!reg_entry(&reg, index, r))
		return "has a reg that ends beyond 2^64";
	return NULL;
}

static bool device_reg(const void *fdt, const struct candidate *c, struct region *r)
{
	return !device_reg_why(fdt, c, 0, r);
}

/* ---- region lists ---- */

/* Insert keeping the list sorted by base: lists are short, this is the whole sort. */
static int region_add(struct regions *rl, const struct region *r, const char **why)
{
	unsigned i;

	if (*rl->nr == rl->max)
		return fail(why, "%s", rl->too_many);
	for (i = (*rl->nr)++; i > 0 && rl->list[i - 1].base > r->base; i--)
		rl->list[i] = rl->list[i - 1];
	rl->list[i] = *r;
	return 0;
}

/* Add node's non-empty reg entries. Every defect is an error: a region dropped here is
 * RAM never used or, worse, a reservation the OS overwrites. */
static int regions_add_reg(const void *fdt, int node, const struct bus *bus, int numa,
			   const char *prefix, struct regions *rl, const char **why)
{
	struct reg reg;
	struct region r;
	int i, err, n = reg_open(fdt, node, bus, &reg);

	if (n < 0)
		return node_fail(why, fdt, prefix, node,
			": reg is not a whole number of (address, size) entries");
	for (i = 0; i < n; i++) {
		if (!reg_entry(&reg, i, &r))
			return node_fail(why, fdt, prefix, node,
				": reg entry ends beyond 2^64");
		if (!r.size)
			continue;
		r.node = numa;
		r.name = fdt_get_name(fdt, node, NULL);
		err = region_add(rl, &r, why);
		if (err)
			return err;
	}
	return 0;
}

/* ---- RAM and reservations ---- */

static int numa_node_id(const void *fdt, int node)
{
	uint32_t id;

	return prop_u32(fdt, node, "numa-node-id", &id) && id <= INT32_MAX ? (int)id : 0;
}

/* Every available child of the root with device_type "memory", read with the root's
 * cells, as Linux reads them. */
static int parse_memory(const void *fdt, struct platform *p, const char **why)
{
	struct regions rl = { p->ram, &p->nr_ram, PLAT_MAX_RAM,
			      "device tree: more than " STR(PLAT_MAX_RAM) " /memory regions "
			      "(PLAT_MAX_RAM)" };
	struct bus bus;
	unsigned i;
	int node, err;

	if (!bus_get(fdt, 0, &bus))
		return fail(why, "device tree: unsupported #address-cells or #size-cells "
				 "at / (1 or 2 expected)");
	fdt_for_each_subnode(node, fdt, 0) {
		if (!prop_is(fdt, node, "device_type", "memory") || !available(fdt, node))
			continue;
		err = regions_add_reg(fdt, node, &bus, numa_node_id(fdt, node), "/", &rl, why);
		if (err)
			return err;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return fdt_fail(why, "bad structure", node);
	if (!p->nr_ram)
		return fail(why, "device tree: no /memory");
	/* Sorted, and no end wraps: overlap is a start before the previous end. */
	for (i = 1; i < p->nr_ram; i++)
		if (p->ram[i].base - p->ram[i - 1].base < p->ram[i - 1].size)
			return fail(why, "device tree: /memory regions overlap");
	return 0;
}

/* Children of /reserved-memory with a reg, in its own layout (children with only a
 * "size" are pools for the OS to place, not reservations yet), and /memreserve/. */
static int parse_reserved(const void *fdt, int parent, struct platform *p, const char **why)
{
	struct regions rl = { p->reserved, &p->nr_reserved, PLAT_MAX_RESERVED,
			      "device tree: more than " STR(PLAT_MAX_RESERVED) " reserved "
			      "regions (PLAT_MAX_RESERVED)" };
	int node, i, n, err;
	struct region r = { 0 };
	struct bus bus;

	if (parent >= 0) {
		if (!bus_get(fdt, parent, &bus))
			return fail(why, "device tree: unsupported #address-cells or "
					 "#size-cells at /reserved-memory (1 or 2 expected)");
		fdt_for_each_subnode(node, fdt, parent) {
			if (!available(fdt, node))
				continue;
			err = regions_add_reg(fdt, node, &bus, 0, "/reserved-memory/", &rl, why);
			if (err)
				return err;
		}
		if (node != -FDT_ERR_NOTFOUND)
			return fdt_fail(why, "bad structure", node);
	}
	/* libfdt ends the list at the first zero-sized entry, as the spec does. */
	n = fdt_num_mem_rsv(fdt);
	for (i = 0; i < n; i++) {
		if (fdt_get_mem_rsv(fdt, i, &r.base, &r.size) < 0 || r.base + r.size < r.base)
			return fail(why, "device tree: bad /memreserve/ entry");
		err = region_add(&rl, &r, why);
		if (err)
			return err;
	}
	return 0;
}

/* ---- devices ---- */

/* The first reg entry of the first usable device compatible with wanted[w]. */
static bool find_device(const void *fdt, const struct lookup *l, unsigned w, struct region *r)
{
	const struct candidate *c;

	for_each_available(c, fdt, l, w)
		if (device_reg(fdt, c, r))
			return true;
	return false;
}

/* virt's cfi-flash node has two banks: ours (the code) first, the variables' second.
 * Taken only where it cannot be our code or RAM: between bank 0 and DRAM. */
static void find_flash_bank1(const void *fdt, const struct lookup *l, struct platform *p)
{
	const struct candidate *c = next_of(fdt, l, NULL, CFI_FLASH, true);
	struct region r;

	if (c && !device_reg_why(fdt, c, 1, &r) &&
	    r.base >= FLASH_BASE + FLASH_SIZE && !(r.base & 0xfff) && r.size >= 0x80000 &&
	    r.size <= DRAM_BASE - r.base) {
		p->flash1 = r.base;
		p->flash1_size = r.size;
	}
}

/* The node /chosen/stdout-path names: a path or an alias, then optional ":options". */
static int stdout_node(const void *fdt, const struct lookup *l)
{
	int len, vlen;
	const char *path, *colon;

	if (l->chosen < 0)
		return l->chosen;
	path = prop_string(fdt, l->chosen, "stdout-path");
	if (!path)
		return -FDT_ERR_NOTFOUND;
	colon = strchr(path, ':');
	len = colon ? colon - path : (int)strlen(path);
	if (path[0] != '/') {
		/* Resolved here, not by fdt_path_offset: libfdt recurses on an alias whose
		 * value is not a path. An alias's value is a full path without options. */
		if (l->aliases < 0)
			return -FDT_ERR_NOTFOUND;
		path = fdt_getprop_namelen(fdt, l->aliases, path, len, &vlen);
		if (!path || vlen < 2 || path[0] != '/' || strnlen(path, vlen) != (size_t)vlen - 1)
			return -FDT_ERR_BADPATH;
		len = vlen - 1;
	}
	return fdt_path_offset_namelen(fdt, path, len);
}

/* A PL011's 4 KiB register frame must lie in virt's device window, the only device
 * memory we map: anywhere else a write faults, or lands in RAM or flash, and the
 * console (the one place a fatal message can go) stays silent. */
static const char *console_why(const void *fdt, const struct candidate *c, struct region *r)
{
	const char *why = device_reg_why(fdt, c, 0, r);

	if (why)
		return why;
	if (r->base < DEVICE_BASE || r->base > DEVICE_BASE + DEVICE_SIZE - 0x1000)
		return "has an address outside the device window";
	if (r->base & 0xfff)
		return "has an address that is not 4 KiB aligned";
	return NULL;
}

/* The PL011 /chosen/stdout-path names, else the first usable one. When there is none,
 * p->uart_why says what was wrong with the candidate, for the caller's fallback. */
static void find_console(const void *fdt, const struct lookup *l, struct platform *p)
{
	const struct candidate *c = candidate_at(l, stdout_node(fdt, l), PL011);
	const char *why = NULL;
	struct region r;
	char path[64];
	int blame = -1;

	if (c && available(fdt, c->node)) {
		why = console_why(fdt, c, &r);
		if (!why) {
			p->uart = r.base;
			return;
		}
		blame = c->node;
	}
	for_each_available(c, fdt, l, PL011) {
		const char *w = console_why(fdt, c, &r);

		if (!w) {
			p->uart = r.base;
			return;
		}
		if (blame < 0) {
			blame = c->node;
			why = w;
		}
	}
	static char uart_why[128];     /* a warning: it outlives later error messages */

	if (blame < 0)
		p->uart_why = "device tree: no usable arm,pl011 node for the console";
	else if (fdt_get_path(fdt, blame, path, sizeof(path)))
		snprintf(uart_why, sizeof(uart_why), "device tree: console node %s", why);
	else
		snprintf(uart_why, sizeof(uart_why), "device tree: console %s %s", path, why);
	if (blame >= 0)
		p->uart_why = uart_why;
}

/* The conduit of the first PSCI node found, newest binding first. (A node that is only
 * "arm,psci" is PSCI 0.1, whose function IDs are the node's own: boot/psci.c uses the
 * standard 0.2 IDs, which QEMU always implements.) */
static enum psci_conduit find_psci(const void *fdt, const struct lookup *l)
{
	const struct candidate *c;

	for (unsigned w = PSCI_1_0; w <= PSCI_0_1; w++) {
		c = next_of(fdt, l, NULL, w, true);
		if (!c)
			continue;
		if (prop_is(fdt, c->node, "method", "hvc"))
			return PSCI_HVC;
		if (prop_is(fdt, c->node, "method", "smc"))
			return PSCI_SMC;
		return PSCI_NONE;
	}
	return PSCI_NONE;
}

/* A "gpio-poweroff" line on a PL061, used only when there is no PSCI: QEMU's secure=on
 * has one (on its secure GPIO controller, so its status says "disabled" to the normal
 * world) for firmware that runs without PSCI, as EFI-lite does when refusing EL3. */
static void find_poweroff(const void *fdt, const struct lookup *l, struct platform *p)
{
	const struct candidate *c = next_of(fdt, l, NULL, POWEROFF, false);
	const fdt32_t *gpios;
	struct region r;
	int len;

	if (!c)
		return;
	gpios = fdt_getprop(fdt, c->node, "gpios", &len);
	if (!gpios || len != 3 * (int)sizeof(*gpios) || fdt32_ld(gpios + 1) > 7)
		return;
	c = candidate_at(l, fdt_node_offset_by_phandle(fdt, fdt32_ld(gpios)), PL061);
	if (!c || !device_reg(fdt, c, &r))
		return;
	p->poweroff_gpio = r.base;
	p->poweroff_pin = fdt32_ld(gpios + 1);
	p->poweroff_active_low = fdt32_ld(gpios + 2) & 1;
}

/* Disabled CPUs count: for a cpu node, "disabled" means present but not yet started. */
static unsigned count_cpus(const void *fdt, int cpus)
{
	int node;
	unsigned n = 0;

	if (cpus < 0)
		return 0;
	fdt_for_each_subnode(node, fdt, cpus)
		if (prop_is(fdt, node, "device_type", "cpu"))
			n++;
	return n;
}

/* ---- /chosen ---- */

static void parse_chosen(const void *fdt, int chosen, struct platform *p)
{
	int len;
	const void *v;

	if (chosen < 0)
		return;
	v = fdt_getprop(fdt, chosen, "rng-seed", &len);
	if (v && len > 0) {
		p->rng_seed_len = (unsigned)len < sizeof(p->rng_seed) ? (unsigned)len
								       : sizeof(p->rng_seed);
		memcpy(p->rng_seed, v, p->rng_seed_len);
	}
	v = fdt_getprop(fdt, chosen, "kaslr-seed", &len);
	if (v && len == sizeof(fdt64_t))
		p->kaslr_seed = fdt64_ld(v);
	p->bootargs = prop_string(fdt, chosen, "bootargs");
}

/* ---- entry points ---- */

static int check_fdt(const void *fdt, const char **why)
{
	int err = fdt_check_header(fdt);

	if (err)
		return fdt_fail(why, "bad header", err);
	/* Versions before 17 lack the structure block's size, and libfdt 1.6.1's
	 * fdt_check_full dereferences NULL on some of them (found by tests/fuzz/fuzz_dt). */
	if (fdt_version(fdt) < 17)
		return fail(why, "device tree: header version below 17 (what dtc and QEMU write)");
	/* Only the DTB window is mapped: a larger tree would fault, not merely be wrong. */
	if (fdt_totalsize(fdt) > DTB_MAX)
		return fail(why, "device tree: totalsize larger than DTB_MAX (" STR(DTB_MAX) ")");
	/* One walk of the structure block makes every later lookup safe to trust. */
	err = fdt_check_full(fdt, fdt_totalsize(fdt));
	if (err)
		return fdt_fail(why, "bad structure", err);
	return 0;
}

int dt_parse(const void *fdt, struct platform *p, const char **why)
{
	const struct candidate *c;
	struct lookup l;
	struct region r;
	int err;

	memset(p, 0, sizeof(*p));
	*why = NULL;
	err = check_fdt(fdt, why);
	if (err)
		return err;
	p->fdt = fdt;
	p->fdt_size = fdt_totalsize(fdt);
	look_up(fdt, &l);
	err = parse_memory(fdt, p, why);
	if (!err)
		err = parse_reserved(fdt, l.reserved, p, why);
	if (err)
		return err;
	find_console(fdt, &l, p);
	if (find_device(fdt, &l, PL031, &r))
		p->rtc = r.base;
	if (find_device(fdt, &l, FW_CFG, &r)) {
		p->fwcfg = r.base;
		p->fwcfg_size = r.size;
	}
	/* Children of the root: drivers/pci_host.c reads the host's ranges as the CPU's
	 * addresses; virt puts its virtio-mmio slots there. */
	p->pcie_node = -FDT_ERR_NOTFOUND;
	for_each_available(c, fdt, &l, PCIE)
		if (c->parent == 0 && device_reg(fdt, c, &r)) {
			p->pcie_node = c->node;
			p->ecam = r.base;
			p->ecam_size = r.size;
			break;
		}
	for_each_available(c, fdt, &l, VIRTIO_MMIO)
		if (c->parent == 0 && p->nr_virtio_mmio < PLAT_MAX_VIRTIO_MMIO &&
		    device_reg(fdt, c, &r))
			p->virtio_mmio[p->nr_virtio_mmio++] = r;
	find_flash_bank1(fdt, &l, p);
	p->psci = find_psci(fdt, &l);
	find_poweroff(fdt, &l, p);
	p->nr_cpus = count_cpus(fdt, l.cpus);
	parse_chosen(fdt, l.chosen, p);
	return 0;
}

uint64_t plat_ram_total(const struct platform *p)
{
	uint64_t total = 0;
	unsigned i;

	for (i = 0; i < p->nr_ram; i++)
		total += p->ram[i].size;
	return total;
}
