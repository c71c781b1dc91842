/* Host tests for drivers/pci_host.c: QEMU's own trees (tests/dts/virt.dts with the high
 * ECAM, pci-highmem-off.dts) and broken nodes built here with libfdt. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include "pci.h"

static void *load(const char *name)
{
	char path[256];
	FILE *f;
	long n;
	void *buf;

	snprintf(path, sizeof(path), "build/host/dts/%s.dtb", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s: run from the repository root after make", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	return buf;
}

static int host_node(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "pci-host-ecam-generic");

	assert_true(node >= 0);
	return node;
}

static void window_is(const struct pci_window *w, uint64_t cpu, uint64_t pci, uint64_t size)
{
	assert_int_equal(w->cpu, cpu);
	assert_int_equal(w->pci, pci);
	assert_int_equal(w->size, size);
}

static void test_virt_high_ecam(void **state)
{
	void *fdt = load("virt");
	struct pci_host h;
	const char *why = NULL;

	assert_int_equal(pci_host_parse(fdt, host_node(fdt), 0x4010000000ULL, 0x10000000, &h,
					&why), 0);
	assert_int_equal(h.ecam, 0x4010000000ULL);
	assert_int_equal(h.bus_start, 0);
	assert_int_equal(h.bus_end, 255);
	window_is(&h.io, 0x3eff0000, 0, 0x10000);
	window_is(&h.mem32, 0x10000000, 0x10000000, 0x2eff0000);
	window_is(&h.mem64, 0x8000000000ULL, 0x8000000000ULL, 0x8000000000ULL);
	free(fdt);
}

static void test_highmem_off(void **state)
{
	void *fdt = load("pci-highmem-off");
	struct pci_host h;
	const char *why = NULL;

	assert_int_equal(pci_host_parse(fdt, host_node(fdt), 0x3f000000, 0x1000000, &h, &why), 0);
	assert_int_equal(h.bus_end, 15);
	window_is(&h.mem32, 0x10000000, 0x10000000, 0x2eff0000);
	assert_int_equal(h.mem64.size, 0);
	/* An ECAM smaller than bus-range says holds fewer buses: bus-range is clipped. */
	assert_int_equal(pci_host_parse(fdt, host_node(fdt), 0x3f000000, 0x200000, &h, &why), 0);
	assert_int_equal(h.bus_end, 1);
	assert_int_not_equal(pci_host_parse(fdt, host_node(fdt), 0x3f000000, 0x1000, &h, &why), 0);
	free(fdt);
}

/* A tree with one host node holding the given properties. */
static void *make(const char *name1, const void *v1, int l1, const char *name2,
		  const void *v2, int l2, uint32_t acells)
{
	static char buf[4096];
	fdt32_t ac = cpu_to_fdt32(acells), sc = cpu_to_fdt32(2);

	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_begin_node(buf, "pcie@0"), 0);
	assert_int_equal(fdt_property_string(buf, "compatible", "pci-host-ecam-generic"), 0);
	assert_int_equal(fdt_property(buf, "#address-cells", &ac, 4), 0);
	assert_int_equal(fdt_property(buf, "#size-cells", &sc, 4), 0);
	if (name1)
		assert_int_equal(fdt_property(buf, name1, v1, l1), 0);
	if (name2)
		assert_int_equal(fdt_property(buf, name2, v2, l2), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	return buf;
}

#define C(x) cpu_to_fdt32(x)

static void expect_fail(void *fdt, const char *msg)
{
	struct pci_host h;
	const char *why = NULL;

	assert_int_equal(pci_host_parse(fdt, host_node(fdt), 0, 0x10000000, &h, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, msg));
}

static void test_bad_nodes(void **state)
{
	/* One MMIO32 entry: 3 + 2 + 2 cells. */
	fdt32_t mem32[] = { C(0x2000000), 0, C(0x10000000), 0, C(0x10000000), 0, C(0x1000000) };
	fdt32_t io_only[] = { C(0x1000000), 0, 0, 0, C(0x3eff0000), 0, C(0x10000) };
	fdt32_t wraps[] = { C(0x2000000), 0, C(0x10000000), C(0xffffffff), C(0xffff0000), 0,
			    C(0x1000000) };
	fdt32_t br_rev[] = { C(5), C(2) }, br_big[] = { C(0), C(256) };
	struct pci_host h;
	const char *why;

	expect_fail(make(NULL, NULL, 0, NULL, NULL, 0, 3), "no ranges");
	expect_fail(make("ranges", mem32, 20, NULL, NULL, 0, 3), "not whole entries");
	expect_fail(make("ranges", io_only, sizeof(io_only), NULL, NULL, 0, 3),
		    "no 32-bit memory window");
	expect_fail(make("ranges", wraps, sizeof(wraps), NULL, NULL, 0, 3),
		    "no 32-bit memory window");
	expect_fail(make("ranges", mem32, sizeof(mem32), NULL, NULL, 0, 2), "#address-cells");
	expect_fail(make("ranges", mem32, sizeof(mem32), "bus-range", br_rev, 8, 3), "bus-range");
	expect_fail(make("ranges", mem32, sizeof(mem32), "bus-range", br_big, 8, 3), "bus-range");
	/* Without bus-range: buses 0-255, as many as the ECAM holds. */
	void *fdt = make("ranges", mem32, sizeof(mem32), NULL, NULL, 0, 3);
	assert_int_equal(pci_host_parse(fdt, host_node(fdt), 0, 0x800000, &h, &why), 0);
	assert_int_equal(h.bus_end, 7);
	window_is(&h.mem32, 0x10000000, 0x10000000, 0x1000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virt_high_ecam),
		cmocka_unit_test(test_highmem_off),
		cmocka_unit_test(test_bad_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
