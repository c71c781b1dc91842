/* The crash report: every exception taken by EFI-lite's own code is fatal. Print what
 * the architecture tells us about it, the registers and a backtrace, then power off. */
#include "log.h"
#include "layout.h"
#include "psci.h"
#include "sysreg.h"

struct exc_frame {
	uint64_t x[31];
	uint64_t sp_el0;
};

static const char *const ec_names[64] = {
	[0x00] = "unknown reason (undefined instruction)",
	[0x01] = "WFI/WFE trapped",
	[0x07] = "FP/SIMD access trapped",
	[0x0e] = "illegal execution state",
	[0x15] = "SVC",
	[0x16] = "HVC",
	[0x17] = "SMC",
	[0x18] = "system register access trapped",
	[0x20] = "instruction abort from a lower EL",
	[0x21] = "instruction abort",
	[0x22] = "PC alignment fault",
	[0x24] = "data abort from a lower EL",
	[0x25] = "data abort",
	[0x26] = "SP alignment fault",
	[0x2f] = "SError",
	[0x30] = "breakpoint from a lower EL",
	[0x31] = "breakpoint",
	[0x3c] = "BRK instruction",
};

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
		printf("  [%d] %#llx\n", i, (unsigned long long)frame[1]);
		fp = frame[0];
	}
}

void crash_report(struct exc_frame *f, unsigned kind)
{
	static int crashing;
	uint64_t esr = read_elx(esr), far = read_elx(far), elr = read_elx(elr);
	uint64_t spsr = read_elx(spsr);
	unsigned ec = (esr >> 26) & 0x3f;

	if (crashing++)
		psci_system_off();      /* a fault while reporting one: just stop */
	printf("\n*** EFI-lite crash: %s exception from %s at EL%u\n",
	       kinds[kind & 3], sources[kind >> 2], current_el());
	printf("ESR  %#018llx  EC %#04x: %s", (unsigned long long)esr, ec,
	       ec_names[ec] ? ec_names[ec] : "(not decoded)");
	if (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25) {
		printf(", ");
		print_fsc(esr & 0x3f);
		if (ec >= 0x24)
			printf(esr & (1 << 6) ? " on write" : " on read");
	}
	printf("\nFAR  %#018llx%s\n", (unsigned long long)far,
	       far >= GUARD_BASE && far < FWRAM_BASE ? "  (stack overflow: guard region)" :
	       far < 4096 ? "  (NULL pointer dereference)" : "");
	printf("ELR  %#018llx  SPSR %#010llx  SP %#018llx\n", (unsigned long long)elr,
	       (unsigned long long)spsr, (unsigned long long)f->sp_el0);
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
