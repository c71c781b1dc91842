/* libFuzzer target for the boot manager's parsers of what others wrote: the input is
 * taken as an EFI_LOAD_OPTION (efi/load_option.c) and as QEMU's bootorder file
 * (fwcfg/bootorder.c), line by line. Whatever is accepted must lie inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "efi/load_option.h"
#include "fwcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);
	struct fwcfg_boot_device d;
	struct load_option o;

	memcpy(b, data, len);
	if (load_option_parse(b, len, &o)) {
		const uint8_t *end = b + len;

		if ((const uint8_t *)o.path + o.path_size > end || o.data + o.data_size != end ||
		    o.path_size < 8)
			abort();
	}
	for (size_t start = 0, i = 0; i <= len; i++) {
		if (i < len && b[i] != '\n')
			continue;
		if (!fwcfg_bootorder_line((const char *)b + start, i - start, &d) &&
		    (d.mmio ? d.pci_depth != 0 : !d.pci_depth || d.pci_depth > FWCFG_BOOT_PCI_DEPTH))
			abort();
		start = i + 1;
	}
	free(b);
	return 0;
}
