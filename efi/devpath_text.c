/*
 * EFI_DEVICE_PATH_TO_TEXT_PROTOCOL (UEFI 2.10 section 10.6.2): shim, systemd-boot and
 * GRUB print the paths they boot from. The path comes from any caller, so a malformed
 * one (a node shorter than its header, one past the end, no end node) gives NULL; a
 * node too short for its form is printed in the generic form, from its own bytes.
 * Each string is built twice: once to count, once into its AllocatePool buffer.
 * efi_devpath_text_init() installs this protocol and EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL
 * (efi/devpath_from_text.c) on a handle of their own.
 */
#include <stdarg.h>
#include "log.h"
#include "efi/devpath_text.h"

struct text {
	CHAR16 *buf;            /* NULL while counting */
	UINTN len;
	bool display_only, shortcuts;   /* the caller's DisplayOnly and AllowShortcuts */
};

static void put_c(struct text *t, CHAR16 c)
{
	if (t->buf)
		t->buf[t->len] = c;
	t->len++;
}

static void put_char(char c, void *t)
{
	put_c(t, (UINT8)c);
}

/* Numbers and names through the firmware's printf (lib/printf.c). */
static void __attribute__((format(printf, 2, 3))) put_f(struct text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(put_char, t, fmt, ap);
	va_end(ap);
}

static void put_bytes(struct text *t, const UINT8 *p, UINTN n)
{
	while (n--)
		put_f(t, "%02X", *p++);
}

static void put_guid(struct text *t, const UINT8 *g)
{
	for (int i = 0; i < 16; i++)
		put_f(t, dp_guid_dash(i) ? "-%02X" : "%02X", g[dp_guid_order[i]]);
}

/* HD's partition format and signature, after the signature type (section 10.3.5.1). */
static void put_hdsig(struct text *t, const UINT8 *sig)
{
	switch (sig[17]) {
	case SIGNATURE_TYPE_MBR:
		put_f(t, "MBR,0x%08X", (UINT32)dp_get(sig, 4));
		break;
	case SIGNATURE_TYPE_GUID:
		put_f(t, "GPT,");
		put_guid(t, sig);
		break;
	default:
		put_f(t, "%u,0", sig[17]);
	}
}

/* The ASCII tail stops at a NUL, as a C string in the node would. */
static void put_ascii(struct text *t, const UINT8 *p, UINTN n)
{
	while (n-- && *p)
		put_c(t, *p++);
}

static void put_field(struct text *t, const UINT8 *node, UINTN len, struct dp_field f)
{
	const UINT8 *p = node + f.off;
	UINT64 v = dp_get(p, dp_field_size[f.kind]);     /* for the kinds that are numbers */

	switch (f.kind) {
	case DP_U8: case DP_U16: case DP_U32: case DP_U64:
		put_f(t, "0x%lX", v);
		break;
	case DP_DEC: case DP_DEC8:
		put_f(t, "%lu", v);
		break;
	case DP_GUID:   put_guid(t, p); break;
	case DP_DATA:   put_bytes(t, p, len - f.off); break;
	case DP_ASCII:  put_ascii(t, p, len - f.off); break;
	case DP_EISA:
		if ((v & 0xffff) == EISA_PNP(0))
			put_f(t, "PNP%04X", (UINT32)(v >> 16));
		else
			put_f(t, "0x%08X", (UINT32)v);
		break;
	case DP_HDSIG:  put_hdsig(t, p); break;
	case DP_IP4:    put_f(t, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]); break;
	case DP_ORIGIN: put_f(t, "%s", *p ? "Static" : "DHCP"); break;
	case DP_PROTO:
		if (v == 6 || v == 17)
			put_f(t, "%s", v == 6 ? "TCP" : "UDP");
		else
			put_f(t, "0x%lX", v);
		break;
	case DP_MAC:    put_bytes(t, p, p[32] <= 1 ? 6 : 32); break;
	}
}

static bool is_tail(UINT8 kind)
{
	return kind == DP_DATA || kind == DP_ASCII;
}

static bool form_matches(const struct dp_form *f, const UINT8 *node, UINTN len,
			 bool shortcuts)
{
	bool tail = false;

	for (int i = 0; i < 6; i++)
		tail |= is_tail(f->f[i].kind);
	if ((f->type && node[0] != f->type) || (f->subtype && node[1] != f->subtype) ||
	    len < f->len || (len > f->len && !tail))
		return false;
	if (f->vendor && !shortcuts)
		return false;
	if (f->pnp && dp_get(node + 4, 4) != EISA_PNP(f->pnp))
		return false;
	return !f->vendor ||
	       !memcmp(node + 4, &dp_vendor_guids[f->vendor - 1], sizeof(EFI_GUID));
}

