/* Small helpers every file may use, firmware and host tests alike. */
#ifndef EFILITE_UTIL_H
#define EFILITE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The byte sum ACPI and SMBIOS checksums are made of (a table is valid when it is 0). */
static inline uint8_t sum8(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

#endif
