/* The one edit the firmware makes to a device tree: the OS's copy (efi/devicetree.c). */
#ifndef EFILITE_DT_EDIT_H
#define EFILITE_DT_EDIT_H

#include <stdint.h>

/* Set property name of node to len bytes at val, adding it (and its name to the strings
 * block) if the node lacks it. The blob needs the usual block order (memory reservations,
 * structure, strings last) and room between the strings block's end and totalsize.
 * 0, or a negative libfdt error (-FDT_ERR_NOSPACE) with the blob unchanged. */
int dt_setprop(void *fdt, int node, const char *name, const void *val, uint32_t len);

#endif