static void put_form(struct text *t, const struct dp_form *f, const UINT8 *node, UINTN len)
{
	int n = t->display_only && f->display ? f->display : 6;

	put_f(t, "%s(", f->name);
	for (int i = 0; i < n && f->f[i].kind; i++) {
		/* An empty tail goes with its comma: VenHw(guid), not VenHw(guid,). */
		if (is_tail(f->f[i].kind) && len == f->f[i].off && i)
			break;
		if (i)
			put_c(t, ',');
		put_field(t, node, len, f->f[i]);
	}
	put_c(t, ')');
}

/* A FILEPATH node is its name, up to its NUL or its end. */
static void put_file(struct text *t, const UINT8 *node, UINTN len)
{
	for (UINTN i = 4; i + 1 < len; i += 2) {
		CHAR16 c = dp_get(node + i, 2);

		if (!c)
			break;
		put_c(t, c);
	}
}

static void put_node(struct text *t, const EFI_DEVICE_PATH *dp)
{
	const UINT8 *node = (const UINT8 *)dp;
	UINTN len = DevicePathNodeLength(dp);

	if (node[0] == MEDIA_DEVICE_PATH && node[1] == MEDIA_FILEPATH_DP) {
		put_file(t, node, len);
		return;
	}
	if (node[0] == END_DEVICE_PATH_TYPE && node[1] == END_INSTANCE_DEVICE_PATH_SUBTYPE) {
		put_c(t, ',');
		return;
	}
	for (UINTN i = 0; i < dp_nforms; i++) {     /* "Path" matches every node */
		if (form_matches(&dp_forms[i], node, len, t->shortcuts)) {
			put_form(t, &dp_forms[i], node, len);
			return;
		}
	}
}

/* Nodes are separated by '/', instances by ',' (section 10.6.1.1). */
static void put_path(struct text *t, const EFI_DEVICE_PATH *dp)
{
	bool sep = false;

	for (; !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		bool instance_end = dp->Type == END_DEVICE_PATH_TYPE;

		if (sep && !instance_end)
			put_c(t, '/');
		put_node(t, dp);
		sep = !instance_end;
	}
}

/* Count, allocate, write. */
static CHAR16 *render(const EFI_DEVICE_PATH *dp, bool path, bool display_only,
		      bool shortcuts)
{
	struct text t = { NULL, 0, display_only, shortcuts };

	for (int pass = 0; pass < 2; pass++) {
		if (path)
			put_path(&t, dp);
		else
			put_node(&t, dp);
		if (pass)
			break;
		t.buf = efi_pool((t.len + 1) * sizeof(CHAR16));
		if (!t.buf)
			return NULL;
		t.len = 0;
	}
	t.buf[t.len] = 0;
	return t.buf;
}

static CHAR16 *EFIAPI ConvertDeviceNodeToText(const EFI_DEVICE_PATH *node,
					      BOOLEAN display_only, BOOLEAN shortcuts)
{
	if (!node || (UINTN)DevicePathNodeLength(node) < sizeof(*node))
		return NULL;
	return render(node, false, display_only, shortcuts);
}

static CHAR16 *EFIAPI ConvertDevicePathToText(const EFI_DEVICE_PATH *path,
					      BOOLEAN display_only, BOOLEAN shortcuts)
{
	if (!efi_devpath_size(path))
		return NULL;
	return render(path, true, display_only, shortcuts);
}

static EFI_DEVICE_PATH_TO_TEXT_PROTOCOL to_text = {
	.ConvertDeviceNodeToText = ConvertDeviceNodeToText,
	.ConvertDevicePathToText = ConvertDevicePathToText,
};

/* Both protocols are conveniences (section 2.6.1 requires neither): a failure to
 * install them is said, and the boot goes on. */
EFI_STATUS efi_devpath_text_init(void)
{
	static EFI_GUID from_guid = EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL_GUID;
	EFI_HANDLE h = NULL;
	EFI_STATUS s = InstallMultipleProtocolInterfaces(&h, &efi_device_path_to_text_guid, &to_text, &from_guid,
							 &efi_devpath_from_text, NULL);

	if (s)
		warn("device path text protocols not installed: %s", efi_status_str(s));
	return s;
}
