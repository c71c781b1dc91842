/* The loaded-image list the crash report reads (include/loaded_images.h). A fixed array
 * in the firmware's data: the crash report must work when nothing else does. */
#include <string.h>
#include "loaded_images.h"

static struct loaded_image_record records[LOADED_IMAGES_MAX];

void loaded_image_add(uint64_t base, uint64_t size, const char *name)
{
	for (unsigned i = 0; i < LOADED_IMAGES_MAX; i++) {
		struct loaded_image_record *r = &records[i];

		if (r->size)
			continue;
		r->base = base;
		r->size = size;
		r->exited_boot_services = false;
		memset(r->name, 0, sizeof(r->name));
		memcpy(r->name, name, strnlen(name, sizeof(r->name) - 1));
		return;
	}
}

void loaded_image_remove(uint64_t base)
{
	for (unsigned i = 0; i < LOADED_IMAGES_MAX; i++)
		if (records[i].size && records[i].base == base)
			records[i].size = 0;
}

void loaded_images_exit_boot_services(void)
{
	for (unsigned i = 0; i < LOADED_IMAGES_MAX; i++)
		records[i].exited_boot_services = records[i].size != 0;
}

const struct loaded_image_record *loaded_image_at(uint64_t addr)
{
	for (unsigned i = 0; i < LOADED_IMAGES_MAX; i++)
		if (records[i].size && addr - records[i].base < records[i].size)
			return &records[i];
	return NULL;
}
