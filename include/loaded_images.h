/* The images EFI-lite has loaded, kept where the crash report can read them: a fault
 * whose ELR lies in one is that image's, not the firmware's. efi/image.c fills the list
 * (it knows nothing of crashes); boot/crash.c reads it (it knows nothing of EFI). */
#ifndef EFILITE_LOADED_IMAGES_H
#define EFILITE_LOADED_IMAGES_H

#include <stdbool.h>
#include <stdint.h>

#define LOADED_IMAGES_MAX 16    /* more at once are not recorded, only not named */

struct loaded_image_record {
	uint64_t base, size;            /* size 0: the slot is free */
	char name[48];                  /* NUL-terminated, truncated */
	bool exited_boot_services;      /* ExitBootServices was called while it was loaded */
};

/* Record [base, base + size) under name (copied). */
void loaded_image_add(uint64_t base, uint64_t size, const char *name);
/* Forget the image at base (unloaded). */
void loaded_image_remove(uint64_t base);
/* At ExitBootServices: every image loaded now outlives boot services. */
void loaded_images_exit_boot_services(void);
/* The image holding addr, or NULL. */
const struct loaded_image_record *loaded_image_at(uint64_t addr);

#endif
