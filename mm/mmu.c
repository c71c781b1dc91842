/* Run-time translation tables: built once the memory map exists, from the same encoder
 * as the baked ones, covering all RAM with the largest blocks alignment allows. */
#include "log.h"
#include "layout.h"
#include "memmap.h"
#include "mmu.h"
#include "probe.h"
#include "sysreg.h"

static struct pt_ctx ctx;
static unsigned nr_tables;

static uint64_t table_alloc(struct pt_ctx *c)
{
	/* Until the switch only the baked DRAM window is mapped: allocate below its end. */
	UINT64 addr = FWRAM_END - 1;

	if (memmap_alloc(&memmap, AllocateMaxAddress, EfiBootServicesData, 1, 4096, &addr) ||
	    addr < FWRAM_BASE)
		return 0;
	__builtin_memset((void *)addr, 0, 4096);
	nr_tables++;
	return addr;
}

static uint64_t *table_at(struct pt_ctx *c, uint64_t addr)
{
	return (uint64_t *)addr;
}

static bool flush_pending;

/* A live entry changes. Only its permissions (same output address, same kind of entry):
 * write it, the TLB is flushed once the whole change is made. Anything else needs
 * break-before-make: invalidate, flush, then write the new entry. */
static void live_replace(struct pt_ctx *c, uint64_t *e, uint64_t val, uint64_t va, unsigned level)
{
	uint64_t kind = PT_VALID | PT_TABLE | PT_ADDR_MASK;

	if ((val & PT_VALID) && ((*e ^ val) & kind) == 0 && (level == 3 || !(val & PT_TABLE))) {
		*e = val;
		flush_pending = true;
		return;
	}
	*e = 0;
	tlb_flush_all(current_el());
	*e = val;
	dsb(ishst);
	flush_pending = true;
}

/*
 * A 39-bit space walked from level 1, as the baked tables are: the switch between them
 * is then safe without turning the MMU off (boot/sysreg.S). It covers 512 GiB, more
 * than all of virt's RAM (which ends below 256 GiB) and its low device windows.
 */
#define VA_BITS 39

static unsigned pa_bits(unsigned range)
{
	static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };

	return range < 7 ? bits[range] : 52;
}

static void map_or_die(uint64_t base, uint64_t size, unsigned prot, const char *what)
{
	if (pt_map(&ctx, base, base, size, prot))
		fatal("cannot map %s at %#llx (+%#llx)", what, (unsigned long long)base,
		      (unsigned long long)size);
}

/* RAM the tree declares but the machine lacks (a hand-edited -dtb) aborts the first
 * allocation that lands there, long after the cause. Read the first and last word of
 * each region once it is mapped: an abort there is the tree's fault, and says so. */
static void probe_ram(const struct platform *p)
{
#ifdef FAULT_TEST
	/* Plain reads instead, to test what the crash report says of such RAM. */
	if (p->bootargs && !__builtin_strcmp(p->bootargs, "fault=ram"))
		for (unsigned i = 0; i < p->nr_ram; i++)
			(void)*(volatile uint64_t *)p->ram[i].base;
#endif
	for (unsigned i = 0; i < p->nr_ram; i++) {
		const struct region *r = &p->ram[i];
		uint64_t last = r->size > 8 ? r->base + r->size - 8 : r->base;
		uint64_t at[2] = { r->base & ~7ULL, last & ~7ULL }, v;

		for (unsigned k = 0; k < 2; k++)
			if (probe_read64(at[k], &v))
				fatal("device tree: RAM %s %#llx-%#llx is not there: reading %#llx "
				      "aborted: the machine has no RAM there",
				      r->name ? r->name : "", (unsigned long long)r->base,
				      (unsigned long long)(r->base + r->size - 1),
				      (unsigned long long)at[k]);
	}
}

void mmu_init(const struct platform *p, unsigned el)
{
	unsigned range = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	uint64_t text_end = (uint64_t)__text_end;
	uint64_t flash_end = ((uint64_t)__flash_end + 4095) & ~4095ULL;

	ctx.regime = el == 1 ? PT_EL1 : PT_EL2;
	ctx.va_bits = VA_BITS;
	ctx.alloc = table_alloc;
	ctx.table = table_at;
	ctx.root = table_alloc(&ctx);
	if (!ctx.root)
		fatal("no memory for translation tables");

	/* Page 0 (reset code only) stays unmapped so NULL dereferences fault. */
	map_or_die(4096, text_end - 4096, PT_R | PT_X, "firmware code");
	map_or_die(text_end, flash_end - text_end, PT_R, "firmware rodata");
	map_or_die(DEVICE_BASE, DEVICE_SIZE, PT_R | PT_W | PT_DEVICE, "devices");
	if (p->flash1)          /* the variable store: commands are writes */
		map_or_die(p->flash1, p->flash1_size, PT_R | PT_W | PT_DEVICE, "flash bank 1");
	for (unsigned i = 0; i < p->nr_ram; i++) {
		const struct region *r = &p->ram[i];

		if (r->base + r->size > (1ULL << pa_bits(range)))
			fatal("RAM at %#llx is beyond the CPU's %u-bit physical address range",
			      (unsigned long long)r->base, pa_bits(range));
		if (r->base + r->size > (1ULL << VA_BITS))
			fatal("RAM at %#llx is above 512 GiB: not supported",
			      (unsigned long long)r->base);
		map_or_die(r->base, r->size, PT_R | PT_W, "RAM");
	}
	map_or_die(FWRAM_BASE - 4096, 4096, 0, "stack guard");
	/* QEMU's high ECAM (0x40_1000_0000) lies outside the device window; with
	 * highmem=off it is inside and this maps it again the same way. */
	if (p->ecam && p->ecam + p->ecam_size <= (1ULL << VA_BITS))
		map_or_die(p->ecam & ~0xfffULL, (p->ecam_size + 0xfff) & ~0xfffULL,
			   PT_R | PT_W | PT_DEVICE, "PCIe ECAM");
	/* Pages, not a block, where the stacks are: splitting that block live (for an
	 * allocation made there when RAM is short) would unmap the stack under our feet. */
	map_or_die(FWRAM_BASE, 4096, PT_R | PT_W, "firmware data");

	if (el == 2)
		el2_rise(ctx.root, pt_tcr(PT_EL2, ctx.va_bits, range), EXC_STACK_TOP);
	else
		mmu_switch(ctx.root, pt_tcr(PT_EL1, ctx.va_bits, range));
	ctx.replace = live_replace;
	probe_ram(p);
}

int mmu_set_prot(uint64_t base, uint64_t size, unsigned prot)
{
	int r = pt_map(&ctx, base, base, size, prot);

	if (flush_pending) {
		flush_pending = false;
		tlb_flush_all(current_el());
	}
	return r;
}

unsigned mmu_get_prot(uint64_t addr)
{
	return pt_leaf_prot(ctx.regime, pt_lookup(&ctx, addr, NULL));
}

void mmu_set_wxn(bool on)
{
	sctlr_set_wxn(ctx.regime == PT_EL1 ? 1 : 2, on);
}

void mmu_sync_icache(uint64_t addr)
{
	icache_sync_page(addr & ~0xfffULL);
}

void mmu_sync_icache_range(uint64_t addr, uint64_t size)
{
	for (uint64_t page = addr & ~0xfffULL; page < addr + size; page += 0x1000)
		icache_sync_page(page);
}

unsigned mmu_va_bits(void)
{
	return ctx.va_bits;
}

unsigned mmu_tables(void)
{
	return nr_tables;
}
