/* The parsers of untrusted input (PE/COFF, ACPI loader script, SMBIOS, partitions) say what is wrong
 * through *why: one message at a time, so each parser has one buffer of its own. */
#ifndef EFILITE_EFI_WHY_H
#define EFILITE_EFI_WHY_H

#include <stdarg.h>
#include "log.h"

static inline int __attribute__((format(printf, 2, 3))) fail(const char **why,
							      const char *fmt, ...)
{
	static char msg[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*why = msg;
	return -1;
}

#endif
