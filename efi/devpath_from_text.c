/*
 * EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL (UEFI 2.10 section 10.6.3): the text forms of
 * section 10.6.1 back to nodes, through the table efi/devpath_text.c prints with.
 * Nodes are separated by '/' and instances by ',' outside parentheses; a node whose
 * name no form has is a file path (section 10.6.1.6), as "\EFI\BOOT\BOOTAA64.EFI" is.
 * Numbers are decimal, or hex after 0x. Missing trailing fields are zero, as in EDK2;
 * anything else that is not what the form says (a bad digit, a value too big for its
 * field, an extra field) gives NULL. Each node is parsed twice: once to size it, once
 * into its AllocatePool buffer.
 */
#include "efi/devpath_text.h"

#define TEXT_MAX      0x100000  /* characters: far beyond any 64 KiB path's text */
#define NODE_MAX      0xffff    /* a node's length is a UINT16 */
#define PATH_MAX_BODY (0x10000 - END_DEVICE_PATH_LENGTH)   /* efi_devpath_size's limit */

struct str {
	const CHAR16 *s;
	UINTN n;
};

static bool eq(struct str a, const char *b)
{
	UINTN i;

	for (i = 0; i < a.n && b[i]; i++)
		if (a.s[i] != (UINT8)b[i])
			return false;
	return i == a.n && !b[i];
}

/* The next comma-separated field of *args; *args moves past it. */
static struct str next_field(struct str *args)
{
	struct str f = { args->s, 0 };

	while (f.n < args->n && args->s[f.n] != ',')
		f.n++;
	args->s += f.n;
	args->n -= f.n;
	if (args->n) {          /* the comma */
		args->s++;
		args->n--;
	}
	return f;
}

