/* The simulated NOR flash of nor_sim.h. */
#include <stdlib.h>
#include <string.h>
#include "nor_sim.h"

struct nor_sim nor;

void nor_init(size_t size, uint32_t sector_size, uint8_t fill)
{
	free(nor.mem);
	nor = (struct nor_sim){ malloc(size), size, sector_size, 0, -1, 0, 0, nor.violation };
	memset(nor.mem, fill, size);
}

struct vs_flash nor_flash(void)
{
	return (struct vs_flash){ (uint64_t)(uintptr_t)nor.mem, nor.sector_size };
}

UINT32 vs_flash_read(const struct vs_flash *f, UINT32 off)
{
	uint32_t w;

	if (off > nor.size - 4 || (off & 3))
		abort();                /* the store read outside its flash */
	memcpy(&w, (const uint8_t *)(uintptr_t)f->base + off, 4);
	return w;
}

/* One step more; 0 if it may run. */
static int step(void)
{
	if (nor.cut >= 0 && nor.steps >= nor.cut)
		nor.dead = 1;
	if (nor.dead || nor.readonly)
		return -1;
	nor.steps++;
	return 0;
}

int vs_flash_program(const struct vs_flash *f, UINT32 off, UINT32 word)
{
	uint32_t old;

	if (off > nor.size - 4 || (off & 3))
		abort();
	if (step())
		return -1;
	memcpy(&old, nor.mem + off, 4);
	if ((word & ~old) && nor.violation)
		nor.violation(off, old, word);
	old &= word;
	memcpy(nor.mem + off, &old, 4);
	return 0;
}

int vs_flash_erase(const struct vs_flash *f, UINT32 off)
{
	if (off % nor.sector_size || off >= nor.size)
		abort();
	if (step())
		return -1;
	memset(nor.mem + off, 0xff, nor.sector_size);
	return 0;
}
