/* QEMU's bootorder file, one OpenFirmware device path a line (the devices given
 * bootindex=N, best first). Pure logic over bytes QEMU wrote from its command line. */
#include <string.h>
#include "fwcfg.h"

/* The hex number at s[0..len) into *v; false for anything else or too many digits. */
static bool hex(const char *s, size_t len, uint64_t *v)
{
	*v = 0;
	if (!len || len > 16)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i] | 0x20;

		if (c >= '0' && c <= '9')
			*v = *v << 4 | (c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v << 4 | (c - 'a' + 10);
		else
			return false;
	}
	return true;
}

/* A component "name@unit": name is s[0..*name_len), the unit follows the '@'. */
static const char *unit(const char *s, size_t len, size_t *name_len, size_t *unit_len)
{
	const char *at = memchr(s, '@', len);

	if (!at)
		return NULL;
	*name_len = at - s;
	*unit_len = len - *name_len - 1;
	return at + 1;
}

static bool named(const char *s, size_t len, const char *name)
{
	return len == strlen(name) && !memcmp(s, name, len);
}

/* A PCI function "@dev" or "@dev,fn" (hex). */
static bool pci_unit(const char *u, size_t len, uint8_t *dev, uint8_t *fn)
{
	const char *comma = memchr(u, ',', len);
	size_t dlen = comma ? (size_t)(comma - u) : len;
	uint64_t d, f = 0;

	if (!hex(u, dlen, &d) || (comma && !hex(comma + 1, len - dlen - 1, &f)) || d > 31 ||
	    f > 7)
		return false;
	*dev = d;
	*fn = f;
	return true;
}

int fwcfg_bootorder_line(const char *s, size_t len, struct fwcfg_boot_device *d)
{
	const char *comp[FWCFG_BOOT_PCI_DEPTH + 2];
	size_t clen[FWCFG_BOOT_PCI_DEPTH + 2], n = 0, nl, ul;
	const char *u;

	memset(d, 0, sizeof(*d));
	if (!len || s[0] != '/')
		return -1;
	for (size_t i = 1, start = 1; i <= len; i++) {
		if (i < len && s[i] != '/')
			continue;
		if (n == FWCFG_BOOT_PCI_DEPTH + 2 || i == start)
			return -1;
		comp[n] = s + start;
		clen[n++] = i - start;
		start = i + 1;
	}
	/* the last component is the drive on the device: virtio-blk's is disk@0,0 */
	if (n < 2 || !(u = unit(comp[n - 1], clen[n - 1], &nl, &ul)) ||
	    !named(comp[n - 1], nl, "disk"))
		return -1;
	if (!(u = unit(comp[0], clen[0], &nl, &ul)))
		return -1;
	if (named(comp[0], nl, "virtio-mmio"))
		return n == 2 && hex(u, ul, &d->mmio_base) ? (d->mmio = true, 0) : -1;
	if (!named(comp[0], nl, "pci") || n < 3)
		return -1;
	for (size_t i = 1; i < n - 1; i++) {
		if (!(u = unit(comp[i], clen[i], &nl, &ul)) ||
		    !pci_unit(u, ul, &d->pci_path[i - 1].dev, &d->pci_path[i - 1].fn))
			return -1;
	}
	d->pci_depth = n - 2;
	return 0;
}
