/* PSCI calls through the conduit the device tree names; QEMU's gpio-poweroff line when
 * there is no PSCI (EL3). */
#include "console.h"
#include "log.h"
#include "mmio.h"
#include "psci.h"

static struct {
	enum psci_conduit conduit;
	uint64_t gpio;          /* PL061 base, 0 if none */
	unsigned pin;
	bool active_low;
} psci;

void psci_init(enum psci_conduit conduit, uint64_t poweroff_gpio, unsigned pin, bool active_low)
{
	psci.conduit = conduit;
	psci.gpio = poweroff_gpio;
	psci.pin = pin;
	psci.active_low = active_low;
}

static uint64_t psci_call(uint32_t fn)
{
	register uint64_t x0 asm("x0") = fn;

	if (psci.conduit == PSCI_HVC)
		asm volatile("hvc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
	else if (psci.conduit == PSCI_SMC)
		asm volatile("smc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
	return x0;
}

static void __attribute__((noreturn)) halt(const char *what)
{
	static const char msg[] = " failed: halting\n";

	console_write("EFI-lite: PSCI ", 15);
	console_write(what, __builtin_strlen(what));
	console_write(msg, sizeof(msg) - 1);
	for (;;)
		asm volatile("wfi");
}

/* PL061: GPIODIR at 0x400; data writes go through an address mask, bit n at 4 << n. */
static void gpio_poweroff(void)
{
	uint32_t bit = 1u << psci.pin;

	if (!psci.gpio)
		return;
	writel(psci.gpio + 0x400, readl(psci.gpio + 0x400) | bit);
	writel(psci.gpio + (4u << psci.pin), psci.active_low ? 0 : bit);
}

void psci_system_off(void)
{
	psci_call(PSCI_SYSTEM_OFF);
	gpio_poweroff();
	halt("SYSTEM_OFF");
}

void psci_system_reset(void)
{
	psci_call(PSCI_SYSTEM_RESET);
	halt("SYSTEM_RESET");
}
