/* Host tests for boot/dt.c over device trees compiled by dtc from tests/dts/NAME.dts
 * into build/host/dts/NAME.dtb. Run from the repository root, or give the dtb directory
 * as the first argument or in DTB_DIR.
 *
 * Every blob is loaded into a buffer of exactly its size, so AddressSanitizer reports
 * any read past the end of the tree: the fuzz tests below rely on that. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include "layout.h"
#include "platform.h"
#include "dt_edit.h"
#include "util.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

static const char *dtb_dir = "build/host/dts";

static void *load(const char *name, size_t *size)
{
	char path[512];
	FILE *f;
	long n;
	void *buf;

	snprintf(path, sizeof(path), "%s/%s.dtb", dtb_dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s: run from the repository root after make, or pass "
			 "the dtb directory as argument or DTB_DIR", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	/* dtc -O dtb writes exactly totalsize bytes: the buffer ends where the tree does. */
	assert_int_equal(fdt_totalsize(buf), n);
	if (size)
		*size = n;
	return buf;
}

/* The blob behind the last parse(): p->bootargs points into it. */
static void *current;

static int teardown(void **state)
{
	free(current);
	current = NULL;
	return 0;
}

/* dt_parse NAME.dtb, which must succeed. */
static const struct platform *parse(const char *name)
{
	static struct platform p;
	const char *why = NULL;

	teardown(NULL);
	current = load(name, NULL);
	if (dt_parse(current, &p, &why))
		fail_msg("%s: %s", name, why);
	assert_null(why);
	assert_ptr_equal(p.fdt, current);
	assert_int_equal(p.fdt_size, fdt_totalsize(current));
	return &p;
}

/* dt_parse a blob that must be rejected; returns the message. */
static const char *parse_blob_error(const void *fdt)
{
	struct platform p;
	const char *why = NULL;

	assert_true(dt_parse(fdt, &p, &why) < 0);
	assert_non_null(why);
	assert_memory_equal(why, "device tree: ", 13);
	return why;
}

static const char *parse_error(const char *name)
{
	teardown(NULL);
	current = load(name, NULL);
	return parse_blob_error(current);
}

static void assert_region(const struct region *r, uint64_t base, uint64_t size, int node)
{
	assert_int_equal(r->base, base);
	assert_int_equal(r->size, size);
	assert_int_equal(r->node, node);
}

