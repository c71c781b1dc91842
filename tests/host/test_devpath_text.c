/* Host unit tests for EFI_DEVICE_PATH_TO_TEXT_PROTOCOL and EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL
 * (efi/devpath_text.c, efi/devpath_from_text.c). The oracles: the node layouts of UEFI 2.10
 * section 10.3 written out as bytes, the spec's own example paths (the USB mouse and the
 * legacy floppy of the PCI and USB chapters), and the text EDK2 prints for the same nodes
 * (the in-guest self-test checks the same strings against EDK2 itself). The protocols are
 * reached as an application reaches them: installed by efi_devpath_text_init() into the
 * real database and found with LocateProtocol. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "efi/core.h"
#include "stubs.h"

static EFI_DEVICE_PATH_TO_TEXT_PROTOCOL *to;
static EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL *from;
static EFI_GUID to_guid = EFI_DEVICE_PATH_TO_TEXT_PROTOCOL_GUID;
static EFI_GUID from_guid = EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL_GUID;

#define DP(bytes) ((EFI_DEVICE_PATH *)(bytes))
#include "../efi/selftest/devpath_samples.h"

struct sample {
	const char *text;       /* ConvertDevicePathToText(path, FALSE, TRUE) */
	const UINT8 *bytes;     /* the path, end node included */
	UINTN size;
};

#define SAMPLE(t, ...) { t, (const UINT8[]){ __VA_ARGS__, END }, \
			 sizeof((const UINT8[]){ __VA_ARGS__, END }) }

/* Each both ways: bytes -> text and text -> bytes. */
static const struct sample samples[] = {
	DEVPATH_SAMPLES(SAMPLE)
	/* A _HID from no PNP vendor: a number. */
	SAMPLE("Acpi(0x12345678,0x10)", 0x02, 0x01, 0x0c, 0x00, 0x78, 0x56, 0x34, 0x12, 0x10, 0, 0, 0),
	/* A Uri holds commas and slashes: the rest of the node is the URI. */
	SAMPLE("Uri(http://10.0.2.2/a,b.efi)", 0x03, 0x18, 0x1b, 0x00,
	       'h', 't', 't', 'p', ':', '/', '/', '1', '0', '.', '0', '.', '2', '.', '2', '/',
	       'a', ',', 'b', '.', 'e', 'f', 'i'),
	/* Instances are separated by ',' alone (section 10.6.1). */
	SAMPLE("PciRoot(0x0)/Pci(0x1,0x0),PciRoot(0x1)", PCIROOT(0), PCI(1, 0), INST, PCIROOT(1)),
};

