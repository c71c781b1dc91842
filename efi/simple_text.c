/*
 * ConOut and ConIn (UEFI 2.10 sections 12.4 and 12.3) on the PL011. UCS-2 text goes out
 * as UTF-8, colours and cursor moves as ANSI escape sequences; the terminal's bytes come
 * back as EFI_INPUT_KEYs. The terminal is taken to be 80x25, the mode every ConOut has.
 */
#include <string.h>
#include "console.h"
#include "log.h"
#include "utf.h"
#include "efi/core.h"
#include "util.h"

#define COLS            80
#define ROWS            25
#define ESC             0x1b
#define REPLACEMENT     0xfffd                  /* U+FFFD, for what cannot be decoded */
#define SEQ_TIMEOUT     (10 * 10000)            /* 10 ms in efi_now()'s 100 ns units */
#define SEQ_MAX         16                      /* bytes of an escape sequence we read */
#define DEFAULT_ATTR    EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK)

static SIMPLE_TEXT_OUTPUT_MODE mode = {
	.MaxMode = 1,
	.Attribute = DEFAULT_ATTR,
	.CursorVisible = TRUE,
};

/* ---- output ---- */

static void put(const char *s)
{
	console_write(s, strlen(s));
}

static void put_num(UINTN n)
{
	if (n >= 10)
		put_num(n / 10);
	console_putc('0' + n % 10);
}

/* The ANSI control sequences ESC [ a <final> and ESC [ a ; b <final>. */
static void csi1(UINTN a, char final)
{
	put("\e[");
	put_num(a);
	console_putc(final);
}

static void csi2(UINTN a, UINTN b, char final)
{
	put("\e[");
	put_num(a);
	console_putc(';');
	put_num(b);
	console_putc(final);
}

static void put_utf8(UINT32 c)
{
	static const UINT8 lead[] = { 0x00, 0xc0, 0xe0, 0xf0 };
	int n = c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;   /* continuation bytes */

	console_putc(lead[n] | c >> (6 * n));
	while (n--)
		console_putc(0x80 | (c >> (6 * n) & 0x3f));
}

static bool is_surrogate(UINT32 c)
{
	return c >= 0xd800 && c < 0xe000;
}

/* The next character of a UCS-2 string, a surrogate pair joined as UTF-16 would; an
 * unpaired surrogate comes back as itself. */
static UINT32 read_char(const CHAR16 **s)
{
	UINT32 c = *(*s)++;

	if (c >= 0xd800 && c < 0xdc00 && **s >= 0xdc00 && **s < 0xe000)
		return 0x10000 + ((c - 0xd800) << 10) + (*(*s)++ - 0xdc00);
	return c;
}

/* The control characters ConOut must support (table 12-1), and characters with a glyph:
 * everything but C0 and C1 controls, DEL and unpaired surrogates. */
static bool is_control(UINT32 c)
{
	return c == CHAR_BACKSPACE || c == CHAR_TAB || c == CHAR_LINEFEED ||
	       c == CHAR_CARRIAGE_RETURN;
}

static bool is_glyph(UINT32 c)
{
	return c >= 0x20 && (c < 0x7f || c > 0x9f) && !is_surrogate(c);
}

static void line_feed(void)
{
	if (mode.CursorRow < ROWS - 1)
		mode.CursorRow++;
}

/*
 * Send one character and move the cursor by the rules of OutputString() (12.4.3). The
 * PL011 layer sends '\n' as "\r\n", which UEFI strings already carry themselves: a CR
 * right before a LF is left to it, and a lone LF moves the cursor back to its column.
 */
static void output_char(UINT32 c, CHAR16 next)
{
	switch (c) {
	case CHAR_BACKSPACE:
		if (mode.CursorColumn > 0) {
			console_putc('\b');
			mode.CursorColumn--;
		}
		return;
	case CHAR_TAB:                  /* to the terminal's next tab stop */
		console_putc('\t');
		mode.CursorColumn = mode.CursorColumn / 8 * 8 + 8;
		if (mode.CursorColumn >= COLS)
			mode.CursorColumn = COLS - 1;
		return;
	case CHAR_CARRIAGE_RETURN:
		if (next != CHAR_LINEFEED)
			console_putc('\r');
		mode.CursorColumn = 0;
		return;
	case CHAR_LINEFEED:
		console_putc('\n');
		if (mode.CursorColumn)
			csi1(mode.CursorColumn, 'C');
		line_feed();
		return;
	}
	put_utf8(c);
	if (++mode.CursorColumn == COLS) {      /* wrap: a CR and a LF */
		mode.CursorColumn = 0;
		line_feed();
	}
}

/* OutputString, or with test only TestString: the same walk, which TestString ends at
 * the first character that cannot be shown. */
