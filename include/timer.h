/* The generic timer's physical counter, which starts with the machine. */
#ifndef EFILITE_TIMER_H
#define EFILITE_TIMER_H

#include <stdint.h>

/* ticks of a freq Hz counter in units of 1/per_second s, split so that ticks * per_second
 * cannot overflow (per_second <= 10^9, freq < 2^32). */
static inline uint64_t counter_scale(uint64_t ticks, uint64_t freq, uint64_t per_second)
{
	return ticks / freq * per_second + ticks % freq * per_second / freq;
}

#ifndef HOST_TEST
#include "sysreg.h"

static inline uint64_t counter_us(uint64_t ticks)
{
	return counter_scale(ticks, read_sysreg(cntfrq_el0), 1000000);
}

/* Microseconds since the machine started. */
static inline uint64_t timer_us(void)
{
	return counter_us(read_sysreg(cntpct_el0));
}
#endif
#endif
