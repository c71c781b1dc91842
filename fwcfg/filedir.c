/* The fw_cfg file directory (item FW_CFG_FILE_DIR): a be32 count, then count entries.
 * Pure logic, so the host tests feed it malformed directories. */
#include <string.h>
#include "fwcfg.h"

int fwcfg_dir_find(const void *dir, size_t len, const char *name, uint16_t *item,
		   uint32_t *size)
{
	size_t namelen = strnlen(name, FW_CFG_MAX_FILE_PATH);
	struct fwcfg_file f;
	uint32_t count;

	/* The blob need not be aligned: fields are copied out, never read in place. */
	if (len < sizeof(count))
		return FWCFG_BAD_DIR;
	memcpy(&count, dir, sizeof(count));
	count = __builtin_bswap32(count);
	if (count > (len - sizeof(count)) / sizeof(f))
		return FWCFG_BAD_DIR;
	/* A name that fills the field has no room for its NUL: no entry can hold it. */
	if (namelen == 0 || namelen == FW_CFG_MAX_FILE_PATH)
		return FWCFG_NOT_FOUND;
	for (uint32_t i = 0; i < count; i++) {
		memcpy(&f, (const char *)dir + sizeof(count) + (size_t)i * sizeof(f), sizeof(f));
		/* Comparing the NUL too: an entry matches only if its name ends right there,
		 * so an unterminated name never matches. */
		if (!memcmp(f.name, name, namelen + 1)) {
			*item = __builtin_bswap16(f.select);
			*size = __builtin_bswap32(f.size);
			return 0;
		}
	}
	return FWCFG_NOT_FOUND;
}
