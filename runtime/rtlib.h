/*
 * For code that runs after ExitBootServices (runtime/): it is copied to
 * EfiRuntimeServicesCode memory, may be moved by SetVirtualAddressMap, and must neither
 * call into the firmware in flash nor touch boot-services memory. So its helpers are
 * inline, and the build checks that runtime/ objects reference nothing outside
 * themselves (tests/test_image.py). Each is a deliberate twin of a boot-time helper:
 * rt_memcpy, rt_memmove, rt_memset, rt_memcmp of lib/libc.c's; rt_guid_eq of
 * efi_guid_eq (include/efi/core.h).
 */
#ifndef EFILITE_RTLIB_H
#define EFILITE_RTLIB_H

#include "efitypes.h"

/* Marks runtime state, for the reader: the build already moves every section of an
 * runtime/ object into the runtime blob (objcopy --prefix-alloc-sections=.rt). */
#define RT_DATA

static inline void rt_memcpy(void *dst, const void *src, UINTN n)
{
	volatile UINT8 *d = dst;       /* volatile: GCC must not turn this into memcpy() */
	const UINT8 *s = src;

	while (n--)
		*d++ = *s++;
}

static inline void rt_memmove(void *dst, const void *src, UINTN n)
{
	volatile UINT8 *d = dst;
	const UINT8 *s = src;

	if (d <= s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
}

static inline void rt_memset(void *dst, UINT8 c, UINTN n)
{
	volatile UINT8 *d = dst;

	while (n--)
		*d++ = c;
}

static inline int rt_memcmp(const void *a, const void *b, UINTN n)
{
	const UINT8 *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

/* Length in CHAR16 of a NUL-terminated UCS-2 string, at most max. */
static inline UINTN rt_strnlen16(const CHAR16 *s, UINTN max)
{
	UINTN n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

static inline int rt_guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return !rt_memcmp(a, b, sizeof(*a));
}

/* CRC-32 (IEEE 802.3), bitwise: table-free for the runtime blob. Same convention as
 * lib/crc32.c: start with 0, feed further pieces the previous result. */
static inline UINT32 rt_crc32_update(UINT32 crc, const void *data, UINTN n)
{
	const UINT8 *p = data;

	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xedb88320 : 0);
	}
	return ~crc;
}

#endif
