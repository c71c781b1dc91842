/*
 * Setting a property in a device tree blob, in place. libfdt has this (fdt_setprop), but
 * its fdt_rw object and the fdt_wip one it pulls in are 4.5 KB of flash for the firmware's
 * only edit: Debian's libfdt.a links whole objects. This handles the one layout that
 * edit sees, QEMU's and dtc's: the strings block last, room after it.
 */
#include <libfdt.h>
#include <stdbool.h>
#include <string.h>
#include "dt_edit.h"

#define ALIGN4(n) (((n) + 3) & ~3u)      /* structure-block items are 32-bit aligned */

static char *at(void *fdt, uint32_t off)
{
	return (char *)fdt + off;
}

static uint32_t blob_end(const void *fdt)
{
	return fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt);
}

/* Open len bytes at off by moving everything from there to the blob's end up. */
static void make_room(void *fdt, uint32_t off, uint32_t len)
{
	memmove(at(fdt, off + len), at(fdt, off), blob_end(fdt) - off);
}

/* Where name already is in the strings block (a NUL-terminated match anywhere, even
 * the tail of a longer name), or -1. */
static int find_string(const void *fdt, const char *name, uint32_t len)
{
	const char *s = (const char *)fdt + fdt_off_dt_strings(fdt);

	for (uint32_t i = 0; i + len <= fdt_size_dt_strings(fdt); i++)
		if (!memcmp(s + i, name, len))
			return i;
	return -1;
}

static bool layout_ok(const void *fdt)
{
	return fdt_off_mem_rsvmap(fdt) <= fdt_off_dt_struct(fdt) &&
	       fdt_off_dt_struct(fdt) + fdt_size_dt_struct(fdt) <= fdt_off_dt_strings(fdt) &&
	       fdt_off_dt_strings(fdt) <= blob_end(fdt) && blob_end(fdt) <= fdt_totalsize(fdt);
}

/* An old value of another length is overwritten with FDT_NOP tags, which readers skip;
 * the new property goes first in the node, right after its name. */
int dt_setprop(void *fdt, int node, const char *name, const void *val, uint32_t len)
{
	uint32_t name_len = strlen(name) + 1, size = sizeof(struct fdt_property) + ALIGN4(len);
	const char *node_name = at(fdt, fdt_off_dt_struct(fdt) + node + FDT_TAGSIZE);
	uint32_t off = fdt_off_dt_struct(fdt) + node + FDT_TAGSIZE + ALIGN4(strlen(node_name) + 1);
	int old_len, nameoff = find_string(fdt, name, name_len);
	struct fdt_property *prop = fdt_get_property_w(fdt, node, name, &old_len);

	if (prop && (uint32_t)old_len == len) {
		memcpy(prop->data, val, len);
		return 0;
	}
	if (!layout_ok(fdt) || len > INT32_MAX ||
	    fdt_totalsize(fdt) - blob_end(fdt) < size + (nameoff < 0 ? name_len : 0))
		return -FDT_ERR_NOSPACE;
	if (prop)
		for (uint32_t *w = (uint32_t *)prop, n = (sizeof(*prop) + ALIGN4(old_len)) / 4; n--; )
			*w++ = cpu_to_fdt32(FDT_NOP);
	if (nameoff < 0) {
		nameoff = fdt_size_dt_strings(fdt);
		memcpy(at(fdt, blob_end(fdt)), name, name_len);
		fdt_set_size_dt_strings(fdt, nameoff + name_len);
	}
	make_room(fdt, off, size);
	prop = (struct fdt_property *)at(fdt, off);
	prop->tag = cpu_to_fdt32(FDT_PROP);
	prop->len = cpu_to_fdt32(len);
	prop->nameoff = cpu_to_fdt32(nameoff);
	memset(prop->data, 0, ALIGN4(len));
	memcpy(prop->data, val, len);
	fdt_set_size_dt_struct(fdt, fdt_size_dt_struct(fdt) + size);
	fdt_set_off_dt_strings(fdt, fdt_off_dt_strings(fdt) + size);
	return 0;
}
