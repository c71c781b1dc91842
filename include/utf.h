/* UTF-8 and UCS-2/UTF-16 (lib/utf.c): QEMU's command line is UTF-8, EFI's strings are
 * CHAR16, and the console's terminal speaks UTF-8. */
#ifndef EFILITE_UTF_H
#define EFILITE_UTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF_REPLACEMENT 0xfffd

/* One character from s[0..len), len >= 1: its code point, or U+FFFD for a malformed
 * sequence (a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF,
 * a sequence cut short). *used is the bytes it took, at least 1; a byte that cannot
 * continue the sequence is not taken. */
uint32_t utf8_decode(const uint8_t *s, size_t len, size_t *used);

/* Continuation bytes a lead byte announces (0 for ASCII and for bytes that lead nothing). */
static inline unsigned utf8_continuations(uint8_t lead)
{
	return lead > 0xf7 ? 0 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
}

/* in[0..len) (stopping at a NUL) as UTF-16, characters beyond U+FFFF as surrogate pairs,
 * NUL-terminated. out must hold len + 1 units. Returns the units written, NUL included. */
size_t utf8_to_utf16(const char *in, size_t len, uint16_t *out);

/* Length of a NUL-terminated UCS-2 string, in CHAR16. */
static inline size_t ucs2_strlen(const uint16_t *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Whether word appears in s[0..n) as a whole space-separated word (a command line). */
bool ucs2_has_word(const uint16_t *s, size_t n, const uint16_t *word);

/* Order two names as versions: runs of digits by their value, anything else by code
 * unit, so "linux-6.10.efi" sorts after "linux-6.9.efi". <0, 0 or >0 like strcmp. */
int ucs2_vercmp(const uint16_t *a, const uint16_t *b);

#endif
