/* The crash report: every exception taken by EFI-lite's own code is fatal (but the
 * aborts a registered hook handles). Print what the architecture tells us about it, the
 * registers and a backtrace, then power off. */
#include "log.h"
#include "layout.h"
#include "loaded_images.h"
#include "platform.h"
#include "probe.h"
#include "psci.h"
#include "sysreg.h"

struct exc_frame {
	uint64_t x[31];
	uint64_t sp_el0;
};

/* Sparse: a 64-pointer array indexed by EC would be mostly NULLs (512 bytes of flash). */
static const struct { uint8_t ec; const char *name; } ec_names[] = {
	{ 0x00, "unknown reason (undefined instruction)" },
	{ 0x01, "WFI/WFE trapped" },
	{ 0x07, "FP/SIMD access trapped" },
	{ 0x0e, "illegal execution state" },
	{ 0x15, "SVC" },
	{ 0x16, "HVC" },
	{ 0x17, "SMC" },
	{ 0x18, "system register access trapped" },
	{ 0x20, "instruction abort from a lower EL" },
	{ 0x21, "instruction abort" },
	{ 0x22, "PC alignment fault" },
	{ 0x24, "data abort from a lower EL" },
	{ 0x25, "data abort" },
	{ 0x26, "SP alignment fault" },
	{ 0x2f, "SError" },
	{ 0x30, "breakpoint from a lower EL" },
	{ 0x31, "breakpoint" },
	{ 0x3c, "BRK instruction" },
};

static const char *ec_name(uint32_t ec)
{
	for (unsigned i = 0; i < sizeof(ec_names) / sizeof(ec_names[0]); i++)
		if (ec_names[i].ec == ec)
			return ec_names[i].name;
	return "(not decoded)";
}

static const char *const kinds[4] = { "synchronous", "IRQ", "FIQ", "SError" };
static const char *const sources[4] = {
	"current EL with SP_EL0", "current EL with SP_ELx", "lower EL (AArch64)", "lower EL (AArch32)"
};

/* Fault status code of an abort (ESR ISS[5:0]). */
static void print_fsc(uint32_t fsc)
{
	static const char *const types[] = { "address size", "translation", "access flag", "permission" };

	if (fsc < 16)
		printf("%s fault at level %u", types[fsc >> 2], fsc & 3);
	else if (fsc == 0x10)
		printf("synchronous external abort");
	else if (fsc == 0x21)
		printf("alignment fault");
	else
		printf("fault status %#x", fsc);
}

static int on_stack(uint64_t a)
{
	return a >= FWRAM_BASE && a + 16 <= EXC_STACK_TOP && !(a & 7);
}

static void backtrace(uint64_t fp)
{
	for (int i = 0; i < 16 && on_stack(fp); i++) {
		const uint64_t *frame = (const uint64_t *)fp;

		if (!frame[1])
			break;
		const struct loaded_image_record *img = loaded_image_at(frame[1]);

		printf("  [%d] %#llx", i, (unsigned long long)frame[1]);
		if (img)
			printf("  (%s+%#llx)", img->name, (unsigned long long)(frame[1] - img->base));
		printf("\n");
		fp = frame[0];
	}
}

static bool is_abort(unsigned ec)
{
	return ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25;
}

static uint64_t (*abort_hook)(uint64_t esr, uint64_t far, uint64_t elr);

void crash_set_abort_hook(uint64_t (*hook)(uint64_t esr, uint64_t far, uint64_t elr))
{
	abort_hook = hook;
}

static const struct region *ram;        /* what the device tree declared */
static unsigned nr_ram;

void crash_set_ram(const struct region *regions, unsigned n)
{
	ram = regions;
	nr_ram = n;
}

/* The RAM region the device tree declared that holds a, or NULL. */
static const struct region *dt_ram_at(uint64_t a)
{
	for (unsigned i = 0; i < nr_ram; i++)
		if (a - ram[i].base < ram[i].size)
			return &ram[i];
	return NULL;
}

/* What FAR points at, when the exception is an abort (FAR is UNKNOWN otherwise). */
static void print_far(uint64_t far, unsigned ec, uint32_t fsc)
{
	const struct region *ram = dt_ram_at(far);

	printf("FAR  %#018llx", (unsigned long long)far);
	if (!is_abort(ec))
		printf("  (not valid for this exception)");
	else if (far >= GUARD_BASE && far < FWRAM_BASE)
		printf("  (stack overflow: guard region)");
	else if (far < 4096)
		printf("  (NULL pointer dereference)");
	else if (ram && fsc == 0x10)
		printf("\n     in RAM the device tree declares (%s %#llx-%#llx) but the machine "
		       "does not answer there: that RAM may not exist", ram->name ? ram->name : "",
		       (unsigned long long)ram->base,
		       (unsigned long long)(ram->base + ram->size - 1));
	printf("\n");
}

