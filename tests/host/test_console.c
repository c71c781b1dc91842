/* Host unit tests for efi/simple_text.c: a scripted terminal stands behind console_getc() and
 * console_putc() (which, like the PL011 layer, sends '\n' as "\r\n"). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "efi/core.h"
#include "stubs.h"
#include "util.h"

/* ---- stubs for what efi/simple_text.c uses from the rest of the firmware ---- */

static char out[4096];
static size_t out_len;
static const char *in;
static size_t in_len, in_pos;

void console_putc(char c)
{
	if (c == '\n')
		console_putc('\r');
	assert_true(out_len < sizeof(out) - 1);
	out[out_len++] = c;
}

void console_write(const char *s, size_t len)
{
	while (len--)
		console_putc(*s++);
}

int console_getc(void)
{
	return in_pos < in_len ? (unsigned char)in[in_pos++] : -1;
}

static EFI_EVENT_NOTIFY notify_fn;
static UINT32 event_type;
static EFI_TPL event_tpl;
static int signals;
#define KEY_EVENT ((EFI_EVENT)0x1234)

EFI_STATUS EFIAPI CreateEvent(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn, VOID *ctx,
			      EFI_EVENT *event)
{
	event_type = type;
	event_tpl = tpl;
	notify_fn = fn;
	*event = KEY_EVENT;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI SignalEvent(EFI_EVENT event)
{
	assert_ptr_equal(event, KEY_EVENT);
	signals++;
	return EFI_SUCCESS;
}

static struct { EFI_GUID guid; void *interface; } installed[4];
static int n_installed;

EFI_STATUS EFIAPI InstallMultipleProtocolInterfaces(EFI_HANDLE *handle, ...)
{
	va_list ap;
	EFI_GUID *guid;

	assert_null(*handle);
	va_start(ap, handle);
	while ((guid = va_arg(ap, EFI_GUID *)) && n_installed < 4) {
		installed[n_installed].guid = *guid;
		installed[n_installed++].interface = va_arg(ap, void *);
	}
	va_end(ap);
	*handle = (EFI_HANDLE)0x5678;
	return EFI_SUCCESS;
}

/* ---- helpers ---- */

static SIMPLE_TEXT_OUTPUT_INTERFACE *const con = &efi_conout;
static SIMPLE_INPUT_INTERFACE *const conin = &efi_conin;

#define FEED(lit) feed(lit, sizeof(lit) - 1)
static void feed(const char *s, size_t n)
{
	in = s;
	in_len = n;
	in_pos = 0;
}

static void expect_out(const char *s)
{
	out[out_len] = 0;
	assert_string_equal(out, s);
	out_len = 0;
}

static void expect_cursor(int col, int row)
{
	assert_int_equal(con->Mode->CursorColumn, col);
	assert_int_equal(con->Mode->CursorRow, row);
}

static EFI_STATUS print(const CHAR16 *s)
{
	return con->OutputString(con, (CHAR16 *)s);
}

static void expect_key(UINT16 scan, CHAR16 ch)
{
	EFI_INPUT_KEY key;

	assert_int_equal(conin->ReadKeyStroke(conin, &key), EFI_SUCCESS);
	assert_int_equal(key.ScanCode, scan);
	assert_int_equal(key.UnicodeChar, ch);
}

static void expect_no_key(void)
{
	EFI_INPUT_KEY key;

	assert_int_equal(conin->ReadKeyStroke(conin, &key), EFI_NOT_READY);
}

static int setup(void **state)
{
	con->SetCursorPosition(con, 0, 0);
	con->SetAttribute(con, EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK));
	conin->Reset(conin, FALSE);
	feed("", 0);
	out_len = 0;
	signals = 0;
	return 0;
}

/* ---- installation ---- */

static EFI_HANDLE handle = (EFI_HANDLE)0x1;   /* the handle made must be a new one */
static EFI_STATUS init_status;

static int init(void **state)
{
	init_status = efi_simple_text_init(&handle);
	return 0;
}