static EFI_STATUS output_string(const CHAR16 *s, bool test)
{
	EFI_STATUS status = EFI_SUCCESS;

	if (!s)
		return EFI_INVALID_PARAMETER;
	while (*s) {
		UINT32 c = read_char(&s);

		/* Controls without a meaning here are skipped; a broken surrogate shows as U+FFFD. */
		if (!is_glyph(c) && !is_control(c)) {
			if (test)
				return EFI_UNSUPPORTED;
			status = EFI_WARN_UNKNOWN_GLYPH;
			if (!is_surrogate(c))
				continue;
			c = REPLACEMENT;
		}
		if (!test)
			output_char(c, *s);
	}
	return status;
}

static EFI_STATUS EFIAPI OutputString(SIMPLE_TEXT_OUTPUT_INTERFACE *this, CHAR16 *string)
{
	return output_string(string, false);
}

static EFI_STATUS EFIAPI TestString(SIMPLE_TEXT_OUTPUT_INTERFACE *this, CHAR16 *string)
{
	return output_string(string, true);
}

static EFI_STATUS EFIAPI QueryMode(SIMPLE_TEXT_OUTPUT_INTERFACE *this, UINTN mode_number,
				   UINTN *columns, UINTN *rows)
{
	if (mode_number != 0)
		return EFI_UNSUPPORTED;
	if (!columns || !rows)
		return EFI_INVALID_PARAMETER;
	*columns = COLS;
	*rows = ROWS;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI ClearScreen(SIMPLE_TEXT_OUTPUT_INTERFACE *this)
{
	put("\e[2J\e[H");       /* erase in the current background colour, then go home */
	mode.CursorColumn = 0;
	mode.CursorRow = 0;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI SetMode(SIMPLE_TEXT_OUTPUT_INTERFACE *this, UINTN mode_number)
{
	if (mode_number != 0)
		return EFI_UNSUPPORTED;
	return ClearScreen(this);
}

/* EFI colours have blue in bit 0 and red in bit 2, ANSI colours the other way round. */
static UINTN ansi_colour(UINTN efi)
{
	return (efi & 1) << 2 | (efi & 2) | (efi & 4) >> 2;
}

static EFI_STATUS EFIAPI SetAttribute(SIMPLE_TEXT_OUTPUT_INTERFACE *this, UINTN attribute)
{
	UINTN fg = attribute & 0xf, bg = attribute >> 4;

	if (attribute > 0x7f)           /* bits 0-3 foreground, 4-6 background, the rest reserved */
		return EFI_UNSUPPORTED;
	/* The bright foregrounds are the aixterm colours 90-97. */
	csi2((fg & EFI_BRIGHT ? 90 : 30) + ansi_colour(fg), 40 + ansi_colour(bg), 'm');
	mode.Attribute = attribute;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI SetCursorPosition(SIMPLE_TEXT_OUTPUT_INTERFACE *this, UINTN column,
					   UINTN row)
{
	if (column >= COLS || row >= ROWS)
		return EFI_UNSUPPORTED;
	csi2(row + 1, column + 1, 'H');
	mode.CursorColumn = column;
	mode.CursorRow = row;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI EnableCursor(SIMPLE_TEXT_OUTPUT_INTERFACE *this, BOOLEAN visible)
{
	put(visible ? "\e[?25h" : "\e[?25l");
	mode.CursorVisible = visible != 0;
	return EFI_SUCCESS;
}

/* 12.4.2: the default colours, the screen cleared and the cursor at (0, 0). */
static EFI_STATUS EFIAPI ConOutReset(SIMPLE_TEXT_OUTPUT_INTERFACE *this, BOOLEAN extended)
{
	SetAttribute(this, DEFAULT_ATTR);
	return ClearScreen(this);
}

SIMPLE_TEXT_OUTPUT_INTERFACE efi_conout = {
	.Reset = ConOutReset,
	.OutputString = OutputString,
	.TestString = TestString,
	.QueryMode = QueryMode,
	.SetMode = SetMode,
	.SetAttribute = SetAttribute,
	.ClearScreen = ClearScreen,
	.SetCursorPosition = SetCursorPosition,
	.EnableCursor = EnableCursor,
	.Mode = &mode,
};

/* ---- input ---- */

/* Telling whether a key waits means reading its first byte: it waits here until asked for. */
static int pending = -1;

static int peek_byte(void)
{
	if (pending < 0)
		pending = console_getc();
	return pending;
}

static int get_byte(void)
{
	int c = peek_byte();

	pending = -1;
	return c;
}

/* The rest of a multi-byte key follows its first byte at once; waiting a little for it
 * tells a lone ESC from the start of an escape sequence. */
static int get_byte_soon(void)
{
	UINT64 start = efi_now();
	int c;

	while ((c = get_byte()) < 0 && efi_now() - start < SEQ_TIMEOUT)
		;
	return c;
}

/* Keys VT100 and xterm send as ESC [ <letter> or ESC O <letter> (scan codes fit a byte:
 * the largest, SCAN_ESC, is 0x17) ... */
static const UINT8 letter_keys[] = {
	['A'] = SCAN_UP, ['B'] = SCAN_DOWN, ['C'] = SCAN_RIGHT, ['D'] = SCAN_LEFT,
	['F'] = SCAN_END, ['H'] = SCAN_HOME,
	['P'] = SCAN_F1, ['Q'] = SCAN_F2, ['R'] = SCAN_F3, ['S'] = SCAN_F4,
};

/* ... and as ESC [ <number> ~ (VT220, xterm, rxvt, the Linux console). */
static const UINT8 tilde_keys[] = {
	[1] = SCAN_HOME, [2] = SCAN_INSERT, [3] = SCAN_DELETE, [4] = SCAN_END,
	[5] = SCAN_PAGE_UP, [6] = SCAN_PAGE_DOWN,
	[11] = SCAN_F1, [12] = SCAN_F2, [13] = SCAN_F3, [14] = SCAN_F4, [15] = SCAN_F5,
	[17] = SCAN_F6, [18] = SCAN_F7, [19] = SCAN_F8, [20] = SCAN_F9, [21] = SCAN_F10,
	[23] = SCAN_F11, [24] = SCAN_F12,
};

/*
 * The key of an escape sequence whose ESC has been read: SCAN_ESC for a lone ESC (or one
 * before an ordinary key, which stays for the next read), SCAN_NULL for a sequence we do
 * not know (dropped whole: parameter bytes 0x20-0x3f, then a final byte 0x40-0x7e).
 */
static UINT16 read_escape(void)
{
	int c = get_byte_soon(), param = 0, n = 0;
	bool first = true;              /* only the first parameter says which key */

	if (c != '[' && c != 'O') {
		pending = c;
		return SCAN_ESC;
	}
	while ((c = get_byte_soon()) >= 0x20 && c < 0x40 && ++n < SEQ_MAX) {
		if (c >= '0' && c <= '9' && first && param < 100)
			param = param * 10 + c - '0';
		else
			first = false;
	}
	if (c < 0x40 || c > 0x7e) {     /* not a final byte: keep it as a key of its own */
		pending = c;
		return SCAN_NULL;
	}
	if (c == '~')
		return param < (int)ARRAY_SIZE(tilde_keys) ? tilde_keys[param] : SCAN_NULL;
	return c < (int)ARRAY_SIZE(letter_keys) ? letter_keys[c] : SCAN_NULL;
}

/* The character of a UTF-8 sequence: U+FFFD when it is malformed or beyond UCS-2 (a byte
 * that cannot continue it stays for the next read). */
static CHAR16 read_utf8(int lead)
{
	UINT8 seq[4] = { lead };
	size_t len = 1, used;
	UINT32 c;

	while (len <= utf8_continuations(lead)) {
		int b = get_byte_soon();

		if ((b & 0xc0) != 0x80) {
			pending = b;
			break;
		}
		seq[len++] = b;
	}
	c = utf8_decode(seq, len, &used);
	return c > 0xffff ? REPLACEMENT : c;
}

static EFI_STATUS EFIAPI ReadKeyStroke(SIMPLE_INPUT_INTERFACE *this, EFI_INPUT_KEY *key)
{
	int c;

	if (!key)
		return EFI_INVALID_PARAMETER;
	while ((c = get_byte()) >= 0) {
		key->ScanCode = SCAN_NULL;
		key->UnicodeChar = CHAR_NULL;
		if (c == ESC)
			key->ScanCode = read_escape();
		else if (c == 0x7f)     /* what terminals send for the backspace key */
			key->UnicodeChar = CHAR_BACKSPACE;
		else if (c < 0x80)
			key->UnicodeChar = c;
		else
			key->UnicodeChar = read_utf8(c);
		if (key->ScanCode != SCAN_NULL || key->UnicodeChar != CHAR_NULL)
			return EFI_SUCCESS;
	}
	return EFI_NOT_READY;
}

static EFI_STATUS EFIAPI ConInReset(SIMPLE_INPUT_INTERFACE *this, BOOLEAN extended)
{
	pending = -1;
	while (console_getc() >= 0)
		;
	return EFI_SUCCESS;
}

/* WaitForKey's notify function: WaitForEvent() and CheckEvent() run it to poll. */
static void EFIAPI wait_for_key(EFI_EVENT event, VOID *context)
{
	if (peek_byte() >= 0)
		SignalEvent(event);
}

SIMPLE_INPUT_INTERFACE efi_conin = {
	.Reset = ConInReset,
	.ReadKeyStroke = ReadKeyStroke,
};

EFI_STATUS efi_simple_text_init(EFI_HANDLE *handle)
{
	static EFI_GUID out_guid = EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL_GUID;
	static EFI_GUID in_guid = EFI_SIMPLE_TEXT_INPUT_PROTOCOL_GUID;
	EFI_STATUS status;

	status = CreateEvent(EVT_NOTIFY_WAIT, TPL_NOTIFY, wait_for_key, NULL,
			     &efi_conin.WaitForKey);
	if (status != EFI_SUCCESS)
		return status;
	*handle = NULL;
	return InstallMultipleProtocolInterfaces(handle, &out_guid, &efi_conout,
						 &in_guid, &efi_conin, NULL);
}
