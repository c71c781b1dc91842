/* The boot sequence, top-down in efilite_main: device tree -> memory map -> run-time
 * tables -> banner -> the UEFI core -> the payload. Everything below it is initialised
 * from here, and nothing below calls back up. */
#include "console.h"
#include "disks.h"
#include "efi/core.h"
#include "efi/disk.h"
#include "fwcfg.h"
#include "layout.h"
#include "log.h"
#include "memmap.h"
#include "mmu.h"
#include "platform.h"
#include "psci.h"
#include "runtime.h"
#include "sysreg.h"
#include "timer.h"
#include "version.h"
#include "wx.h"
#include "util.h"

static struct platform plat;

/* Boot stages, reported in microseconds since the machine started. */
static struct { const char *name; uint64_t us; } stages[12];
static unsigned nr_stages;

static void stage(const char *name)
{
	if (nr_stages < ARRAY_SIZE(stages))
		stages[nr_stages++] = (typeof(stages[0])){ name, timer_us() };
}

/* At ExitBootServices (an event of its group): the last moment the console is ours. */
static VOID EFIAPI report_stages(EFI_EVENT event, VOID *ctx)
{
	stage("exit");
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

	for (unsigned i = 0; i < ARRAY_SIZE(cpus); i++)
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

	if (__builtin_strcmp(a, "fault=null"))
		return;                 /* no fault asked for: boot on (tests/test_disks.py) */
	printf("EFI-lite: fault test: dereferencing NULL\n");
	asm("" : "+r"(null));           /* hide the constant from the compiler */
	(void)*(volatile uint32_t *)null;
}
#endif

/* The device tree QEMU put at the base of RAM says what the machine has. A tree we
 * cannot use is reported on virt's PL011, and the machine powered off through QEMU's
 * PSCI: HVC, or SMC when started at EL2 (an HVC would come to ourselves). */
static void read_device_tree(unsigned el)
{
	const char *why;

	if (dt_parse((const void *)DTB_BASE, &plat, &why) < 0) {
		psci_init(el == 2 ? PSCI_SMC : PSCI_HVC, 0, 0, false);
		console_init(FALLBACK_UART);
		fatal("%s", why);
	}
	psci_init(plat.psci, plat.poweroff_gpio, plat.poweroff_pin, plat.poweroff_active_low);
	crash_set_ram(plat.ram, plat.nr_ram);
	/* A console the tree got wrong would swallow every message: use virt's. */
	why = console_check(&plat);
	if (why)
		plat.uart = FALLBACK_UART;
	console_init(plat.uart);
	if (why)
		warn("%s: using virt's PL011 at %#x instead", why, FALLBACK_UART);
}

/* The system table, in the runtime blob (the OS reads it after ExitBootServices). */
static void system_table(EFI_HANDLE console)
{
	struct rt_state *state = rt_state();

	efi_st = &state->st;
	efi_st->Hdr = (EFI_TABLE_HEADER){ EFI_SYSTEM_TABLE_SIGNATURE, EFI_2_100_SYSTEM_TABLE_REVISION,
					  sizeof(*efi_st), 0, 0 };
	efi_st->FirmwareVendor = state->vendor;
	efi_st->FirmwareRevision = 1;
	efi_st->ConsoleInHandle = efi_st->ConsoleOutHandle = efi_st->StandardErrorHandle = console;
	efi_st->ConIn = &efi_conin;
	efi_st->ConOut = efi_st->StdErr = &efi_conout;
	efi_st->RuntimeServices = &state->rs;
	efi_st->BootServices = &efi_bs;
	efi_st->ConfigurationTable = state->config;
	efi_table_crc(&efi_st->Hdr);
}

/* EFI_MEMORY_ATTRIBUTE_PROTOCOL, unless the command line carries EDK2's switch for shim
 * 15.6/15.7, which crash on arm64 when it is there: the same line works on both. */
static void memory_attributes(void)
{
	static const char knob[] = "opt/org.tianocore/UninstallMemAttrProtocol";
	bool off;

	if (!fwcfg_read_bool(knob, &off) && off) {
		info("EFI-lite: EFI_MEMORY_ATTRIBUTE_PROTOCOL not installed (fw_cfg %s)", knob);
		return;
	}
	if (efi_memattr_init(plat.ram, plat.nr_ram))
		fatal("cannot install EFI_MEMORY_ATTRIBUTE_PROTOCOL");
}

/* Entered from boot/head.S with the MMU on. No stack protector here: the canary
 * changes under this function's feet (it never returns, so it never checks it). */
void __attribute__((noreturn, no_stack_protector)) efilite_main(unsigned el, uint64_t t0)
{
	extern uintptr_t __stack_chk_guard;
	EFI_HANDLE console = NULL;
	EFI_EVENT exit_event;

	stages[nr_stages++] = (typeof(stages[0])){ "reset", counter_us(t0) };
	stage("main");
	read_device_tree(el);
	stage("dt");
	for (unsigned i = 0; i < plat.rng_seed_len; i++)
		__stack_chk_guard = (__stack_chk_guard << 8 | __stack_chk_guard >> 56) ^ plat.rng_seed[i];
	if (!plat.rng_seed_len)
		__stack_chk_guard ^= read_sysreg(cntpct_el0) ^ plat.kaslr_seed;
	if (el == 3)
		fatal("started at EL3 (QEMU's secure=on): EFI-lite runs at EL1 or EL2 only; "
		      "start QEMU without secure=on");

	/* Memory: the EFI memory map, then translation tables for all of it. */
	memory_init(&plat);
	stage("memmap");
	mmu_init(&plat, el);
	crash_set_abort_hook(wx_abort);        /* legacy loaders' code pages (mm/wx.c) */
	stage("mmu");
	banner(el);
#ifdef FAULT_TEST
	fault_test();
#endif

	/* The UEFI core: tables and services, then the protocols and tables on them. */
	efi_boot_services_init();
	efi_runtime_init(&plat);
	efi_var_flash_init(&plat);     /* before any variable is set */
	if (efi_simple_text_init(&console))
		fatal("cannot install the console protocols");
	system_table(console);
	efi_global_vars_init();
	efi_image_init();
	if (efi_devpath_init())
		fatal("cannot install EFI_DEVICE_PATH_UTILITIES_PROTOCOL");
	efi_devpath_text_init();
	if (efi_rng_init(plat.rng_seed, plat.rng_seed_len))
		warn("no entropy (no rng-seed, no RNDR): EFI_RNG_PROTOCOL not offered");
	efi_install_fdt(plat.fdt);

	/* Disks: PCI and virtio-mmio, then their partitions and file systems. */
	disks_init(&plat);
	efi_disks_init();

	/* What QEMU hands over through fw_cfg: ACPI and SMBIOS tables, then the kernel. */
	if (!plat.fwcfg || fwcfg_init(plat.fwcfg, plat.ram, plat.nr_ram))
		fatal("no usable fw_cfg device: cannot load a kernel");
	memory_attributes();
	efi_acpi_init();
	efi_smbios_init();
	/* Last: the Memory Attributes Table lists every runtime region made so far. */
	efi_runtime_tables();
	if (CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_NOTIFY, report_stages, NULL,
			  &efi_exit_boot_services_guid, &exit_event))
		fatal("cannot create the ExitBootServices event");
	stage("efi");
	efi_boot_kernel();
}
