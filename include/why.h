/* The parsers of untrusted input (PE/COFF, ACPI loader script, SMBIOS, partitions, the
 * device tree) say what is wrong through *why. */
#ifndef EFILITE_EFI_WHY_H
#define EFILITE_EFI_WHY_H

#include <stdarg.h>
#include "log.h"

/* Format the message into one buffer (lib/why.c), point *why at it and return -1. The
 * buffer is shared: every caller reports the message before anything parses again. */
int __attribute__((format(printf, 2, 3))) fail(const char **why, const char *fmt, ...);

#endif
