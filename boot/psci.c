/* PSCI calls through the conduit the device tree names. */
#include "console.h"
#include "mmio.h"
#include "platform.h"
#include "psci.h"
#include "sysreg.h"

static uint64_t psci_call(uint32_t fn)
{
	register uint64_t x0 asm("x0") = fn;
	enum psci_conduit c = plat.psci;

	if (c == PSCI_HVC)
		asm volatile("hvc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
	else if (c == PSCI_SMC)
		asm volatile("smc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
	return x0;
}

static void __attribute__((noreturn)) halt(const char *what)
{
	printf("EFI-lite: PSCI %s failed: halting\n", what);
	for (;;)
		asm volatile("wfi");
}

/* PL061: GPIODIR at 0x400; data writes go through an address mask, bit n at 4 << n. */
static void gpio_poweroff(void)
{
	uint32_t bit = 1u << plat.poweroff_pin;

	if (!plat.poweroff_gpio)
		return;
	writel(plat.poweroff_gpio + 0x400, readl(plat.poweroff_gpio + 0x400) | bit);
	writel(plat.poweroff_gpio + (4u << plat.poweroff_pin), plat.poweroff_active_low ? 0 : bit);
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
