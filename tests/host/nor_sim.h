/* A simulated NOR flash behind runtime/varstore.h's flash interface, for host tests and
 * the fuzzer: erase sets a sector to ones, a program may only clear bits (one that
 * would set a bit calls nor.violation), and a power cut after a chosen number of
 * program and erase steps makes every later step fail without effect. */
#ifndef NOR_SIM_H
#define NOR_SIM_H

#include <stddef.h>
#include <stdint.h>
#include "../../runtime/varstore.h"

struct nor_sim {
	uint8_t *mem;
	size_t size;
	uint32_t sector_size;
	long steps;             /* program and erase steps done */
	long cut;               /* power cut once steps reaches it; -1: never */
	int dead;               /* the power is off */
	int readonly;           /* every step fails, as QEMU's readonly=on drive */
	void (*violation)(uint32_t off, uint32_t old, uint32_t word);
};
extern struct nor_sim nor;

/* A bank of size bytes in sectors of sector_size, every byte fill. */
void nor_init(size_t size, uint32_t sector_size, uint8_t fill);
struct vs_flash nor_flash(void);

#endif
