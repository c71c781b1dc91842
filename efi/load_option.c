/* EFI_LOAD_OPTION parsing and the HD() short-form match (UEFI 2.10 sections 3.1.2,
 * 3.1.3): pure code over bytes an OS wrote, so every length is checked against the
 * buffer before it is used. */
#include <string.h>
#include "efi/load_option.h"

#define NODE_HEADER 4
#define END_TYPE    0x7f
#define END_ENTIRE  0xff

/* Bytes of the first device path at p (its end node included) when it lies within
 * len; 0 otherwise. FilePathList packs whole paths, each closed by an end-entire node:
 * a path of several instances is no boot path, and is refused. */
static UINTN path_size(const UINT8 *p, UINTN len)
{
	UINTN off = 0;

	while (off + NODE_HEADER <= len) {
		UINTN n = p[off + 2] | (UINTN)p[off + 3] << 8;

		if (n < NODE_HEADER || n > len - off)
			return 0;
		off += n;
		if (p[off - n] == END_TYPE)
			return p[off - n + 1] == END_ENTIRE ? off : 0;
	}
	return 0;
}

bool load_option_parse(const void *buf, UINTN len, struct load_option *o)
{
	const UINT8 *p = buf;
	UINTN desc = 6, path_len;

	if (len < desc)
		return false;
	memcpy(&o->attributes, p, 4);
	path_len = p[4] | (UINTN)p[5] << 8;
	o->description = (const CHAR16 *)(p + desc);
	for (;; desc += 2) {
		if (desc + 2 > len)
			return false;
		if (!p[desc] && !p[desc + 1])
			break;
	}
	desc += 2;
	if (path_len > len - desc)
		return false;
	o->path = (const EFI_DEVICE_PATH *)(p + desc);
	o->path_size = path_size(p + desc, path_len);
	o->data = p + desc + path_len;
	o->data_size = len - desc - path_len;
	/* A path that is only an end node names nothing to boot. */
	return o->path_size > NODE_HEADER;
}

/* An HD() node, long enough to be read as one. */
static const struct hd_node *hd_node(const EFI_DEVICE_PATH *n)
{
	return n->Type == MEDIA_DEVICE_PATH && n->SubType == MEDIA_HARDDRIVE_DP &&
	       (n->Length[0] | (UINTN)n->Length[1] << 8) >= sizeof(struct hd_node) ?
	       (const struct hd_node *)n : NULL;
}

bool load_option_hd_match(const EFI_DEVICE_PATH *want_node, const EFI_DEVICE_PATH *have_node)
{
	const struct hd_node *want = hd_node(want_node), *have = hd_node(have_node);

	if (!want || !have || want->SignatureType != have->SignatureType)
		return false;
	if (want->SignatureType == 2)
		return !memcmp(want->Signature, have->Signature, 16);
	if (want->SignatureType == 1)
		return !memcmp(want->Signature, have->Signature, 4) &&
		       want->PartitionNumber == have->PartitionNumber;
	return false;
}