static void assert_contains(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

/* ---- QEMU's trees ---- */

static void test_virt(void **state)
{
	const struct platform *p = parse("virt");

	assert_int_equal(p->nr_ram, 1);
	assert_region(&p->ram[0], 0x40000000, 1 * GiB, 0);
	assert_int_equal(plat_ram_total(p), 1 * GiB);
	assert_int_equal(p->nr_reserved, 0);
	assert_int_equal(p->uart, 0x09000000);
	assert_int_equal(p->rtc, 0x09010000);
	assert_int_equal(p->fwcfg, 0x09020000);
	assert_int_equal(p->fwcfg_size, 0x18);
	assert_int_equal(p->flash1, 0x04000000);        /* cfi-flash's second reg entry */
	assert_int_equal(p->flash1_size, 0x04000000);
	assert_int_equal(p->psci, PSCI_HVC);
	assert_int_equal(p->nr_cpus, 1);
	assert_null(p->bootargs);
}

static void test_virt_seeds(void **state)
{
	static const uint8_t rng[32] = {
		0x44, 0x90, 0xd6, 0x73, 0xd1, 0x99, 0x55, 0xc4, 0x89, 0x14, 0x9f, 0x5f,
		0x5f, 0x56, 0x06, 0x14, 0x73, 0x36, 0x88, 0x0d, 0xde, 0x5d, 0xc6, 0xe5,
		0xa3, 0x0a, 0xb4, 0x91, 0x32, 0xc9, 0x92, 0x32,
	};
	const struct platform *p = parse("virt");

	assert_int_equal(p->rng_seed_len, 32);
	assert_memory_equal(p->rng_seed, rng, 32);
	assert_int_equal(p->kaslr_seed, 0x8c0be4b4435829ffULL);
}

static void test_smp4_5g_bootargs(void **state)
{
	const struct platform *p = parse("virt-smp4-5g");

	assert_int_equal(p->nr_ram, 1);
	assert_region(&p->ram[0], 0x40000000, 5 * GiB, 0);
	assert_true(p->ram[0].base + p->ram[0].size > 4 * GiB);
	assert_int_equal(p->nr_cpus, 4);
	assert_non_null(p->bootargs);
	assert_string_equal(p->bootargs, "console=ttyAMA0 root=/dev/vda1 quiet");
	/* A pointer into the tree, not a copy. */
	assert_true(p->bootargs > (const char *)current &&
		    p->bootargs < (const char *)current + p->fdt_size);
	assert_int_equal(p->rng_seed_len, 32);
	assert_int_equal(p->kaslr_seed, 0xf2624053a9d1cf1cULL);
	assert_int_equal(p->psci, PSCI_HVC);
}

static void test_16g(void **state)
{
	const struct platform *p = parse("virt-16g");

	assert_int_equal(p->nr_ram, 1);
	assert_region(&p->ram[0], 0x40000000, 16 * GiB, 0);
	assert_int_equal(plat_ram_total(p), 16 * GiB);
	assert_int_equal(p->uart, 0x09000000);
}

static void test_numa(void **state)
{
	const struct platform *p = parse("virt-numa");

	/* QEMU lists memory@80000000 first: the result is sorted by base. */
	assert_int_equal(p->nr_ram, 2);
	assert_region(&p->ram[0], 0x40000000, 1 * GiB, 0);
	assert_region(&p->ram[1], 0x80000000, 1 * GiB, 1);
	assert_int_equal(plat_ram_total(p), 2 * GiB);
	assert_int_equal(p->nr_cpus, 2);
}

static void test_el2_smc(void **state)
{
	assert_int_equal(parse("virt-el2")->psci, PSCI_SMC);
}

static void test_secure(void **state)
{
	const struct platform *p = parse("virt-secure");

	/* The disabled secram@e000000 and pl011@9040000 are not ours. */
	assert_int_equal(p->nr_ram, 1);
	assert_region(&p->ram[0], 0x40000000, 1 * GiB, 0);
	assert_int_equal(p->uart, 0x09000000);
	assert_int_equal(p->psci, PSCI_NONE);
	assert_int_equal(p->rtc, 0x09010000);
	assert_int_equal(p->fwcfg, 0x09020000);
}

/* ---- RAM and reservations ---- */

static void test_multi_reg_and_reserved(void **state)
{
	const struct platform *p = parse("multi-reg");

	assert_int_equal(p->nr_ram, 4);
	assert_region(&p->ram[0], 0x40000000, 512 * MiB, 0);
	assert_region(&p->ram[1], 0x60000000, 256 * MiB, 0);
	assert_region(&p->ram[2], 0x100000000, 1 * GiB, 0);
	assert_region(&p->ram[3], 0x800000000, 2 * GiB, 0);
	assert_int_equal(plat_ram_total(p), 512 * MiB + 256 * MiB + 3 * GiB);

	/* Two /memreserve/ and three /reserved-memory entries (one node has two); the
	 * size-only pool and the disabled child are not reservations. */
	assert_int_equal(p->nr_reserved, 5);
	assert_region(&p->reserved[0], 0x40000000, 0x100000, 0);
	assert_region(&p->reserved[1], 0x44000000, 0x3000, 0);
	assert_region(&p->reserved[2], 0x48000000, 0x2000, 0);
	assert_region(&p->reserved[3], 0x50000000, 0x1000, 0);
	assert_region(&p->reserved[4], 0x5e000000, 0x200000, 0);
}

static void test_cells_1(void **state)
{
	const struct platform *p = parse("cells-1");

	assert_int_equal(p->nr_ram, 2);
	assert_region(&p->ram[0], 0x40000000, 512 * MiB, 0);
	assert_region(&p->ram[1], 0x80000000, 256 * MiB, 0);
	assert_int_equal(p->uart, 0x09000000);
	assert_int_equal(p->rtc, 0x09010000);
	assert_int_equal(p->fwcfg, 0x09020000);
	assert_int_equal(p->fwcfg_size, 0x18);
}

/* ---- devices ---- */

static void test_stdout_options(void **state)
{
	assert_int_equal(parse("stdout-options")->uart, 0x09040000);
}

static void test_stdout_alias(void **state)
{
	assert_int_equal(parse("stdout-alias")->uart, 0x09040000);
}

static void test_stdout_fallback(void **state)
{
	assert_int_equal(parse("stdout-fallback")->uart, 0x09000000);
}

static void test_alias_loop(void **state)
{
	assert_int_equal(parse("alias-loop")->uart, 0x09000000);
}

static void test_minimal(void **state)
{
	const struct platform *p = parse("minimal");

	assert_int_equal(p->nr_ram, 1);
	assert_int_equal(p->nr_reserved, 0);
	assert_int_equal(p->uart, 0);
	assert_int_equal(p->rtc, 0);
	assert_int_equal(p->fwcfg, 0);
	assert_int_equal(p->fwcfg_size, 0);
	assert_int_equal(p->flash1, 0);
	assert_int_equal(p->psci, PSCI_NONE);
	assert_int_equal(p->nr_cpus, 0);
	assert_int_equal(p->rng_seed_len, 0);
	assert_int_equal(p->kaslr_seed, 0);
	assert_null(p->bootargs);
}

static void test_buses(void **state)
{
	const struct platform *p = parse("buses");

	assert_int_equal(p->rtc, 0x09010000);  /* through an empty ranges, 1-cell bus */
	assert_int_equal(p->fwcfg, 0);         /* behind a translating ranges */
	assert_int_equal(p->uart, 0);          /* on a 3-cell bus */
}

static void test_odd_props(void **state)
{
	const struct platform *p = parse("odd-props");
	uint8_t rng[64];
	unsigned i;

	for (i = 0; i < sizeof(rng); i++)
		rng[i] = i;
	assert_int_equal(p->psci, PSCI_NONE);
	assert_int_equal(p->ram[0].node, 0);
	assert_int_equal(p->uart, 0x09080000);
	assert_int_equal(p->rtc, 0);
	assert_int_equal(p->nr_cpus, 2);
	assert_null(p->bootargs);
	assert_int_equal(p->kaslr_seed, 0);
	assert_int_equal(p->rng_seed_len, 64);
	assert_memory_equal(p->rng_seed, rng, 64);
}

/* ---- hostile trees (issue 15): what the firmware is told to fall back on ---- */

/* The console is refused, so the firmware falls back to virt's PL011 saying why. */
static void assert_no_console(const char *name, const char *why)
{
	const struct platform *p = parse(name);

	assert_int_equal(p->uart, 0);
	assert_non_null(p->uart_why);
	assert_string_equal(p->uart_why, why);
}

static void test_console_cells_1(void **state)
{
	assert_no_console("hostile-cells-1", "device tree: console /pl011@9000000 has a reg "
			  "that is not a whole number of (address, size) entries");
}

static void test_console_no_reg(void **state)
{
	assert_no_console("hostile-uart-noreg", "device tree: console /pl011@9000000 has no reg");
}

static void test_console_outside(void **state)
{
	assert_no_console("hostile-uart-outside", "device tree: console /pl011@9000000 has "
			  "an address outside the device window");
}

static void test_console_misaligned(void **state)
{
	assert_no_console("hostile-uart-misaligned", "device tree: console /pl011@9000000 "
			  "has an address that is not 4 KiB aligned");
}

/* Sane addresses: whether a PL011 answers there is for the firmware to find out. */
static void test_console_sane_elsewhere(void **state)
{
	assert_int_equal(parse("hostile-uart-nothing")->uart, 0xb000000);
	assert_int_equal(parse("hostile-uart-rtc")->uart, 0x9010000);
}

static void test_console_none(void **state)
{
	assert_no_console("minimal", "device tree: no usable arm,pl011 node for the console");
}

static void test_console_found_has_no_why(void **state)
{
	assert_null(parse("virt")->uart_why);
	assert_null(parse("stdout-fallback")->uart_why);
}

/* The extra memory node is parsed as RAM (whether it exists is for the firmware to
 * find out), under its own name. */
static void test_ram_node_names(void **state)
{
	const struct platform *p = parse("hostile-ram");

	assert_int_equal(p->nr_ram, 2);
	assert_region(&p->ram[1], 0x100000000, 1 * GiB, 0);
	assert_string_equal(p->ram[0].name, "memory@40000000");
	assert_string_equal(p->ram[1].name, "ram@100000000");
}

static void test_reserved_128(void **state)
{
	const struct platform *p = parse("hostile-reserved-128");
	unsigned i;

	assert_int_equal(PLAT_MAX_RESERVED, 128);
	assert_int_equal(p->nr_reserved, 128);
	for (i = 0; i < 128; i++)
		assert_region(&p->reserved[i], 0x48000000 + i * 0x20000, 0x10000, 0);
	assert_string_equal(p->reserved[127].name, "carveout@48fe0000");
}

static void test_reserved_129(void **state)
{
	assert_string_equal(parse_error("hostile-reserved-129"),
			    "device tree: more than 128 reserved regions (PLAT_MAX_RESERVED)");
}

static void test_reserved_names(void **state)
{
	const struct platform *p = parse("multi-reg");

	assert_null(p->reserved[0].name);      /* /memreserve/ */
	assert_null(p->reserved[2].name);
	assert_string_equal(p->reserved[3].name, "two@50000000");
	assert_string_equal(parse("hostile-reserve-all")->reserved[0].name,
			    "everything@40000000");
}

/* ---- rejected trees ---- */

static void test_bad_reg_length(void **state)
{
	assert_string_equal(parse_error("bad-reg-length"),
		"device tree: /memory@40000000: reg is not a whole number of (address, size) entries");
}

static void test_bad_address_cells(void **state)
{
	assert_contains(parse_error("bad-address-cells"), "unsupported #address-cells");
}

static void test_no_memory(void **state)
{
	assert_string_equal(parse_error("bad-no-memory"), "device tree: no /memory");
}

static void test_overlap(void **state)
{
	assert_string_equal(parse_error("bad-overlap"), "device tree: /memory regions overlap");
}

static void test_wrap(void **state)
{
	assert_contains(parse_error("bad-wrap"), "ends beyond 2^64");
}

static void test_too_many_ram(void **state)
{
	assert_string_equal(parse_error("bad-too-many-ram"),
			    "device tree: more than 16 /memory regions (PLAT_MAX_RAM)");
}

static void test_bad_reserved_reg(void **state)
{
	assert_contains(parse_error("bad-reserved-reg"), "/reserved-memory/secmon@50000000: reg");
}

static void test_bad_magic(void **state)
{
	size_t size;
	uint8_t *fdt = current = load("virt", &size);

	fdt[0] ^= 0xff;
	assert_string_equal(parse_blob_error(fdt), "device tree: bad header (FDT_ERR_BADMAGIC)");
}

static void test_bad_version(void **state)
{
	uint8_t *fdt = current = load("virt", NULL);

	fdt_set_version(fdt, 1);
	fdt_set_last_comp_version(fdt, 1);
	assert_string_equal(parse_blob_error(fdt), "device tree: bad header (FDT_ERR_BADVERSION)");
}

/* Accepted by fdt_check_header; libfdt 1.6.1's fdt_check_full then read NULL. */
static void test_old_version(void **state)
{
	uint8_t *fdt = current = load("virt", NULL);

	fdt_set_version(fdt, 2);
	fdt_set_last_comp_version(fdt, 0);
	assert_string_equal(parse_blob_error(fdt),
			    "device tree: header version below 17 (what dtc and QEMU write)");
	fdt_set_version(fdt, 16);
	assert_string_equal(parse_blob_error(fdt),
			    "device tree: header version below 17 (what dtc and QEMU write)");
}

static void test_truncated_totalsize(void **state)
{
	size_t size;
	uint8_t *fdt = current = load("virt", &size);

	/* The strings block ends the blob: it no longer fits. */
	fdt_set_totalsize(fdt, size - 16);
	assert_string_equal(parse_blob_error(fdt), "device tree: bad header (FDT_ERR_TRUNCATED)");
}

static void test_totalsize_beyond_window(void **state)
{
	size_t size;
	void *dtb = load("virt", &size);
	uint8_t *fdt = current = calloc(1, DTB_MAX + 8);

	assert_non_null(fdt);
	memcpy(fdt, dtb, size);
	free(dtb);
	fdt_set_totalsize(fdt, DTB_MAX + 8);
	assert_contains(parse_blob_error(fdt), "totalsize larger than DTB_MAX");
}

static void test_bad_structure(void **state)
{
	uint8_t *fdt = current = load("virt", NULL);

	/* The root's FDT_BEGIN_NODE becomes an unknown tag: the header is still fine. */
	memset(fdt + fdt_off_dt_struct(fdt), 0xee, 4);
	assert_string_equal(parse_blob_error(fdt),
			    "device tree: bad structure (FDT_ERR_BADSTRUCTURE)");
}

/* ---- fuzzing: any outcome but a crash or an out-of-bounds read ---- */

/* What a successful parse promises, whatever the tree said. */
static void check_result(const uint8_t *fdt, const struct platform *p)
{
	unsigned i;

	assert_true(p->nr_ram >= 1 && p->nr_ram <= PLAT_MAX_RAM);
	assert_true(p->nr_reserved <= PLAT_MAX_RESERVED);
	for (i = 0; i < p->nr_ram; i++) {
		assert_true(p->ram[i].size > 0);
		assert_true(p->ram[i].base + p->ram[i].size > p->ram[i].base);
		if (i)
			assert_true(p->ram[i].base >= p->ram[i - 1].base + p->ram[i - 1].size);
	}
	for (i = 1; i < p->nr_reserved; i++)
		assert_true(p->reserved[i].base >= p->reserved[i - 1].base);
	assert_true(p->rng_seed_len <= sizeof(p->rng_seed));
	assert_true(p->psci == PSCI_NONE || p->psci == PSCI_HVC || p->psci == PSCI_SMC);
	if (p->bootargs) {
		assert_true(p->bootargs >= (const char *)fdt &&
			    p->bootargs < (const char *)fdt + p->fdt_size);
		assert_true(strnlen(p->bootargs, fdt + p->fdt_size - (const uint8_t *)p->bootargs) <
			    (size_t)(fdt + p->fdt_size - (const uint8_t *)p->bootargs));
	}
}

/* Parse one mutant; counts[0] successes, counts[1] rejections. */
static void parse_mutant(const uint8_t *fdt, unsigned counts[2])
{
	struct platform p;
	const char *why = NULL;

	if (dt_parse(fdt, &p, &why) == 0) {
		check_result(fdt, &p);
		counts[0]++;
	} else {
		assert_non_null(why);
		assert_memory_equal(why, "device tree: ", 13);
		counts[1]++;
	}
}

static const char *const fuzz_trees[] = {
	"virt", "multi-reg", "stdout-alias", "odd-props", "buses",
};

/* Every prefix of each tree, with totalsize saying where it ends, in a buffer of that
 * size (never less than the 40-byte header, which is read before totalsize is known). */
static void test_fuzz_truncate(void **state)
{
	unsigned counts[2] = { 0, 0 }, t;
	size_t size, n, hdr = sizeof(struct fdt_header);

	for (t = 0; t < ARRAY_SIZE(fuzz_trees); t++) {
		uint8_t *dtb = load(fuzz_trees[t], &size);

		for (n = 0; n < size; n++) {
			uint8_t *buf = calloc(1, n < hdr ? hdr : n);

			assert_non_null(buf);
			memcpy(buf, dtb, n);
			if (n >= 8)
				fdt_set_totalsize(buf, n);
			parse_mutant(buf, counts);
			free(buf);
		}
		free(dtb);
	}
	/* A prefix only parses if it keeps the whole tree: never here. */
	assert_int_equal(counts[0], 0);
	assert_true(counts[1] > 5000);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Copies of each tree with 1 to 4 random bytes changed, from a fixed seed so that a
 * failure repeats. totalsize (bytes 4..7) is never touched, here or in the sweep below:
 * dt_parse trusts that many bytes to be readable (the DTB window), so a larger value
 * would test the test, not the parser. */
static void test_fuzz_random(void **state)
{
	unsigned counts[2] = { 0, 0 }, t, i, k, n;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t size, at;

	for (t = 0; t < ARRAY_SIZE(fuzz_trees); t++) {
		uint8_t *dtb = load(fuzz_trees[t], &size), *buf = malloc(size);

		assert_non_null(buf);
		for (i = 0; i < 2000; i++) {
			memcpy(buf, dtb, size);
			for (k = 0, n = 1 + xorshift(&seed) % 4; k < n; k++) {
				at = xorshift(&seed) % size;
				if (at < 4 || at >= 8)
					buf[at] = xorshift(&seed);
			}
			parse_mutant(buf, counts);
		}
		free(buf);
		free(dtb);
	}
	/* Both outcomes are common: changed values parse, changed structure does not. */
	assert_true(counts[0] > 1000);
	assert_true(counts[1] > 1000);
}

/* Every byte of virt.dtb set in turn to a few telling values. */
static void test_fuzz_sweep(void **state)
{
	static const uint8_t values[] = { 0x00, 0xff, 0x01, 0x80, 0x7f };
	unsigned counts[2] = { 0, 0 }, v;
	size_t size, at;
	uint8_t *dtb = load("virt", &size), *buf = malloc(size);

	assert_non_null(buf);
	for (at = 0; at < size; at++) {
		if (at >= 4 && at < 8)
			continue;
		for (v = 0; v < sizeof(values); v++) {
			memcpy(buf, dtb, size);
			buf[at] = values[v];
			parse_mutant(buf, counts);
		}
	}
	free(buf);
	free(dtb);
	assert_true(counts[0] > 1000);
	assert_true(counts[1] > 1000);
}

/* ---- dt_setprop (boot/dt_edit.c): the OS's copy, with room to grow at its end ---- */

/* virt.dtb in a buffer room bytes larger, totalsize saying so. */
static void *grown(size_t room, size_t *size)
{
	size_t n;
	void *orig = load("virt", &n), *fdt = calloc(1, n + room);

	assert_non_null(fdt);
	memcpy(fdt, orig, n);
	free(orig);
	fdt_set_totalsize(fdt, n + room);
	*size = n + room;
	return fdt;
}

static void assert_prop(const void *fdt, int node, const char *name, const char *want)
{
	int len;
	const char *v = fdt_getprop(fdt, node, name, &len);

	assert_int_equal(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);
	assert_non_null(v);
	assert_int_equal(len, strlen(want) + 1);
	assert_string_equal(v, want);
}

static void test_setprop_new_then_other_lengths(void **state)
{
	size_t size;
	void *fdt = grown(256, &size);
	int node = fdt_node_offset_by_compatible(fdt, -1, "cfi-flash"), len;
	const void *reg = fdt_getprop(fdt, node, "reg", &len);
	uint8_t old_reg[64];
	uint32_t strings = fdt_size_dt_strings(fdt);

	assert_true(node >= 0 && reg && len <= (int)sizeof(old_reg));
	memcpy(old_reg, reg, len);
	assert_null(fdt_getprop(fdt, node, "status", NULL));   /* QEMU sets none */
	assert_int_equal(dt_setprop(fdt, node, "status", "disabled", 9), 0);
	assert_prop(fdt, node, "status", "disabled");
	assert_prop(fdt, node, "compatible", "cfi-flash");
	assert_memory_equal(fdt_getprop(fdt, node, "reg", NULL), old_reg, len);
	assert_int_equal(fdt_size_dt_strings(fdt), strings + 7);      /* "status" added once */
	/* Another length: the old one is skipped (FDT_NOP), the name found again. */
	assert_int_equal(dt_setprop(fdt, node, "status", "okay", 5), 0);
	assert_prop(fdt, node, "status", "okay");
	assert_int_equal(fdt_size_dt_strings(fdt), strings + 7);
	/* The same length: in place. */
	uint32_t struct_size = fdt_size_dt_struct(fdt);
	assert_int_equal(dt_setprop(fdt, node, "status", "fail", 5), 0);
	assert_prop(fdt, node, "status", "fail");
	assert_int_equal(fdt_size_dt_struct(fdt), struct_size);
	/* A name that is the tail of an existing one reuses it ("#size-cells"). */
	assert_int_equal(dt_setprop(fdt, node, "size-cells", "x", 2), 0);
	assert_prop(fdt, node, "size-cells", "x");
	assert_int_equal(fdt_size_dt_strings(fdt), strings + 7);
	assert_int_equal(fdt_path_offset(fdt, "/chosen") >= 0, 1);
	free(fdt);
}

static void test_setprop_no_room(void **state)
{
	size_t size;
	void *fdt = grown(16, &size), *before = malloc(size);
	int node = fdt_node_offset_by_compatible(fdt, -1, "cfi-flash");

	memcpy(before, fdt, size);
	/* 12 bytes of header + 12 of value + 7 of name: more than 16. */
	assert_int_equal(dt_setprop(fdt, node, "status", "disabled", 9), -FDT_ERR_NOSPACE);
	assert_memory_equal(fdt, before, size);
	free(before);
	free(fdt);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_virt, teardown),
		cmocka_unit_test_teardown(test_virt_seeds, teardown),
		cmocka_unit_test_teardown(test_smp4_5g_bootargs, teardown),
		cmocka_unit_test_teardown(test_16g, teardown),
		cmocka_unit_test_teardown(test_numa, teardown),
		cmocka_unit_test_teardown(test_el2_smc, teardown),
		cmocka_unit_test_teardown(test_secure, teardown),
		cmocka_unit_test_teardown(test_multi_reg_and_reserved, teardown),
		cmocka_unit_test_teardown(test_cells_1, teardown),
		cmocka_unit_test_teardown(test_stdout_options, teardown),
		cmocka_unit_test_teardown(test_stdout_alias, teardown),
		cmocka_unit_test_teardown(test_stdout_fallback, teardown),
		cmocka_unit_test_teardown(test_alias_loop, teardown),
		cmocka_unit_test_teardown(test_minimal, teardown),
		cmocka_unit_test_teardown(test_buses, teardown),
		cmocka_unit_test_teardown(test_odd_props, teardown),
		cmocka_unit_test_teardown(test_console_cells_1, teardown),
		cmocka_unit_test_teardown(test_console_no_reg, teardown),
		cmocka_unit_test_teardown(test_console_outside, teardown),
		cmocka_unit_test_teardown(test_console_misaligned, teardown),
		cmocka_unit_test_teardown(test_console_sane_elsewhere, teardown),
		cmocka_unit_test_teardown(test_console_none, teardown),
		cmocka_unit_test_teardown(test_console_found_has_no_why, teardown),
		cmocka_unit_test_teardown(test_ram_node_names, teardown),
		cmocka_unit_test_teardown(test_reserved_128, teardown),
		cmocka_unit_test_teardown(test_reserved_129, teardown),
		cmocka_unit_test_teardown(test_reserved_names, teardown),
		cmocka_unit_test_teardown(test_bad_reg_length, teardown),
		cmocka_unit_test_teardown(test_bad_address_cells, teardown),
		cmocka_unit_test_teardown(test_no_memory, teardown),
		cmocka_unit_test_teardown(test_overlap, teardown),
		cmocka_unit_test_teardown(test_wrap, teardown),
		cmocka_unit_test_teardown(test_too_many_ram, teardown),
		cmocka_unit_test_teardown(test_bad_reserved_reg, teardown),
		cmocka_unit_test_teardown(test_bad_magic, teardown),
		cmocka_unit_test_teardown(test_bad_version, teardown),
		cmocka_unit_test_teardown(test_old_version, teardown),
		cmocka_unit_test_teardown(test_truncated_totalsize, teardown),
		cmocka_unit_test_teardown(test_totalsize_beyond_window, teardown),
		cmocka_unit_test_teardown(test_bad_structure, teardown),
		cmocka_unit_test(test_fuzz_truncate),
		cmocka_unit_test(test_fuzz_random),
		cmocka_unit_test(test_fuzz_sweep),
		cmocka_unit_test(test_setprop_new_then_other_lengths),
		cmocka_unit_test(test_setprop_no_room),
	};

	if (argc > 1)
		dtb_dir = argv[1];
	else if (getenv("DTB_DIR"))
		dtb_dir = getenv("DTB_DIR");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