/* CHAR16 to a C string for readable failures (test strings are ASCII). */
static const char *narrow(const CHAR16 *s)
{
	static char buf[512];
	UINTN i;

	for (i = 0; s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = s[i] < 0x80 ? (char)s[i] : '?';
	buf[i] = 0;
	return buf;
}

/* A C string as CHAR16, in a buffer of its own. */
static CHAR16 *widen(const char *s)
{
	size_t n = strlen(s);
	CHAR16 *w = malloc((n + 1) * sizeof(*w));

	for (size_t i = 0; i <= n; i++)
		w[i] = (UINT8)s[i];
	return w;
}

static void expect_text(CHAR16 *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(narrow(got), want);
	FreePool(got);
}

static EFI_DEVICE_PATH *parse_path(const char *s)
{
	CHAR16 *w = widen(s);
	EFI_DEVICE_PATH *p = from->ConvertTextToDevicePath(w);

	free(w);
	return p;
}

static EFI_DEVICE_PATH *parse_node(const char *s)
{
	CHAR16 *w = widen(s);
	EFI_DEVICE_PATH *p = from->ConvertTextToDeviceNode(w);

	free(w);
	return p;
}

static void expect_path(EFI_DEVICE_PATH *got, const UINT8 *want, UINTN size)
{
	assert_non_null(got);
	assert_int_equal(efi_devpath_size(got), size);
	assert_memory_equal(got, want, size);
	FreePool(got);
}

static int setup(void **state)
{
	assert_int_equal(efi_devpath_text_init(), EFI_SUCCESS);
	assert_int_equal(LocateProtocol(&to_guid, NULL, (VOID **)&to), EFI_SUCCESS);
	assert_int_equal(LocateProtocol(&from_guid, NULL, (VOID **)&from), EFI_SUCCESS);
	return 0;
}

static void test_installed(void **state)
{
	EFI_HANDLE h;
	EFI_GUID **guids;
	UINTN size = sizeof(h), n;

	/* Both on one handle of their own: it is no device's. */
	assert_int_equal(LocateHandle(ByProtocol, &to_guid, NULL, &size, &h), EFI_SUCCESS);
	assert_int_equal(ProtocolsPerHandle(h, &guids, &n), EFI_SUCCESS);
	assert_int_equal(n, 2);
	FreePool(guids);
	assert_int_equal(HandleProtocol(h, &from_guid, (VOID **)&guids), EFI_SUCCESS);
}

static void test_path_to_text(void **state)
{
	for (UINTN i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		expect_text(to->ConvertDevicePathToText(DP(samples[i].bytes), FALSE, TRUE),
			    samples[i].text);
}

static void test_text_to_path(void **state)
{
	for (UINTN i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		expect_path(parse_path(samples[i].text), samples[i].bytes, samples[i].size);
}

/* Each node of each sample alone, both ways. */
static void test_nodes(void **state)
{
	for (UINTN i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const EFI_DEVICE_PATH *n = DP(samples[i].bytes);

		for (; !IsDevicePathEnd(n); n = NextDevicePathNode(n)) {
			CHAR16 *t = to->ConvertDeviceNodeToText(n, FALSE, TRUE);
			EFI_DEVICE_PATH *back;

			assert_non_null(t);
			back = from->ConvertTextToDeviceNode(t);
			if (n->Type == END_DEVICE_PATH_TYPE) {
				assert_string_equal(narrow(t), ",");
			} else {
				assert_non_null(back);
				assert_int_equal(DevicePathNodeLength(back), DevicePathNodeLength(n));
				assert_memory_equal(back, n, DevicePathNodeLength(n));
			}
			FreePool(back);
			FreePool(t);
		}
	}
}

/* DisplayOnly drops what the spec's display forms leave out. */
static void test_display_only(void **state)
{
	static const UINT8 cdrom[] = { 0x04, 0x02, 0x18, 0x00, 1, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0,
				       0x00, 0x20, 0, 0, 0, 0, 0, 0, END };
	static const UINT8 ip[] = { 0x03, 0x0c, 0x1b, 0x00, 10, 0, 2, 15, 10, 0, 2, 2, 0, 0, 0, 0,
				    17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, END };

	expect_text(to->ConvertDevicePathToText(DP(cdrom), TRUE, TRUE), "CDROM(0x1)");
	expect_text(to->ConvertDeviceNodeToText(DP(cdrom), TRUE, FALSE), "CDROM(0x1)");
	expect_text(to->ConvertDevicePathToText(DP(ip), TRUE, TRUE), "IPv4(10.0.2.2)");
	expect_text(to->ConvertDevicePathToText(DP(ip), FALSE, FALSE),
		    "IPv4(10.0.2.2,UDP,DHCP,10.0.2.15,0.0.0.0,0.0.0.0)");
}

/* Without AllowShortcuts a terminal type is the vendor node it is. */
static void test_shortcuts(void **state)
{
	static const UINT8 vt100[] = { 0x03, 0x0a, 0x14, 0x00, 0x65, 0x60, 0xa6, 0xdf, 0x19, 0xb4,
				       0xd3, 0x11, 0x9a, 0x2d, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d,
				       END };

	expect_text(to->ConvertDevicePathToText(DP(vt100), FALSE, TRUE), "VenVt100()");
	expect_text(to->ConvertDevicePathToText(DP(vt100), FALSE, FALSE),
		    "VenMsg(DFA66065-B419-11D3-9A2D-0090273FC14D)");
	expect_path(parse_path("VenMsg(DFA66065-B419-11D3-9A2D-0090273FC14D)"), vt100,
		    sizeof(vt100));
}

/* Other spellings the parser takes: decimal, lower-case hex, Acpi for PciRoot, the
 * generic forms of known nodes, a leading '/', missing trailing fields. */
static void test_spellings(void **state)
{
	static const UINT8 root_pci[] = { PCIROOT(0), PCI(0x1f, 2), END };
	static const UINT8 pci0[] = { PCI(0, 0), END };
	static const UINT8 cd[] = { 0x04, 0x02, 0x18, 0x00, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0, 0, 0, 0, 0, 0, 0, 0, END };
	static const UINT8 inst_end[] = { PCI(1, 0), INST, END };
	static const UINT8 two_instances[] = { PCIROOT(0), PCI(1, 0), INST, PCIROOT(1), END };

	expect_path(parse_path("Acpi(PNP0A03,0)/Pci(31,2)"), root_pci, sizeof(root_pci));
	expect_path(parse_path("Acpi(pnp0a03,0x0)/Pci(0x1f,0X2)"), root_pci, sizeof(root_pci));
	expect_path(parse_path("/PciRoot(0)/Path(1,1,021F)"), root_pci, sizeof(root_pci));
	expect_path(parse_path("AcpiPath(1,D041030A00000000)/HardwarePath(1,021F)"), root_pci,
		    sizeof(root_pci));
	expect_path(parse_path("Pci()"), pci0, sizeof(pci0));
	expect_path(parse_path("CDROM(3)"), cd, sizeof(cd));
	expect_path(parse_path("Pci(1,0),"), inst_end, sizeof(inst_end));
	/* EDK2's spelling of instances. */
	expect_path(parse_path("PciRoot(0x0)/Pci(0x1,0x0),/PciRoot(0x1)"), two_instances,
		    sizeof(two_instances));
	expect_path(parse_path("VenHw(12345678-9abc-def0-0123-456789abcdef)"),
		    (const UINT8[]){ 0x01, 0x04, 0x14, 0x00, A_GUID, END }, 24);
}

/* A node name no form has is a file name, parentheses and all. */
static void test_file_names(void **state)
{
	EFI_DEVICE_PATH *n = parse_node("\\loader\\entries(1).conf");
	static const CHAR16 want[] = L"\\loader\\entries(1).conf";

	assert_non_null(n);
	assert_int_equal(n->Type, MEDIA_DEVICE_PATH);
	assert_int_equal(n->SubType, MEDIA_FILEPATH_DP);
	assert_int_equal(DevicePathNodeLength(n), 4 + sizeof(want));
	assert_memory_equal((UINT8 *)n + 4, want, sizeof(want));
	FreePool(n);
	n = parse_node("Foo(1)");
	assert_non_null(n);
	assert_int_equal(n->SubType, MEDIA_FILEPATH_DP);
	FreePool(n);
}

/* A FILEPATH node without its NUL, or with an odd length, prints what it holds. */
static void test_unterminated_file(void **state)
{
	static const UINT8 p[] = { 0x04, 0x04, 0x09, 0x00, 'a', 0, 'b', 0, 'c', END };

	expect_text(to->ConvertDevicePathToText(DP(p), FALSE, FALSE), "ab");
}

/* A node too short for its form is shown in the generic form, from its own bytes. */
static void test_short_nodes(void **state)
{
	static const UINT8 p[] = { 0x01, 0x01, 0x05, 0x00, 0x02, 0x01, 0x04, 0x04, 0x00,
				   0x02, 0x01, 0x08, 0x00, 0xd0, 0x41, 0x03, 0x0a, END };
	static const UINT8 end[] = { END };

	expect_text(to->ConvertDevicePathToText(DP(p), FALSE, TRUE),
		    "HardwarePath(1,02)/HardwarePath(4)/AcpiPath(1,D041030A)");
	expect_text(to->ConvertDeviceNodeToText(DP(end), FALSE, TRUE), "Path(127,255)");
	expect_text(to->ConvertDevicePathToText(DP(end), FALSE, TRUE), "");
}

/* Malformed paths from a caller give NULL, never a read past them. */
static void test_malformed_paths(void **state)
{
	static const UINT8 short_node[] = { PCI(1, 0), 0x01, 0x01, 0x03, 0x00, END };
	static const UINT8 zero_node[] = { 0x01, 0x01, 0x00, 0x00, END };
	UINT8 *no_end = calloc(1, 0x10010);

	assert_null(to->ConvertDevicePathToText(NULL, FALSE, FALSE));
	assert_null(to->ConvertDeviceNodeToText(NULL, FALSE, FALSE));
	assert_null(to->ConvertDevicePathToText(DP(short_node), FALSE, FALSE));
	assert_null(to->ConvertDevicePathToText(DP(zero_node), FALSE, FALSE));
	assert_null(to->ConvertDeviceNodeToText(DP(zero_node), FALSE, FALSE));
	/* No end node in 64 KiB of well-formed nodes. */
	for (UINTN i = 0; i + 0x1000 <= 0x10010; i += 0x1000) {
		no_end[i] = 0x01;
		no_end[i + 1] = 0x99;
		no_end[i + 3] = 0x10;
	}
	assert_null(to->ConvertDevicePathToText(DP(no_end), FALSE, FALSE));
	free(no_end);
}

static void test_malformed_text(void **state)
{
	static const char *const bad[] = {
		"", "Pci(1,2,3)", "Pci(0x100,0)", "Pci(zz,0)", "Pci(0x,0)", "Pci(-1,0)",
		"MemoryMapped(0,0x10000000000000000,0)", "Ctrl(4294967296)",
		"VenHw(1234)", "VenHw(12345678-9ABC-DEF0-0123-456789ABCDEG)",
		"VenHw(" A_GUID_TEXT ",ABC)", "VenHw(" A_GUID_TEXT ",GG)",
		"HD(1,GPT,nonsense,0,0)", "HD(1,MBR,0x100000000,0,0)", "HD(1,2,5,0,0)",
		"IPv4(1.2.3)", "IPv4(1.2.3.256)", "IPv4(1.2.3.4.5)", "IPv4(1.2.3.4,XTP)",
		"IPv4(1.2.3.4,TCP,Maybe)", "MAC(12345)", "Acpi(PN!0A03,0)", "Acpi(PNP0A0G,0)",
		"Path(256,0)", "Pci(1,0)//Pci(2,0)", ",Pci(1,0)",
		"Pci(1,0)/Path(127,255)/Pci(2,0)", "VenPcAnsi(1)",
	};

	assert_null(from->ConvertTextToDevicePath(NULL));
	assert_null(from->ConvertTextToDeviceNode(NULL));
	for (UINTN i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EFI_DEVICE_PATH *p = parse_path(bad[i]);

		if (p)
			fail_msg("\"%s\" was accepted", bad[i]);
	}
	assert_null(parse_node(""));
	assert_null(parse_node("Pci(1,0,0)"));
}

/* A node or path over 64 KiB cannot be expressed (lengths are UINT16). */
static void test_too_long(void **state)
{
	size_t n = 70000;
	char *s = malloc(n + 1);

	memset(s, 'a', n);
	s[n] = 0;
	assert_null(parse_path(s));
	assert_null(parse_node(s));
	/* Many small nodes adding up past efi_devpath_size's limit. */
	for (size_t i = 0; i + 2 <= n; i += 2) {
		s[i] = 'x';
		s[i + 1] = '/';
	}
	s[n - 1] = 'x';
	assert_null(parse_path(s));
	free(s);
}

static void test_out_of_pool(void **state)
{
	stub_pool_empty = true;
	assert_null(to->ConvertDevicePathToText(DP(samples[0].bytes), FALSE, FALSE));
	assert_null(to->ConvertDeviceNodeToText(DP(samples[0].bytes), FALSE, FALSE));
	assert_null(parse_path("Pci(1,0)"));
	assert_null(parse_node("Pci(1,0)"));
	stub_pool_empty = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_installed),
		cmocka_unit_test(test_path_to_text),
		cmocka_unit_test(test_text_to_path),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_display_only),
		cmocka_unit_test(test_shortcuts),
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_file_names),
		cmocka_unit_test(test_unterminated_file),
		cmocka_unit_test(test_short_nodes),
		cmocka_unit_test(test_malformed_paths),
		cmocka_unit_test(test_malformed_text),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_out_of_pool),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
