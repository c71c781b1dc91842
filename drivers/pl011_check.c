/* Whether the console the device tree names is one: a PL011 at an address where
 * something else (or nothing) answers would swallow every message, the fatal ones too. */
#include <stdbool.h>
#include "log.h"
#include "platform.h"
#include "probe.h"

/* PrimeCell identification (PL011 TRM, 3.3.14-15): the cell ID bytes at 0xff0-0xffc,
 * part number 0x011 in the low byte of UARTPeriphID0 at 0xfe0. */
static bool pl011_answers(uint64_t base)
{
	static const uint8_t cell_id[4] = { 0x0d, 0xf0, 0x05, 0xb1 };
	uint32_t v;

	for (unsigned i = 0; i < 4; i++)
		if (probe_read32(base + 0xff0 + 4 * i, &v) || (v & 0xff) != cell_id[i])
			return false;
	return !probe_read32(base + 0xfe0, &v) && (v & 0xff) == 0x11;
}

const char *console_check(const struct platform *p)
{
	static char why[96];

	if (!p->uart)
		return p->uart_why;
	if (pl011_answers(p->uart))
		return NULL;
	snprintf(why, sizeof(why), "device tree: console at %#llx does not answer as a PL011",
		 (unsigned long long)p->uart);
	return why;
}
