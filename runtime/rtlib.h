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

	if (d == s)             /* a variable replaced by one of its size moves nothing */
		return;
	if (d < s) {
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

/* CRC-32 (IEEE 802.3), a nibble at a time: 64 bytes of table in the blob's read-only
 * part, a quarter of the bitwise loop's instructions (every record of the variable
 * store is checked at every start). Same convention as lib/crc32.c: start with 0,
 * feed further pieces the previous result. */
static inline UINT32 rt_crc32_update(UINT32 crc, const void *data, UINTN n)
{
	static const UINT32 nibble[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
		0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const UINT8 *p = data;

	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ nibble[crc & 15];
		crc = (crc >> 4) ^ nibble[crc & 15];
	}
	return ~crc;
}

#endif
