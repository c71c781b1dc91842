/*
 * EFI_DEVICE_PATH_TO_TEXT_PROTOCOL (UEFI 2.10 section 10.6.2): shim, systemd-boot and
 * GRUB print the paths they boot from. The path comes from any caller, so a malformed
 * one (a node shorter than its header, one past the end, no end node) gives NULL; a
 * node too short for its form is printed in the generic form, from its own bytes.
 * Each string is built twice: once to count, once into its AllocatePool buffer.
 * efi_devpath_text_init() installs this protocol and EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL
 * (efi/devpath_from_text.c) on a handle of their own.
 */
#include "log.h"
#include "efi/devpath_text.h"

struct text {
	CHAR16 *buf;            /* NULL while counting */
	UINTN len;
};

static void put_c(struct text *t, CHAR16 c)
{
	if (t->buf)
		t->buf[t->len] = c;
	t->len++;
}

static void put_s(struct text *t, const char *s)
{
	while (*s)
		put_c(t, (UINT8)*s++);
}

/* Upper-case hex, at least digits wide. */
static void put_hex(struct text *t, UINT64 v, int digits)
{
	int n = 1;

	while (n < 16 && v >> (4 * n))
		n++;
	for (n = n > digits ? n : digits; n--;)
		put_c(t, "0123456789ABCDEF"[v >> (4 * n) & 0xf]);
}

static void put_dec(struct text *t, UINT64 v)
{
	char d[21];
	int n = 0;

	do
		d[n++] = '0' + v % 10;
	while (v /= 10);
	while (n--)
		put_c(t, d[n]);
}

static void put_num(struct text *t, UINT64 v)
{
	put_s(t, "0x");
	put_hex(t, v, 1);
}

static void put_bytes(struct text *t, const UINT8 *p, UINTN n)
{
	while (n--)
		put_hex(t, *p++, 2);
}

/* The registry form: the first three fields are little-endian, the last 8 bytes in order. */
static void put_guid(struct text *t, const UINT8 *g)
{
	put_hex(t, dp_get(g, 4), 8);
	put_c(t, '-');
	put_hex(t, dp_get(g + 4, 2), 4);
	put_c(t, '-');
	put_hex(t, dp_get(g + 6, 2), 4);
	put_c(t, '-');
	put_bytes(t, g + 8, 2);
	put_c(t, '-');
	put_bytes(t, g + 10, 6);
}

static void put_ip4(struct text *t, const UINT8 *p)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			put_c(t, '.');
		put_dec(t, p[i]);
	}
}

static void put_eisa(struct text *t, UINT32 hid)
{
	if ((hid & 0xffff) == 0x41d0) {
		put_s(t, "PNP");
		put_hex(t, hid >> 16, 4);
	} else {
		put_s(t, "0x");
		put_hex(t, hid, 8);
	}
}

/* HD's partition format and signature, after the signature type (section 10.3.5.1). */
static void put_hdsig(struct text *t, const UINT8 *sig)
{
	switch (sig[17]) {
	case SIGNATURE_TYPE_MBR:
		put_s(t, "MBR,0x");
		put_hex(t, dp_get(sig, 4), 8);
		break;
	case SIGNATURE_TYPE_GUID:
		put_s(t, "GPT,");
		put_guid(t, sig);
		break;
	default:
		put_dec(t, sig[17]);
		put_s(t, ",0");
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
	UINTN size = dp_field_size(f.kind);

	switch (f.kind) {
	case DP_U8: case DP_U16: case DP_U32: case DP_U64:
		put_num(t, dp_get(p, size));
		break;
	case DP_DEC:    put_dec(t, dp_get(p, 4)); break;
	case DP_GUID:   put_guid(t, p); break;
	case DP_DATA:   put_bytes(t, p, len - f.off); break;
	case DP_ASCII:  put_ascii(t, p, len - f.off); break;
	case DP_EISA:   put_eisa(t, dp_get(p, 4)); break;
	case DP_HDSIG:  put_hdsig(t, p); break;
	case DP_IP4:    put_ip4(t, p); break;
	case DP_ORIGIN: put_s(t, *p ? "Static" : "DHCP"); break;
	case DP_PROTO:
		if (dp_get(p, 2) == 6 || dp_get(p, 2) == 17)
			put_s(t, dp_get(p, 2) == 6 ? "TCP" : "UDP");
		else
			put_num(t, dp_get(p, 2));
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
	if (node[0] != f->type || node[1] != f->subtype || len < f->len ||
	    (len > f->len && !tail))
		return false;
	if (f->shortcut && !shortcuts)
		return false;
	if (f->hid && dp_get(node + 4, 4) != f->hid)
		return false;
	return !f->guid || (len == f->len && !memcmp(node + 4, f->guid, sizeof(EFI_GUID)));
}

static void put_form(struct text *t, const struct dp_form *f, const UINT8 *node, UINTN len,
		     bool display_only)
{
	int n = display_only && f->display ? f->display : 6;

	put_s(t, f->name);
	put_c(t, '(');
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

/* Section 10.6.1.1: Path(type,subtype,data), or the type's own name. */
static void put_generic(struct text *t, const UINT8 *node, UINTN len)
{
	UINTN i;

	for (i = 0; i < dp_ngenerics && dp_generics[i].type != node[0]; i++)
		;
	if (i < dp_ngenerics) {
		put_s(t, dp_generics[i].name);
		put_c(t, '(');
	} else {
		put_s(t, "Path(");
		put_dec(t, node[0]);
		put_c(t, ',');
	}
	put_dec(t, node[1]);
	if (len > 4) {
		put_c(t, ',');
		put_bytes(t, node + 4, len - 4);
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

static void put_node(struct text *t, const EFI_DEVICE_PATH *dp, bool display_only,
		     bool shortcuts)
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
	for (UINTN i = 0; i < dp_nforms; i++) {
		if (form_matches(&dp_forms[i], node, len, shortcuts)) {
			put_form(t, &dp_forms[i], node, len, display_only);
			return;
		}
	}
	put_generic(t, node, len);
}

/* Nodes are separated by '/', instances by ',' (section 10.6.1.1). */
static void put_path(struct text *t, const EFI_DEVICE_PATH *dp, bool display_only,
		     bool shortcuts)
{
	bool sep = false;

	for (; !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		bool instance_end = dp->Type == END_DEVICE_PATH_TYPE;

		if (sep && !instance_end)
			put_c(t, '/');
		put_node(t, dp, display_only, shortcuts);
		sep = !instance_end;
	}
}

/* Count, allocate, write. */
static CHAR16 *render(const EFI_DEVICE_PATH *dp, bool path, bool display_only,
		      bool shortcuts)
{
	struct text t = { NULL, 0 };

	for (int pass = 0; pass < 2; pass++) {
		if (path)
			put_path(&t, dp, display_only, shortcuts);
		else
			put_node(&t, dp, display_only, shortcuts);
		if (pass)
			break;
		if (AllocatePool(EfiBootServicesData, (t.len + 1) * sizeof(CHAR16),
				 (VOID **)&t.buf))
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