static void test_init(void **state)
{
	EFI_GUID out_guid = EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL_GUID;
	EFI_GUID in_guid = EFI_SIMPLE_TEXT_INPUT_PROTOCOL_GUID;

	assert_int_equal(init_status, EFI_SUCCESS);
	assert_ptr_equal(handle, (EFI_HANDLE)0x5678);
	assert_int_equal(n_installed, 2);
	assert_memory_equal(&installed[0].guid, &out_guid, sizeof(EFI_GUID));
	assert_ptr_equal(installed[0].interface, &efi_conout);
	assert_memory_equal(&installed[1].guid, &in_guid, sizeof(EFI_GUID));
	assert_ptr_equal(installed[1].interface, &efi_conin);
	assert_int_equal(event_type, EVT_NOTIFY_WAIT);
	assert_int_equal(event_tpl, TPL_NOTIFY);
	assert_ptr_equal(efi_conin.WaitForKey, KEY_EVENT);
	assert_int_equal(con->Mode->MaxMode, 1);
	assert_int_equal(con->Mode->Mode, 0);
	assert_int_equal(con->Mode->Attribute, EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK));
	assert_true(con->Mode->CursorVisible);
}

/* ---- OutputString and TestString ---- */

static void test_output_ascii_crlf(void **state)
{
	assert_int_equal(print(u"Hello\r\n"), EFI_SUCCESS);
	expect_out("Hello\r\n");                /* no doubled CR */
	expect_cursor(0, 1);
	assert_int_equal(print(u"ab\rc"), EFI_SUCCESS);
	expect_out("ab\rc");
	expect_cursor(1, 1);
}

static void test_output_lone_lf_keeps_column(void **state)
{
	assert_int_equal(print(u"abc\n"), EFI_SUCCESS);
	expect_out("abc\r\n\e[3C");             /* back to column 3 after the PL011's CR */
	expect_cursor(3, 1);
	print(u"\r\n\n");
	expect_out("\r\n\r\n");
	expect_cursor(0, 3);
}

static void test_output_utf8(void **state)
{
	/* é, €, U+1F600 as a surrogate pair, U+FFFF */
	assert_int_equal(print(u"\u00e9\u20ac\xd83d\xde00\xffff"), EFI_SUCCESS);
	expect_out("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbf");
	expect_cursor(4, 0);
}

static void test_output_unpaired_surrogates(void **state)
{
	/* a low one alone, a high one before a non-surrogate, a high one at the end */
	assert_int_equal(print(u"\xdc00" "a\xd800" "b\xd800"), EFI_WARN_UNKNOWN_GLYPH);
	expect_out("\xef\xbf\xbd" "a\xef\xbf\xbd" "b\xef\xbf\xbd");
	expect_cursor(5, 0);
}

static void test_output_skips_controls(void **state)
{
	/* ESC, other C0 controls, DEL and C1 controls have no glyph and reach no terminal */
	assert_int_equal(print(u"a\x01" "b\x1b[2Jc\x7f\x85" "d"), EFI_WARN_UNKNOWN_GLYPH);
	expect_out("ab[2Jcd");
	expect_cursor(7, 0);
}

