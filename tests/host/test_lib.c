/* The freestanding helpers in lib/: UTF-8 decoding and conversion, the command-line word
 * search, CRC-32, the byte sum, and the printf formatter (built here under other names,
 * so the C library's printf stays the test's own). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "crc32.h"
#include "utf.h"
#include "util.h"

int fw_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fw_snprintf(char *buf, size_t size, const char *fmt, ...);

static uint32_t decode(const char *s, size_t *used)
{
	return utf8_decode((const uint8_t *)s, strlen(s), used);
}

static void test_utf8_decode(void **state)
{
	size_t used;

	assert_int_equal(decode("A", &used), 'A');
	assert_int_equal(used, 1);
	assert_int_equal(decode("\xc3\xa9", &used), 0xe9);
	assert_int_equal(used, 2);
	assert_int_equal(decode("\xe2\x82\xac", &used), 0x20ac);
	assert_int_equal(used, 3);
	assert_int_equal(decode("\xf0\x9f\x98\x80", &used), 0x1f600);
	assert_int_equal(used, 4);
	/* malformed: each gives U+FFFD and takes what belongs to it, never what follows */
	assert_int_equal(decode("\x80" "A", &used), UTF_REPLACEMENT);       /* stray */
	assert_int_equal(used, 1);
	assert_int_equal(decode("\xc3" "A", &used), UTF_REPLACEMENT);       /* cut short */
	assert_int_equal(used, 1);
	assert_int_equal(decode("\xe2\x82" "A", &used), UTF_REPLACEMENT);
	assert_int_equal(used, 2);
	assert_int_equal(decode("\xc0\xaf", &used), UTF_REPLACEMENT);       /* overlong '/' */
	assert_int_equal(decode("\xe0\x80\xaf", &used), UTF_REPLACEMENT);
	assert_int_equal(decode("\xed\xa0\x80", &used), UTF_REPLACEMENT);   /* surrogate */
	assert_int_equal(decode("\xf4\x90\x80\x80", &used), UTF_REPLACEMENT); /* > U+10FFFF */
	assert_int_equal(decode("\xf8\x88\x80\x80", &used), UTF_REPLACEMENT); /* 5-byte lead */
	assert_int_equal(used, 1);
	assert_int_equal(utf8_decode((const uint8_t *)"\xe2\x82\xac", 2, &used), UTF_REPLACEMENT);
	assert_int_equal(used, 2);                      /* the buffer ends mid-sequence */
}

static void test_utf8_to_utf16(void **state)
{
	static const char in[] = "a\xc3\xa9\xf0\x9f\x98\x80\xff" "z";
	uint16_t out[sizeof(in) + 1];
	static const uint16_t want[] = { 'a', 0xe9, 0xd83d, 0xde00, 0xfffd, 'z', 0 };

	assert_int_equal(utf8_to_utf16(in, sizeof(in) - 1, out), ARRAY_SIZE(want));
	assert_memory_equal(out, want, sizeof(want));
	/* A NUL inside the length ends the string; an empty one is just the NUL. */
	assert_int_equal(utf8_to_utf16("ab\0cd", 5, out), 3);
	assert_int_equal(utf8_to_utf16("", 0, out), 1);
	assert_int_equal(out[0], 0);
}

static void test_has_word(void **state)
{
	static const uint16_t line[] = u"console=ttyAMA0 nokaslr quiet";
	static const uint16_t tail[] = { 'x', ' ', 'n', 'o', 'k', 'a', 's', 'l', 'r' };

	assert_true(ucs2_has_word(line, ARRAY_SIZE(line), u"nokaslr"));
	assert_true(ucs2_has_word(line, ARRAY_SIZE(line), u"quiet"));
	assert_false(ucs2_has_word(line, ARRAY_SIZE(line), u"kaslr"));       /* inside a word */
	assert_false(ucs2_has_word(line, ARRAY_SIZE(line), u"console"));     /* a prefix */
	assert_false(ucs2_has_word(u"nokaslrx", 9, u"nokaslr"));
	/* a word at the very end of an unterminated buffer: nothing is read past it */
	assert_true(ucs2_has_word(tail, ARRAY_SIZE(tail), u"nokaslr"));
	assert_false(ucs2_has_word(tail, ARRAY_SIZE(tail) - 1, u"nokaslr"));
	assert_false(ucs2_has_word(line, ARRAY_SIZE(line), u""));
}

static void test_vercmp(void **state)
{
	assert_true(ucs2_vercmp(u"linux-6.10.efi", u"linux-6.9.efi") > 0);
	assert_true(ucs2_vercmp(u"linux-6.1.0-13.efi", u"linux-6.1.0-9.efi") > 0);
	assert_true(ucs2_vercmp(u"a-007", u"a-7") == 0);          /* leading zeros */
	assert_true(ucs2_vercmp(u"a-7b", u"a-7") > 0);            /* a longer name */
	assert_true(ucs2_vercmp(u"a", u"b") < 0);
	assert_true(ucs2_vercmp(u"", u"") == 0);
	assert_true(ucs2_vercmp(u"0", u"00") == 0);
	assert_true(ucs2_vercmp(u"x100", u"x99") > 0);
}

static void test_crc32(void **state)
{
	/* The check value of CRC-32/ISO-HDLC, and pieces adding up to the whole. */
	assert_int_equal(crc32("123456789", 9), 0xcbf43926);
	assert_int_equal(crc32("", 0), 0);
	assert_int_equal(crc32_update(crc32("1234", 4), "56789", 5), 0xcbf43926);
}

static void test_sum8(void **state)
{
	uint8_t t[] = { 1, 2, 3, 250 };

	assert_int_equal(sum8(t, sizeof(t)), 0);
	assert_int_equal(sum8(t, 3), 6);
}

static const char *fmt(const char *f, ...)
{
	static char buf[64];
	va_list ap;

	va_start(ap, f);
	fw_vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	return buf;
}

static void test_vformat(void **state)
{
	char small[6];

	assert_string_equal(fmt("%d %i %u", -5, 7, 4000000000u), "-5 7 4000000000");
	assert_string_equal(fmt("%x %X %#x %#llx", 255, 255, 255, 0x123456789abcULL),
			    "ff FF 0xff 0x123456789abc");
	assert_string_equal(fmt("[%5d|%-5d|%05d]", 42, 42, 42), "[   42|42   |00042]");
	assert_string_equal(fmt("[%s|%.2s|%6s|%-6s]", "abc", "abc", "abc", "abc"),
			    "[abc|ab|   abc|abc   ]");
	assert_string_equal(fmt("%c%%%zu", 'x', (size_t)17), "x%17");
	assert_string_equal(fmt("%lld %llu", -9223372036854775807LL - 1, ~0ULL),
			    "-9223372036854775808 18446744073709551615");
	assert_string_equal(fmt("%s", (char *)NULL), "(null)");
	/* snprintf truncates, always terminates, and returns the length it wanted */
	assert_int_equal(fw_snprintf(small, sizeof(small), "%s", "abcdefgh"), 8);
	assert_string_equal(small, "abcde");
	assert_int_equal(fw_snprintf(small, 0, "%d", 123), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_utf8_to_utf16),
		cmocka_unit_test(test_has_word),
		cmocka_unit_test(test_vercmp),
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_sum8),
		cmocka_unit_test(test_vformat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