/* An undefined MRS/MSR is the usual way a CPU model and the machine disagree (a64fx
 * claims a GICv3 CPU interface a GICv2 machine lacks): name the register. */
static void print_insn(uint64_t elr)
{
	uint32_t insn;

	if ((elr & 3) || probe_read32(elr, &insn))
		return;
	printf("Instruction at ELR: %#010x", insn);
	if ((insn & 0xffd00000) == 0xd5100000) {
		unsigned op1 = insn >> 16 & 7, crn = insn >> 12 & 15, crm = insn >> 8 & 15;

		printf(" (%s S%u_%u_C%u_C%u_%u)", insn & (1 << 21) ? "MRS" : "MSR",
		       2 + (insn >> 19 & 1), op1, crn, crm, insn >> 5 & 7);
		if ((insn >> 19 & 1) && crn == 12 && crm >= 8 && crm <= 12 && (op1 == 0 || op1 == 4))
			printf("\n     a GICv3 CPU interface register (ICC_*); this CPU's "
			       "ID_AA64PFR0_EL1.GIC says %s",
			       read_sysreg(id_aa64pfr0_el1) >> 24 & 0xf ? "it has one: the CPU "
			       "model and the machine's GIC disagree" : "it has none");
	}
	printf("\n");
}

static void print_image(const struct loaded_image_record *img, uint64_t elr)
{
	printf("ELR is at offset %#llx in %s, loaded at %#llx (%llu KiB), %s ExitBootServices\n",
	       (unsigned long long)(elr - img->base), img->name, (unsigned long long)img->base,
	       (unsigned long long)(img->size >> 10), img->exited_boot_services ? "after" : "before");
}

static void set_elr(uint64_t v)
{
	if (current_el() == 1)
		write_sysreg(elr_el1, v);
	else
		write_sysreg(elr_el2, v);
}

/* Returns only for a probing read's abort, and an exception the hook handled
 * (boot/vectors.S then resumes at ELR). */
void crash_report(struct exc_frame *f, unsigned kind)
{
	static int crashing;
	uint64_t esr = read_elx(esr), far = read_elx(far), elr = read_elx(elr);
	uint64_t spsr = read_elx(spsr), fixup, resume;
	unsigned ec = (esr >> 26) & 0x3f;
	const struct loaded_image_record *img;

	if (ec == 0x25 && (fixup = probe_fixup(elr))) {
		set_elr(fixup);
		return;
	}
	/* Not while reporting a crash, nor from the handler's own stack. */
	if (!crashing && kind == 0 && abort_hook && (resume = abort_hook(esr, far, elr))) {
		if (resume != elr)
			set_elr(resume);
		return;
	}
	if (crashing++)
		psci_system_off();      /* a fault while reporting one: just stop */
	img = loaded_image_at(elr);
	if (img)
		printf("\n*** Crash in %s (an image EFI-lite loaded), not in EFI-lite: %s "
		       "exception from %s at EL%u\n", img->name, kinds[kind & 3],
		       sources[kind >> 2], current_el());
	else
		printf("\n*** EFI-lite crash: %s exception from %s at EL%u\n",
		       kinds[kind & 3], sources[kind >> 2], current_el());
	if (img)
		print_image(img, elr);
	printf("ESR  %#018llx  EC %#04x: %s", (unsigned long long)esr, ec,
	       ec_name(ec));
	if (is_abort(ec)) {
		printf(", ");
		print_fsc(esr & 0x3f);
		if (ec >= 0x24)
			printf(esr & (1 << 6) ? " on write" : " on read");
	}
	printf("\n");
	print_far(far, ec, esr & 0x3f);
	printf("ELR  %#018llx  SPSR %#010llx  SP %#018llx\n", (unsigned long long)elr,
	       (unsigned long long)spsr, (unsigned long long)f->sp_el0);
	if (ec == 0x00)
		print_insn(elr);
	for (int i = 0; i < 31; i++)
		printf("x%-2d %#018llx%s", i, (unsigned long long)f->x[i], i % 4 == 3 ? "\n" : "  ");
	printf("\nBacktrace:\n  [pc] %#llx\n", (unsigned long long)elr);
	backtrace(f->x[29]);
	printf("EFI-lite: powering off\n");
	psci_system_off();
}

/* EL2 took an exception while the firmware ran at EL1 (boot/head.S). */
void el2_unexpected_report(uint64_t esr, uint64_t elr)
{
	fatal("unexpected exception at EL2: ESR %#llx, ELR %#llx", (unsigned long long)esr,
	      (unsigned long long)elr);
}
