/* The boot flow: device tree -> memory map -> run-time tables -> banner -> payload. */
#include "console.h"
#include "efi/core.h"
#include "layout.h"
#include "memmap.h"
#include "mmu.h"
#include "platform.h"
#include "psci.h"
#include "sysreg.h"
#include "version.h"

struct platform plat;

/* Boot stages, reported in microseconds since the machine started. */
static struct { const char *name; uint64_t us; } stages[12];
static unsigned nr_stages;

static void stage(const char *name)
{
	if (nr_stages < sizeof(stages) / sizeof(stages[0]))
		stages[nr_stages++] = (typeof(stages[0])){ name, timer_us() };
}

static void report_stages(void)
{
	printf("EFI-lite: stages (us since start):");
	for (unsigned i = 0; i < nr_stages; i++)
		printf(" %s %llu", stages[i].name, (unsigned long long)stages[i].us);
	printf("\n");
}

static const char *cpu_name(uint64_t midr)
{
	static const struct { uint32_t id; const char *name; } cpus[] = {
		{ 0x41d03, "Cortex-A53" }, { 0x41d07, "Cortex-A57" }, { 0x41d08, "Cortex-A72" },
		{ 0x41d0b, "Cortex-A76" }, { 0x41d0c, "Neoverse-N1" }, { 0x41d40, "Neoverse-V1" },
		{ 0x41d49, "Neoverse-N2" }, { 0x00051, "QEMU max" },
	};
	uint32_t id = ((midr >> 24) & 0xff) << 12 | ((midr >> 4) & 0xfff);

	for (unsigned i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++)
		if (cpus[i].id == id)
			return cpus[i].name;
	return "unknown CPU";
}

static void banner(unsigned el)
{
	uint64_t midr = read_sysreg(midr_el1);

	printf("EFI-lite %s at EL%u on %s (MIDR %#llx), %u CPU%s, %llu MiB RAM\n",
	       efilite_version, el, cpu_name(midr), (unsigned long long)midr, plat.nr_cpus,
	       plat.nr_cpus == 1 ? "" : "s", (unsigned long long)(plat_ram_total(&plat) >> 20));
	for (unsigned i = 0; i < plat.nr_ram; i++)
		info("  RAM node %d: %#llx-%#llx (%llu MiB)", plat.ram[i].node,
		     (unsigned long long)plat.ram[i].base,
		     (unsigned long long)(plat.ram[i].base + plat.ram[i].size - 1),
		     (unsigned long long)(plat.ram[i].size >> 20));
	info("  devices: console pl011@%#llx, rtc %s%#llx, fw_cfg %s%#llx, PSCI %s",
	     (unsigned long long)plat.uart, plat.rtc ? "pl031@" : "none ",
	     (unsigned long long)plat.rtc, plat.fwcfg ? "@" : "none ",
	     (unsigned long long)plat.fwcfg,
	     plat.psci == PSCI_HVC ? "hvc" : plat.psci == PSCI_SMC ? "smc" : "none");
	info("  memory: %u-bit identity map in %u tables, firmware data %#x-%#llx",
	     mmu_va_bits(), mmu_tables(), FWRAM_BASE,
	     (unsigned long long)(uint64_t)__fwdata_end - 1);
}

#ifdef FAULT_TEST
/* Debug builds only: fault on purpose, as /chosen/bootargs asks, to test crash reports. */
static int overflow(volatile int depth)
{
	volatile char buf[512];

	buf[0] = (char)depth;
	return depth >= 0 ? overflow(depth + 1) + buf[0] : 0;
}

/* Writes past the end of its array, over the canary. */
static void __attribute__((noinline)) smash(volatile unsigned n)
{
	char buf[16];
	volatile char *p = buf;

	for (unsigned i = 0; i < n; i++)
		p[i] = 'A';
}

static void fault_test(void)
{
	const char *a = plat.bootargs ? plat.bootargs : "";

	if (!__builtin_strcmp(a, "fault=canary"))
		smash(64);
	if (!__builtin_strcmp(a, "fault=stack"))
		overflow(0);
	if (!__builtin_strcmp(a, "fault=undef"))
		asm volatile("udf #0");
	uintptr_t null = 8;

	printf("EFI-lite: fault test: dereferencing NULL\n");
	asm("" : "+r"(null));           /* hide the constant from the compiler */
	(void)*(volatile uint32_t *)null;
}
#endif

static void __attribute__((noreturn)) boot(unsigned el)
{
	if (el == 3)
		fatal("started at EL3 (QEMU's secure=on): EFI-lite runs at EL1 or EL2 only; "
		      "start QEMU without secure=on");
	memory_init(&plat);
	stage("memmap");
	mmu_init(&plat, el);
	stage("mmu");
	banner(el);
#ifdef FAULT_TEST
	fault_test();
#endif
	efi_init(&plat);
	stage("efi");
	efi_boot_kernel();
}

/* At ExitBootServices: the last moment the console is ours. */
void efi_before_exit(void)
{
	stage("exit");
	report_stages();
}

/* Entered from boot/head.S with the MMU on. No stack protector here: the canary
 * changes under this function's feet. */
void __attribute__((noreturn, no_stack_protector)) efilite_main(unsigned el, uint64_t t0)
{
	extern uintptr_t __stack_chk_guard;
	const char *why;

	stages[nr_stages++] = (typeof(stages[0])){ "reset", counter_us(t0) };
	stage("main");
	if (dt_parse((const void *)DTB_BASE, &plat, &why) < 0) {
		/* Say so on virt's PL011 and power off through QEMU's PSCI: HVC, or SMC when
		 * started at EL2 (an HVC would come to ourselves). */
		plat.psci = el == 2 ? PSCI_SMC : PSCI_HVC;
		console_init(FALLBACK_UART);
		fatal("%s", why);
	}
	/* A console the tree got wrong would swallow every message: use virt's. */
	why = console_check(&plat);
	if (why)
		plat.uart = FALLBACK_UART;
	console_init(plat.uart);
	if (why)
		warn("%s: using virt's PL011 at %#x instead", why, FALLBACK_UART);
	stage("dt");
	for (unsigned i = 0; i < plat.rng_seed_len; i++)
		__stack_chk_guard = (__stack_chk_guard << 8 | __stack_chk_guard >> 56) ^ plat.rng_seed[i];
	if (!plat.rng_seed_len)
		__stack_chk_guard ^= read_sysreg(cntpct_el0) ^ plat.kaslr_seed;
	boot(el);
}
