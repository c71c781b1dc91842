/* libFuzzer target for the device path text protocols (efi/devpath_text.c,
 * efi/devpath_from_text.c). The first byte picks the direction:
 * - even: the rest is a binary device path (in a zeroed 64 KiB buffer, as a caller's
 *   memory would be: a walk may go past the input but not past the buffer); it and each
 *   of its nodes are printed;
 * - odd: the rest is CHAR16 text, parsed as a path and as a node.
 * Either way, whatever parses must print, be a well-formed path, and after that one
 * normalisation print -> parse -> print must give the same text and the same bytes. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "efi/core.h"

#define BUF_SIZE (0x10000 + 8)

void *efi_alloc(UINTN size) { return calloc(1, size); }
void efi_free(void *p) { free(p); }
EFI_STATUS EFIAPI SignalEvent(EFI_EVENT event) { return EFI_SUCCESS; }
EFI_TPL EFIAPI RaiseTPL(EFI_TPL tpl) { return TPL_APPLICATION; }
VOID EFIAPI RestoreTPL(EFI_TPL tpl) { }
void log_msg(int level, const char *fmt, ...) { }
void (*efi_event_close_hook)(EFI_EVENT event);
const char *efi_status_str(EFI_STATUS status) { return "?"; }

EFI_STATUS EFIAPI AllocatePool(EFI_MEMORY_TYPE type, UINTN size, VOID **buf)
{
	*buf = malloc(size ? size : 1);
	return *buf ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
}

EFI_STATUS EFIAPI FreePool(VOID *buf)
{
	free(buf);
	return EFI_SUCCESS;
}

void *efi_pool(UINTN size)
{
	return malloc(size ? size : 1);
}

static EFI_DEVICE_PATH_TO_TEXT_PROTOCOL *to;
static EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL *from;

static size_t len16(const CHAR16 *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* text came from printing a path: it must parse, and print back to itself. */
static void check_stable(const CHAR16 *text)
{
	EFI_DEVICE_PATH *p = from->ConvertTextToDevicePath(text);
	CHAR16 *again;
	UINTN size;

	if (!p)
		return;         /* the first round may make text no path has (an empty node) */
	size = efi_devpath_size(p);
	if (!size)
		abort();
	again = to->ConvertDevicePathToText(p, FALSE, TRUE);
	if (!again)
		abort();
	if (len16(again) != len16(text) || memcmp(again, text, 2 * len16(text))) {
		EFI_DEVICE_PATH *q = from->ConvertTextToDevicePath(again);

		/* One normalisation is allowed (a file name that reads as a node, a separator
		 * in a file name); after it, text and bytes hold still. */
		if (!q || efi_devpath_size(q) != size || memcmp(p, q, size))
			abort();
		FreePool(q);
	}
	FreePool(again);
	FreePool(p);
}

/* A parsed path: well formed, printable, and stable from there on. */
static void check_parsed(EFI_DEVICE_PATH *p)
{
	CHAR16 *t;

	if (!p)
		return;
	if (!efi_devpath_size(p))
		abort();
	t = to->ConvertDevicePathToText(p, FALSE, TRUE);
	if (!t)
		abort();
	check_stable(t);
	FreePool(t);
	FreePool(p);
}

static void from_binary(const uint8_t *data, size_t size)
{
	static uint8_t buf[BUF_SIZE];
	const EFI_DEVICE_PATH *n;
	CHAR16 *t;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, data, size < 0x10000 ? size : 0x10000);
	for (int flags = 0; flags < 4; flags++) {
		t = to->ConvertDevicePathToText((EFI_DEVICE_PATH *)buf, flags & 1, flags & 2);
		if (!t != !efi_devpath_size((EFI_DEVICE_PATH *)buf))
			abort();
		if (t && flags == 2)
			check_parsed(from->ConvertTextToDevicePath(t));
		FreePool(t);
	}
	if (!efi_devpath_size((EFI_DEVICE_PATH *)buf))
		return;
	for (n = (EFI_DEVICE_PATH *)buf; !IsDevicePathEnd(n); n = NextDevicePathNode(n)) {
		t = to->ConvertDeviceNodeToText(n, TRUE, FALSE);
		if (!t)
			abort();
		FreePool(t);
	}
}

static void from_text(const uint8_t *data, size_t size)
{
	size_t n = size / 2;
	CHAR16 *text = malloc((n + 1) * sizeof(CHAR16));
	EFI_DEVICE_PATH *node;
	CHAR16 *t;

	memcpy(text, data, n * sizeof(CHAR16));
	text[n] = 0;
	check_parsed(from->ConvertTextToDevicePath(text));
	node = from->ConvertTextToDeviceNode(text);
	if (node) {
		t = to->ConvertDeviceNodeToText(node, FALSE, FALSE);
		if (!t)
			abort();
		FreePool(t);
		FreePool(node);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EFI_GUID to_guid = EFI_DEVICE_PATH_TO_TEXT_PROTOCOL_GUID;
	static EFI_GUID from_guid = EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL_GUID;

	if (!to) {
		if (efi_devpath_text_init() ||
		    LocateProtocol(&to_guid, NULL, (VOID **)&to) ||
		    LocateProtocol(&from_guid, NULL, (VOID **)&from))
			abort();
	}
	if (!size)
		return 0;
	if (data[0] & 1)
		from_text(data + 1, size - 1);
	else
		from_binary(data + 1, size - 1);
	return 0;
}
