/* SimpleTextOutput (UEFI 2.10 section 12.4) on ConOut. Every case leaves the cursor at
 * the start of a line, so that the result lines stay whole. */
#include "selftest.h"

static SIMPLE_TEXT_OUTPUT_INTERFACE *out;
static UINTN saved_attr;

static enum result setup(void)
{
	out = ST->ConOut;
	saved_attr = out->Mode->Attribute;
	return PASS;
}

static enum result restore(void)
{
	out->SetAttribute(out, saved_attr);
	out->OutputString(out, L"\r\n");
	return PASS;
}

/* Mode 0 is 80x25 on every ConOut; mode 1, 80x50, is optional (QueryMode, section 12.4). */
static enum result modes(void)
{
	SIMPLE_TEXT_OUTPUT_MODE *m = out->Mode;
	UINTN cols, rows;
	EFI_STATUS s;

	CHECK(m && m->MaxMode >= 1 && m->Mode >= 0 && m->Mode < m->MaxMode);
	EXPECT(out->QueryMode(out, 0, &cols, &rows), EFI_SUCCESS);
	CHECK(cols == 80 && rows == 25);
	s = out->QueryMode(out, 1, &cols, &rows);
	if (m->MaxMode > 1 && s == EFI_SUCCESS && (cols != 80 || rows != 50))
		return fail(L"mode 1 is %dx%d", cols, rows);
	CHECK(m->MaxMode > 1 || s == EFI_UNSUPPORTED);
	EXPECT(out->QueryMode(out, m->MaxMode, &cols, &rows), EFI_UNSUPPORTED);
	return PASS;
}

/* Setting a mode clears the screen and homes the cursor. */
static enum result set_mode(void)
{
	INT32 mode = out->Mode->Mode;

	EXPECT(out->SetMode(out, mode), EFI_SUCCESS);
	CHECK(out->Mode->Mode == mode);
	CHECK(out->Mode->CursorColumn == 0 && out->Mode->CursorRow == 0);
	EXPECT(out->SetMode(out, out->Mode->MaxMode), EFI_UNSUPPORTED);
	CHECK(out->Mode->Mode == mode);
	return PASS;
}

static enum result attributes(void)
{
	UINTN attr = EFI_TEXT_ATTR(EFI_YELLOW, EFI_BLUE);

	EXPECT(out->SetAttribute(out, attr), EFI_SUCCESS);
	CHECK(out->Mode->Attribute == (INT32)attr);
	EXPECT(out->OutputString(out, L"yellow on blue"), EFI_SUCCESS);
	EXPECT(out->SetAttribute(out, EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK)), EFI_SUCCESS);
	CHECK(out->Mode->Attribute == EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK));
	return PASS;
}

/* The cursor follows SetCursorPosition and the text written. */
static enum result cursor(void)
{
	UINTN cols, rows;

	EXPECT(out->QueryMode(out, out->Mode->Mode, &cols, &rows), EFI_SUCCESS);
	EXPECT(out->OutputString(out, L"\r\n"), EFI_SUCCESS);
	CHECK(out->Mode->CursorColumn == 0);
	EXPECT(out->SetCursorPosition(out, 10, out->Mode->CursorRow), EFI_SUCCESS);
	CHECK(out->Mode->CursorColumn == 10);
	EXPECT(out->OutputString(out, L"12345"), EFI_SUCCESS);
	CHECK(out->Mode->CursorColumn == 15);
	EXPECT(out->OutputString(out, L"\b\b"), EFI_SUCCESS);
	CHECK(out->Mode->CursorColumn == 13);
	EXPECT(out->SetCursorPosition(out, cols, 0), EFI_UNSUPPORTED);
	EXPECT(out->SetCursorPosition(out, 0, rows), EFI_UNSUPPORTED);
	return PASS;
}

static enum result strings(void)
{
	EFI_STATUS s;

	EXPECT(out->TestString(out, L"plain text"), EFI_SUCCESS);
	s = out->EnableCursor(out, TRUE);
	CHECK(s == EFI_SUCCESS || s == EFI_UNSUPPORTED);
	CHECK(s || out->Mode->CursorVisible);
	return PASS;
}

/* SimpleTextInput (section 12.3) with nothing typed: QEMU's stdin is empty. */
static enum result no_key(void)
{
	SIMPLE_INPUT_INTERFACE *in = ST->ConIn;
	EFI_INPUT_KEY key;

	EXPECT(in->Reset(in, FALSE), EFI_SUCCESS);
	EXPECT(in->ReadKeyStroke(in, &key), EFI_NOT_READY);
	CHECK(in->WaitForKey);
	EXPECT(BS->CheckEvent(in->WaitForKey), EFI_NOT_READY);
	return PASS;
}

const struct selftest console_tests[] = {
	{ L"conout.modes", setup, modes },
	{ L"conout.set_mode", setup, set_mode, restore },
	{ L"conout.attributes", setup, attributes, restore },
	{ L"conout.cursor", setup, cursor, restore },
	{ L"conout.strings", setup, strings },
	{ L"conin.no_key", NULL, no_key },
	{ NULL }
};
