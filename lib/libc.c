/* The few C library functions libfdt and the firmware need, and the stack canary.
 * Built with -fno-tree-loop-distribute-patterns so GCC does not turn these loops back
 * into calls to themselves. */
#include <stddef.h>
#include <stdint.h>


void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	/* When both can be aligned alike: bytes up to the alignment, then four words at a
	 * time (load and store pairs), then words, then the tail. Loading a 28 MiB image
	 * is a memcpy, and under TCG every instruction counts. */
	if (!(((uintptr_t)d ^ (uintptr_t)s) & 7)) {
		for (; n && ((uintptr_t)d & 7); n--)
			*d++ = *s++;
		for (; n >= 32; n -= 32, d += 32, s += 32) {
			const uint64_t *w = (const uint64_t *)s;
			uint64_t a = w[0], b = w[1], c = w[2], e = w[3];

			((uint64_t *)d)[0] = a;
			((uint64_t *)d)[1] = b;
			((uint64_t *)d)[2] = c;
			((uint64_t *)d)[3] = e;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	if (!c && !(((uintptr_t)d | n) & 7)) {
		for (; n >= 32; n -= 32, d += 32)
			((uint64_t *)d)[0] = ((uint64_t *)d)[1] = ((uint64_t *)d)[2] =
				((uint64_t *)d)[3] = 0;
		for (; n; n -= 8, d += 8)
			*(uint64_t *)d = 0;
		return dst;
	}
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const uint8_t *p = s;

	for (; n; n--, p++)
		if (*p == (uint8_t)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n && *a && *a == *b; n--)
		a++, b++;
	return n ? (uint8_t)*a - (uint8_t)*b : 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

unsigned long strtoul(const char *s, char **end, int base)
{
	unsigned long v = 0;

	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, base = 16;
	else if (base == 0)
		base = s[0] == '0' ? 8 : 10;
	for (;; s++) {
		int d = (*s >= '0' && *s <= '9') ? *s - '0' :
			(*s >= 'a' && *s <= 'z') ? *s - 'a' + 10 :
			(*s >= 'A' && *s <= 'Z') ? *s - 'A' + 10 : 99;
		if (d >= base)
			break;
		v = v * base + d;
	}
	if (end)
		*end = (char *)s;
	return v;
}

/* Replaced by a value from the device tree's rng-seed early in boot. */
uintptr_t __stack_chk_guard = 0x5e3a9c1d7b24f086UL;
