/* EFI_DEVICE_PATH_TO_TEXT_PROTOCOL and EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL (UEFI 2.10
 * sections 10.6.2 and 10.6.3), with the sample paths the host test uses: EDK2 is the
 * oracle for the exact spelling. */
#include "selftest.h"
#include "devpath_samples.h"

static EFI_GUID to_guid = EFI_DEVICE_PATH_TO_TEXT_PROTOCOL_GUID;
static EFI_GUID from_guid = EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL_GUID;
static EFI_DEVICE_PATH_TO_TEXT_PROTOCOL *to;
static EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL *from;

struct sample {
	const CHAR16 *text;
	const UINT8 *bytes;
	UINTN size;
};

#define SAMPLE(t, ...) { L##t, (const UINT8[]){ __VA_ARGS__, END }, \
			 sizeof((const UINT8[]){ __VA_ARGS__, END }) }

static const struct sample samples[] = { DEVPATH_SAMPLES(SAMPLE) };
#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

static enum result find_protocols(void)
{
	if (BS->LocateProtocol(&to_guid, NULL, (void **)&to))
		return skip(L"no EFI_DEVICE_PATH_TO_TEXT_PROTOCOL");
	if (BS->LocateProtocol(&from_guid, NULL, (void **)&from))
		return skip(L"no EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL");
	return PASS;
}

static enum result path_to_text(void)
{
	for (UINTN i = 0; i < NSAMPLES; i++) {
		CHAR16 *t = to->ConvertDevicePathToText((EFI_DEVICE_PATH *)samples[i].bytes,
							FALSE, TRUE);
		BOOLEAN same = t && !StrCmp(t, (CHAR16 *)samples[i].text);

		if (!same)
			fail(L"%s printed as %s", samples[i].text, t ? t : L"NULL");
		if (t)
			BS->FreePool(t);
		if (!same)
			return FAIL;
	}
	return PASS;
}

static enum result text_to_path(void)
{
	for (UINTN i = 0; i < NSAMPLES; i++) {
		EFI_DEVICE_PATH *p = from->ConvertTextToDevicePath((CHAR16 *)samples[i].text);
		UINTN size = p ? devpath_size(p) : 0;
		BOOLEAN same = size == samples[i].size &&
			       !CompareMem(p, samples[i].bytes, samples[i].size);

		if (p)
			BS->FreePool(p);
		if (!same)
			return fail(L"%s parsed to %d bytes, not those expected (%d)",
				    samples[i].text, size, samples[i].size);
	}
	return PASS;
}

/* DisplayOnly and AllowShortcuts where section 10.6 gives them a meaning; a node alone. */
static enum result options(void)
{
	static const UINT8 cdrom[] = { 0x04, 0x02, 0x18, 0x00, 1, 0, 0, 0, 0x10, 0, 0, 0, 0, 0,
				       0, 0, 0x00, 0x20, 0, 0, 0, 0, 0, 0, END };
	static const UINT8 vt100[] = { 0x03, 0x0a, 0x14, 0x00, 0x65, 0x60, 0xa6, 0xdf, 0x19,
				       0xb4, 0xd3, 0x11, 0x9a, 0x2d, 0x00, 0x90, 0x27, 0x3f,
				       0xc1, 0x4d, END };
	static const struct {
		const UINT8 *path;
		BOOLEAN node, display_only, shortcuts;
		const CHAR16 *want;
	} cases[] = {
		{ cdrom, FALSE, TRUE, FALSE, L"CDROM(0x1)" },
		{ cdrom, TRUE, FALSE, FALSE, L"CDROM(0x1,0x10,0x2000)" },
		{ vt100, TRUE, FALSE, TRUE, L"VenVt100()" },
		{ vt100, FALSE, FALSE, FALSE, L"VenMsg(DFA66065-B419-11D3-9A2D-0090273FC14D)" },
	};

	for (UINTN i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EFI_DEVICE_PATH *p = (EFI_DEVICE_PATH *)cases[i].path;
		CHAR16 *t = cases[i].node ?
			to->ConvertDeviceNodeToText(p, cases[i].display_only, cases[i].shortcuts) :
			to->ConvertDevicePathToText(p, cases[i].display_only, cases[i].shortcuts);
		BOOLEAN same = t && !StrCmp(t, (CHAR16 *)cases[i].want);

		if (!same)
			fail(L"case %d: %s, expected %s", i, t ? t : L"NULL", cases[i].want);
		if (t)
			BS->FreePool(t);
		if (!same)
			return FAIL;
	}
	return PASS;
}

/* Every device path the firmware made prints and parses back to the same bytes. */
static enum result round_trip_all(void)
{
	EFI_HANDLE *hs;
	EFI_DEVICE_PATH *p, *back;
	UINTN n, checked = 0;
	enum result r = PASS;

	EXPECT(BS->LocateHandleBuffer(ByProtocol, &gEfiDevicePathProtocolGuid, NULL, &n, &hs),
	       EFI_SUCCESS);
	for (UINTN i = 0; i < n && r == PASS; i++) {
		CHAR16 *t;

		if (BS->HandleProtocol(hs[i], &gEfiDevicePathProtocolGuid, (void **)&p))
			continue;
		t = to->ConvertDevicePathToText(p, FALSE, FALSE);
		back = t ? from->ConvertTextToDevicePath(t) : NULL;
		if (!back || devpath_size(back) != devpath_size(p) ||
		    CompareMem(back, p, devpath_size(p)))
			r = fail(L"%s does not parse back", t ? t : L"(no text)");
		if (t)
			BS->FreePool(t);
		if (back)
			BS->FreePool(back);
		checked++;
	}
	BS->FreePool(hs);
	if (r == PASS && !checked)
		return fail(L"no device paths");
	return r;
}

static enum result null_arguments(void)
{
	CHECK(!to->ConvertDevicePathToText(NULL, FALSE, FALSE));
	CHECK(!to->ConvertDeviceNodeToText(NULL, FALSE, FALSE));
	CHECK(!from->ConvertTextToDevicePath(NULL));
	CHECK(!from->ConvertTextToDeviceNode(NULL));
	return PASS;
}

const struct selftest devpath_text_tests[] = {
	{ L"devpath.text_from_path", find_protocols, path_to_text },
	{ L"devpath.text_to_path", find_protocols, text_to_path },
	{ L"devpath.text_options", find_protocols, options },
	{ L"devpath.text_round_trip", find_protocols, round_trip_all },
	{ L"devpath.text_null", find_protocols, null_arguments },
	{ NULL }
};