static void test_output_null(void **state)
{
	assert_int_equal(con->OutputString(con, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(con->TestString(con, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(print(u""), EFI_SUCCESS);
	expect_out("");
}

static void test_output_backspace(void **state)
{
	print(u"ab\b");
	expect_out("ab\b");
	expect_cursor(1, 0);
	print(u"\b\b\b");                       /* stops at the left edge */
	expect_out("\b");
	expect_cursor(0, 0);
}

static void test_output_tab(void **state)
{
	print(u"abc\t");
	expect_out("abc\t");
	expect_cursor(8, 0);
	con->SetCursorPosition(con, 75, 0);
	print(u"\t");
	expect_cursor(79, 0);
}

static void test_output_wrap_and_scroll(void **state)
{
	CHAR16 line[81];

	for (int i = 0; i < 80; i++)
		line[i] = u'x';
	line[80] = 0;
	print(line);
	expect_cursor(0, 1);                    /* the 80th character wraps */
	con->SetCursorPosition(con, 79, 24);
	print(u"y");
	expect_cursor(0, 24);                   /* the bottom row scrolls */
	print(u"z\n");
	expect_cursor(1, 24);
}

static void test_test_string(void **state)
{
	assert_int_equal(con->TestString(con, u"Hi \u00e9\u2500\r\n\t\b"), EFI_SUCCESS);
	assert_int_equal(con->TestString(con, u"\xd83d\xde00"), EFI_SUCCESS);
	assert_int_equal(con->TestString(con, u"a\xd83d"), EFI_UNSUPPORTED);
	assert_int_equal(con->TestString(con, u"\xde00"), EFI_UNSUPPORTED);
	assert_int_equal(con->TestString(con, u"a\x1b"), EFI_UNSUPPORTED);
	expect_out("");
	expect_cursor(0, 0);
}

/* ---- modes, colours, cursor ---- */

static void test_modes(void **state)
{
	UINTN cols = 0, rows = 0;

	assert_int_equal(con->QueryMode(con, 0, &cols, &rows), EFI_SUCCESS);
	assert_int_equal(cols, 80);
	assert_int_equal(rows, 25);
	assert_int_equal(con->QueryMode(con, 1, &cols, &rows), EFI_UNSUPPORTED);
	assert_int_equal(con->QueryMode(con, 0, NULL, &rows), EFI_INVALID_PARAMETER);
	assert_int_equal(con->QueryMode(con, 0, &cols, NULL), EFI_INVALID_PARAMETER);

	print(u"abc");
	out_len = 0;
	assert_int_equal(con->SetMode(con, 1), EFI_UNSUPPORTED);
	expect_out("");
	assert_int_equal(con->SetMode(con, 0), EFI_SUCCESS);
	expect_out("\e[2J\e[H");
	expect_cursor(0, 0);
	assert_int_equal(con->Mode->Mode, 0);
}

static void test_set_attribute(void **state)
{
	assert_int_equal(con->SetAttribute(con, EFI_TEXT_ATTR(EFI_YELLOW, EFI_BLUE)), EFI_SUCCESS);
	expect_out("\e[93;44m");
	assert_int_equal(con->Mode->Attribute, 0x1e);
	con->SetAttribute(con, EFI_TEXT_ATTR(EFI_RED, EFI_CYAN));
	expect_out("\e[31;46m");
	con->SetAttribute(con, EFI_TEXT_ATTR(EFI_LIGHTBLUE, EFI_BLACK));
	expect_out("\e[94;40m");
	assert_int_equal(con->SetAttribute(con, 0x80), EFI_UNSUPPORTED);
	assert_int_equal(con->SetAttribute(con, ~(UINTN)0), EFI_UNSUPPORTED);
	expect_out("");
	assert_int_equal(con->Mode->Attribute, EFI_TEXT_ATTR(EFI_LIGHTBLUE, EFI_BLACK));
}

static void test_clear_and_reset(void **state)
{
	con->SetAttribute(con, EFI_TEXT_ATTR(EFI_WHITE, EFI_RED));
	print(u"abc\r\n");
	out_len = 0;
	assert_int_equal(con->ClearScreen(con), EFI_SUCCESS);
	expect_out("\e[2J\e[H");
	expect_cursor(0, 0);
	print(u"abc");
	out_len = 0;
	assert_int_equal(con->Reset(con, TRUE), EFI_SUCCESS);
	expect_out("\e[37;40m\e[2J\e[H");
	expect_cursor(0, 0);
	assert_int_equal(con->Mode->Attribute, EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK));
}

static void test_set_cursor_position(void **state)
{
	assert_int_equal(con->SetCursorPosition(con, 79, 24), EFI_SUCCESS);
	expect_out("\e[25;80H");
	expect_cursor(79, 24);
	assert_int_equal(con->SetCursorPosition(con, 0, 0), EFI_SUCCESS);
	expect_out("\e[1;1H");
	assert_int_equal(con->SetCursorPosition(con, 80, 0), EFI_UNSUPPORTED);
	assert_int_equal(con->SetCursorPosition(con, 0, 25), EFI_UNSUPPORTED);
	assert_int_equal(con->SetCursorPosition(con, ~(UINTN)0, ~(UINTN)0), EFI_UNSUPPORTED);
	expect_out("");
	expect_cursor(0, 0);
}

static void test_enable_cursor(void **state)
{
	assert_int_equal(con->EnableCursor(con, FALSE), EFI_SUCCESS);
	expect_out("\e[?25l");
	assert_false(con->Mode->CursorVisible);
	assert_int_equal(con->EnableCursor(con, 2), EFI_SUCCESS);
	expect_out("\e[?25h");
	assert_int_equal(con->Mode->CursorVisible, TRUE);
}

/* ---- ReadKeyStroke ---- */

static void test_read_nothing(void **state)
{
	expect_no_key();
	assert_int_equal(conin->ReadKeyStroke(conin, NULL), EFI_INVALID_PARAMETER);
}

static void test_read_chars(void **state)
{
	FEED("aZ~\r\n\t\x7f\x08\x03\0 ");
	expect_key(SCAN_NULL, u'a');
	expect_key(SCAN_NULL, u'Z');
	expect_key(SCAN_NULL, u'~');
	expect_key(SCAN_NULL, CHAR_CARRIAGE_RETURN);
	expect_key(SCAN_NULL, CHAR_LINEFEED);
	expect_key(SCAN_NULL, CHAR_TAB);
	expect_key(SCAN_NULL, CHAR_BACKSPACE);  /* DEL, what the backspace key sends */
	expect_key(SCAN_NULL, CHAR_BACKSPACE);
	expect_key(SCAN_NULL, 0x03);            /* Ctrl-C */
	expect_key(SCAN_NULL, u' ');            /* a NUL byte is no key */
	expect_no_key();
}

static void test_read_escape_sequences(void **state)
{
	static const struct { const char *seq; UINT16 scan; } keys[] = {
		{ "\e[A", SCAN_UP }, { "\e[B", SCAN_DOWN }, { "\e[C", SCAN_RIGHT },
		{ "\e[D", SCAN_LEFT }, { "\e[H", SCAN_HOME }, { "\e[F", SCAN_END },
		{ "\eOA", SCAN_UP }, { "\eOH", SCAN_HOME }, { "\eOF", SCAN_END },
		{ "\e[1~", SCAN_HOME }, { "\e[2~", SCAN_INSERT }, { "\e[3~", SCAN_DELETE },
		{ "\e[4~", SCAN_END }, { "\e[5~", SCAN_PAGE_UP }, { "\e[6~", SCAN_PAGE_DOWN },
		{ "\eOP", SCAN_F1 }, { "\eOQ", SCAN_F2 }, { "\eOR", SCAN_F3 }, { "\eOS", SCAN_F4 },
		{ "\e[11~", SCAN_F1 }, { "\e[14~", SCAN_F4 },
		{ "\e[15~", SCAN_F5 }, { "\e[17~", SCAN_F6 }, { "\e[18~", SCAN_F7 },
		{ "\e[19~", SCAN_F8 }, { "\e[20~", SCAN_F9 }, { "\e[21~", SCAN_F10 },
		{ "\e[23~", SCAN_F11 }, { "\e[24~", SCAN_F12 },
		{ "\e[1;5A", SCAN_UP }, { "\e[3;2~", SCAN_DELETE },   /* modifiers ignored */
	};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		feed(keys[i].seq, strlen(keys[i].seq));
		expect_key(keys[i].scan, CHAR_NULL);
		expect_no_key();
	}
}

static void test_read_lone_escape(void **state)
{
	UINT64 start;

	FEED("\e");
	start = stub_clock_now;
	expect_key(SCAN_ESC, CHAR_NULL);
	assert_true(stub_clock_now - start >= 10 * 10000); /* it waited 10 ms for more */
	assert_true(stub_clock_now - start < 12 * 10000);
	expect_no_key();

	FEED("\ex\e\e");                        /* Alt-x; two ESCs */
	expect_key(SCAN_ESC, CHAR_NULL);
	expect_key(SCAN_NULL, u'x');
	expect_key(SCAN_ESC, CHAR_NULL);
	expect_key(SCAN_ESC, CHAR_NULL);
	expect_no_key();
}

static void test_read_unknown_sequences(void **state)
{
	FEED("\e[99~a\e[Zb\e[<0;12;34Mc\e[25~d");    /* unknown keys, a mouse report */
	expect_key(SCAN_NULL, u'a');
	expect_key(SCAN_NULL, u'b');
	expect_key(SCAN_NULL, u'c');
	expect_key(SCAN_NULL, u'd');
	expect_no_key();

	FEED("\e[1\r");                         /* cut short: the CR is a key of its own */
	expect_key(SCAN_NULL, CHAR_CARRIAGE_RETURN);
	expect_no_key();

	FEED("\e[");                            /* cut short by silence */
	expect_no_key();

	FEED("\e[11111111111111111111111111111111~e");  /* longer than we read */
	expect_key(SCAN_NULL, u'1');
}

static void test_read_utf8(void **state)
{
	FEED("\xc3\xa9\xe2\x82\xac\xef\xbf\xbf" "a");
	expect_key(SCAN_NULL, 0xe9);
	expect_key(SCAN_NULL, 0x20ac);
	expect_key(SCAN_NULL, 0xffff);
	expect_key(SCAN_NULL, u'a');
	expect_no_key();
}

static void test_read_bad_utf8(void **state)
{
	FEED("\xf0\x9f\x98\x80" "a"             /* beyond UCS-2 */
	     "\xc0\x80" "b"                     /* overlong */
	     "\xed\xa0\x80" "c"                 /* a surrogate */
	     "\x80" "d"                         /* a stray continuation byte */
	     "\xe2\x82" "e"                     /* cut short by another character */
	     "\xff" "f"
	     "\xe2");                           /* cut short by silence */
	for (const char *c = "abcdef"; *c; c++) {
		expect_key(SCAN_NULL, 0xfffd);
		expect_key(SCAN_NULL, *c);
	}
	expect_key(SCAN_NULL, 0xfffd);
	expect_no_key();
}

/* ---- WaitForKey and Reset ---- */

static void test_wait_for_key(void **state)
{
	notify_fn(KEY_EVENT, NULL);
	assert_int_equal(signals, 0);
	FEED("k");
	notify_fn(KEY_EVENT, NULL);
	notify_fn(KEY_EVENT, NULL);
	assert_int_equal(signals, 2);           /* signalled while the key waits ... */
	expect_key(SCAN_NULL, u'k');            /* ... and the peek did not lose it */
	notify_fn(KEY_EVENT, NULL);
	assert_int_equal(signals, 2);
}

static void test_input_reset(void **state)
{
	FEED("abc");
	notify_fn(KEY_EVENT, NULL);             /* 'a' read ahead */
	assert_int_equal(conin->Reset(conin, FALSE), EFI_SUCCESS);
	expect_no_key();
	assert_int_equal(in_pos, 3);
}

int main(void)
{
	stub_clock_step = 1000;         /* 100 us pass with every look at the clock */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init, setup),
		cmocka_unit_test_setup(test_output_ascii_crlf, setup),
		cmocka_unit_test_setup(test_output_lone_lf_keeps_column, setup),
		cmocka_unit_test_setup(test_output_utf8, setup),
		cmocka_unit_test_setup(test_output_unpaired_surrogates, setup),
		cmocka_unit_test_setup(test_output_skips_controls, setup),
		cmocka_unit_test_setup(test_output_null, setup),
		cmocka_unit_test_setup(test_output_backspace, setup),
		cmocka_unit_test_setup(test_output_tab, setup),
		cmocka_unit_test_setup(test_output_wrap_and_scroll, setup),
		cmocka_unit_test_setup(test_test_string, setup),
		cmocka_unit_test_setup(test_modes, setup),
		cmocka_unit_test_setup(test_set_attribute, setup),
		cmocka_unit_test_setup(test_clear_and_reset, setup),
		cmocka_unit_test_setup(test_set_cursor_position, setup),
		cmocka_unit_test_setup(test_enable_cursor, setup),
		cmocka_unit_test_setup(test_read_nothing, setup),
		cmocka_unit_test_setup(test_read_chars, setup),
		cmocka_unit_test_setup(test_read_escape_sequences, setup),
		cmocka_unit_test_setup(test_read_lone_escape, setup),
		cmocka_unit_test_setup(test_read_unknown_sequences, setup),
		cmocka_unit_test_setup(test_read_utf8, setup),
		cmocka_unit_test_setup(test_read_bad_utf8, setup),
		cmocka_unit_test_setup(test_wait_for_key, setup),
		cmocka_unit_test_setup(test_input_reset, setup),
	};

	return cmocka_run_group_tests(tests, init, NULL);
}