static int hex_digit(CHAR16 c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Decimal, or hex after 0x; an empty field is 0. */
static bool parse_num(struct str f, UINT64 max, UINT64 *v)
{
	UINTN i = 0, base = 10;

	*v = 0;
	if (f.n > 2 && f.s[0] == '0' && (f.s[1] | 0x20) == 'x') {
		base = 16;
		i = 2;
	}
	for (; i < f.n; i++) {
		int d = hex_digit(f.s[i]);

		if (d < 0 || (UINTN)d >= base || (UINT64)d > max || *v > (max - d) / base)
			return false;
		*v = *v * base + d;
	}
	return true;
}

static void store(UINT8 *out, UINTN off, UINT64 v, UINTN size)
{
	if (out)
		for (UINTN i = 0; i < size; i++, v >>= 8)
			out[off + i] = (UINT8)v;
}

/* n bytes as 2n hex digits, in order. */
static bool parse_bytes(struct str f, UINT8 *out, UINTN off, UINTN n)
{
	if (f.n != 2 * n)
		return false;
	for (UINTN i = 0; i < n; i++) {
		int hi = hex_digit(f.s[2 * i]), lo = hex_digit(f.s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		store(out, off + i, hi << 4 | lo, 1);
	}
	return true;
}

static bool parse_hexnum(struct str f, UINTN digits, UINT8 *out, UINTN off)
{
	UINT64 v = 0;

	for (UINTN i = 0; i < digits; i++) {
		int d = hex_digit(f.s[i]);

		if (d < 0)
			return false;
		v = v << 4 | d;
	}
	store(out, off, v, digits / 2);
	return true;
}

/* 8-4-4-4-12 hex digits (dp_guid_order says where each pair goes). */
static bool parse_guid(struct str f, UINT8 *out, UINTN off)
{
	const CHAR16 *s = f.s;

	if (f.n != 36)
		return false;
	for (int i = 0; i < 16; i++, s += 2) {
		if (dp_guid_dash(i) && *s++ != '-')
			return false;
		if (!parse_bytes((struct str){ s, 2 }, out, off + dp_guid_order[i], 1))
			return false;
	}
	return true;
}

/* PNP0A03 style (three letters, four hex digits), or a number. */
static bool parse_eisa(struct str f, UINT8 *out, UINTN off)
{
	UINT64 v;
	UINT32 id = 0;

	if (f.n == 7 && (f.s[0] | 0x20) >= 'a' && (f.s[0] | 0x20) <= 'z') {
		for (int i = 0; i < 3; i++) {
			if ((f.s[i] | 0x20) < 'a' || (f.s[i] | 0x20) > 'z')
				return false;
			id |= (UINT32)((f.s[i] | 0x20) - 'a' + 1) << (10 - 5 * i);
		}
		if (!parse_hexnum((struct str){ f.s + 3, 4 }, 4, out, off + 2))
			return false;
		store(out, off, id, 2);
		return true;
	}
	if (!parse_num(f, 0xffffffff, &v))
		return false;
	store(out, off, v, 4);
	return true;
}

/* Four decimal numbers up to 255, separated by dots; empty is 0.0.0.0. */
static bool parse_ip4(struct str f, UINT8 *out, UINTN off)
{
	UINTN i = 0, start;
	UINT64 v;

	if (!f.n)
		return true;
	for (int b = 0; b < 4; b++, i++) {
		for (start = i; i < f.n && f.s[i] != '.'; i++)
			;
		if (i == start || !parse_num((struct str){ f.s + start, i - start }, 255, &v) ||
		    (i < f.n) != (b < 3))       /* a dot after each but the last */
			return false;
		store(out, off + b, v, 1);
	}
	return true;
}

/* HD's Type and Signature fields: MBR with a 32-bit number, GPT with a GUID, or the
 * signature type as a number and no signature. */
static bool parse_hdsig(struct str type, struct str sig, UINT8 *out, UINTN off)
{
	UINT64 v;

	if (eq(type, "MBR")) {
		store(out, off + 16, MBR_TYPE_PCAT, 1);
		store(out, off + 17, SIGNATURE_TYPE_MBR, 1);
		if (!parse_num(sig, 0xffffffff, &v))
			return false;
		store(out, off, v, 4);
		return true;
	}
	if (eq(type, "GPT")) {
		store(out, off + 16, MBR_TYPE_EFI_PARTITION_TABLE_HEADER, 1);
		store(out, off + 17, SIGNATURE_TYPE_GUID, 1);
		return parse_guid(sig, out, off);
	}
	if (!parse_num(type, 0xff, &v) || !parse_num(sig, 0, &(UINT64){ 0 }))
		return false;
	store(out, off + 17, v, 1);
	return true;
}

/* A tail, stored at off: hex data, or 8-bit characters (Uri). Its bytes, or -1. */
static INTN parse_tail(UINT8 kind, struct str f, UINT8 *out, UINTN off)
{
	if (kind == DP_DATA)
		return parse_bytes(f, out, off, f.n / 2) ? (INTN)(f.n / 2) : -1;
	for (UINTN i = 0; i < f.n; i++) {
		if (f.s[i] > 0xff)
			return -1;
		store(out, off + i, f.s[i], 1);
	}
	return f.n;
}

static bool parse_field(struct dp_field fd, struct str *args, UINT8 *out)
{
	struct str f = next_field(args);
	UINTN size = dp_field_size[fd.kind];
	UINT64 v, max = size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;

	switch (fd.kind) {
	case DP_U8: case DP_U16: case DP_U32: case DP_U64: case DP_DEC: case DP_DEC8:
		if (!parse_num(f, max, &v))
			return false;
		store(out, fd.off, v, size);
		return true;
	case DP_GUID:   return !f.n || parse_guid(f, out, fd.off);
	case DP_EISA:   return parse_eisa(f, out, fd.off);
	case DP_HDSIG:  return parse_hdsig(f, next_field(args), out, fd.off);
	case DP_IP4:    return parse_ip4(f, out, fd.off);
	case DP_PROTO:
		v = eq(f, "TCP") ? 6 : eq(f, "UDP") ? 17 : 0;
		if (!v && !parse_num(f, 0xffff, &v))
			return false;
		store(out, fd.off, v, 2);
		return true;
	case DP_ORIGIN:
		if (!eq(f, "Static") && !eq(f, "DHCP") && f.n)
			return false;
		store(out, fd.off, eq(f, "Static"), 1);
		return true;
	case DP_MAC:
		return f.n <= 64 && !(f.n % 2) && parse_bytes(f, out, fd.off, f.n / 2);
	}
	return false;
}

static void header(UINT8 *out, UINT8 type, UINT8 subtype, UINTN len)
{
	if (out) {
		memset(out, 0, len);
		out[0] = type;
		out[1] = subtype;
		store(out, 2, len, 2);
	}
}

/* A form's fields, stored when out is set; the node's length, or -1. A tail takes the
 * rest of the fields whole, so a Uri may hold commas. Nothing is stored before a pass
 * without out has found the text good (parse_form), so a check may follow a store. */
static INTN form_fields(const struct dp_form *fm, struct str args, UINT8 *out)
{
	UINTN len = fm->len;

	for (int i = 0; i < 6 && fm->f[i].kind; i++) {
		UINT8 kind = fm->f[i].kind;

		if (kind == DP_DATA || kind == DP_ASCII) {
			INTN tail = parse_tail(kind, args, out, fm->f[i].off);

			if (tail < 0 || len + tail > NODE_MAX)
				return -1;
			len += tail;
			args.n = 0;
		} else if (!parse_field(fm->f[i], &args, out)) {
			return -1;
		}
	}
	return args.n ? -1 : (INTN)len;
}

static INTN parse_form(const struct dp_form *fm, struct str args, UINT8 *out)
{
	INTN len = form_fields(fm, args, NULL);

	if (len < 0 || !out)
		return len;
	header(out, fm->type, fm->subtype, len);
	if (fm->pnp)
		store(out, 4, EISA_PNP(fm->pnp), 4);
	if (fm->vendor)
		memcpy(out + 4, &dp_vendor_guids[fm->vendor - 1], sizeof(EFI_GUID));
	form_fields(fm, args, out);
	return len;
}

/* The node's text whole, and a NUL (section 10.3.5.4). */
static INTN parse_file(struct str s, UINT8 *out)
{
	UINTN len = 4 + 2 * (s.n + 1);

	if (len > NODE_MAX)
		return -1;
	header(out, MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP, len);
	for (UINTN i = 0; i < s.n; i++)
		store(out, 4 + 2 * i, s.s[i], 2);
	return len;
}

/* One node's text (no separators outside parentheses): its length, or -1. */
static INTN parse_node(struct str s, UINT8 *out)
{
	struct str name = { s.s, 0 }, args;

	if (!s.n)
		return -1;
	while (name.n < s.n && s.s[name.n] != '(')
		name.n++;
	if (name.n >= s.n - 1 || s.s[s.n - 1] != ')')
		return parse_file(s, out);
	args.s = s.s + name.n + 1;
	args.n = s.n - name.n - 2;
	for (UINTN i = 0; i < dp_nforms; i++)
		if (eq(name, dp_forms[i].name))
			return parse_form(&dp_forms[i], args, out);
	return parse_file(s, out);
}

/* Characters before the NUL; 0 (no text) when there is none within TEXT_MAX. */
static UINTN text_len(const CHAR16 *s)
{
	UINTN n = 0;

	while (n < TEXT_MAX && s[n])
		n++;
	return n < TEXT_MAX ? n : 0;
}

/* The end of the node starting at s[i]: the next '/' or ',' outside parentheses. */
static UINTN node_end(const CHAR16 *s, UINTN i, UINTN n)
{
	int depth = 0;

	for (; i < n; i++) {
		if (!depth && (s[i] == '/' || s[i] == ','))
			break;
		depth += s[i] == '(' ? 1 : s[i] == ')' && depth ? -1 : 0;
	}
	return i;
}

/* Walks the text, writing into out (NULL: only sizing); the body's length, or -1. */
static INTN parse_path(const CHAR16 *s, UINTN n, UINT8 *out)
{
	UINTN i = n && s[0] == '/', total = 0;

	while (i < n) {
		UINTN end = node_end(s, i, n);
		INTN len = parse_node((struct str){ s + i, end - i }, out ? out + total : NULL);

		if (len < 0 || (out ? out[total] : 0) == END_DEVICE_PATH_TYPE ||
		    total + len + END_DEVICE_PATH_LENGTH > PATH_MAX_BODY)
			return -1;
		total += len;
		i = end + 1;
		if (end < n && s[end] == ',') {
			header(out ? out + total : NULL, END_DEVICE_PATH_TYPE,
			       END_INSTANCE_DEVICE_PATH_SUBTYPE, END_DEVICE_PATH_LENGTH);
			total += END_DEVICE_PATH_LENGTH;
			i += i < n && s[i] == '/';      /* EDK2 prints "a,/b" */
		}
	}
	return total;
}

static INTN parse(struct str s, bool path, UINT8 *out)
{
	return path ? parse_path(s.s, s.n, out) : parse_node(s, out);
}

/* Size, allocate, write: one node, or a path and its end node. */
static EFI_DEVICE_PATH *convert(const CHAR16 *text, bool path)
{
	struct str s = { text, text ? text_len(text) : 0 };
	INTN len = s.n ? parse(s, path, NULL) : -1;
	UINTN end = path ? END_DEVICE_PATH_LENGTH : 0;
	UINT8 *out;

	out = len < 0 ? NULL : efi_pool(len + end);
	if (!out)
		return NULL;
	if (parse(s, path, out) != len) {
		FreePool(out);
		return NULL;
	}
	if (path)
		header(out + len, END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, end);
	return (EFI_DEVICE_PATH *)out;
}

static EFI_DEVICE_PATH *EFIAPI ConvertTextToDeviceNode(const CHAR16 *text)
{
	return convert(text, false);
}

static EFI_DEVICE_PATH *EFIAPI ConvertTextToDevicePath(const CHAR16 *text)
{
	return convert(text, true);
}

EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL efi_devpath_from_text = {
	.ConvertTextToDeviceNode = ConvertTextToDeviceNode,
	.ConvertTextToDevicePath = ConvertTextToDevicePath,
};
