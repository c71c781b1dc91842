/* UTF-8 in, UTF-16 out: one decoder for the command line and the console. */
#include "utf.h"

uint32_t utf8_decode(const uint8_t *s, size_t len, size_t *used)
{
	static const uint32_t least[] = { 0, 0x80, 0x800, 0x10000 };   /* overlongs below */
	unsigned need = utf8_continuations(s[0]);
	uint32_t c = s[0];

	*used = 1;
	if (c < 0x80)
		return c;
	if (c < 0xc0 || c > 0xf7)
		return UTF_REPLACEMENT;
	c &= 0x3f >> need;
	for (unsigned i = 1; i <= need; i++) {
		if (i == len || (s[i] & 0xc0) != 0x80)
			return UTF_REPLACEMENT;
		c = c << 6 | (s[i] & 0x3f);
		*used = i + 1;
	}
	if (c < least[need] || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
		return UTF_REPLACEMENT;
	return c;
}

size_t utf8_to_utf16(const char *in, size_t len, uint16_t *out)
{
	const uint8_t *p = (const uint8_t *)in, *end = p + len;
	size_t n = 0, used;

	while (p < end && *p) {
		uint32_t c = utf8_decode(p, end - p, &used);

		p += used;
		if (c >= 0x10000) {
			out[n++] = 0xd800 | ((c - 0x10000) >> 10);
			c = 0xdc00 | (c & 0x3ff);
		}
		out[n++] = c;
	}
	out[n++] = 0;
	return n;
}

bool ucs2_has_word(const uint16_t *s, size_t n, const uint16_t *word)
{
	size_t w = ucs2_strlen(word);

	for (size_t i = 0; w && i + w <= n; i++) {
		size_t k = 0;

		while (k < w && s[i + k] == word[k])
			k++;
		if (k == w && (i == 0 || s[i - 1] == ' ') && (i + w == n || s[i + w] == ' ' ||
							      !s[i + w]))
			return true;
	}
	return false;
}

static bool digit(uint16_t c)
{
	return c >= '0' && c <= '9';
}

int ucs2_vercmp(const uint16_t *a, const uint16_t *b)
{
	while (*a || *b) {
		size_t na = 0, nb = 0;

		if (!digit(*a) || !digit(*b)) {
			if (*a != *b)
				return (int)*a - (int)*b;
			a++, b++;
			continue;
		}
		while (*a == '0' && digit(a[1]))
			a++;
		while (*b == '0' && digit(b[1]))
			b++;
		while (digit(a[na]))
			na++;
		while (digit(b[nb]))
			nb++;
		if (na != nb)
			return na < nb ? -1 : 1;
		for (; na; na--, a++, b++)
			if (*a != *b)
				return (int)*a - (int)*b;
	}
	return 0;
}
