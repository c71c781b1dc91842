/*
 * EFI_DEVICE_PATH_UTILITIES_PROTOCOL (UEFI 2.10 section 10.5), required by section 2.6.1:
 * GRUB and shim build their boot paths with it. Each result is a new EfiBootServicesData
 * pool buffer the caller frees with FreePool, and always ends in a fresh end node.
 * A malformed argument (efi_devpath_size() 0) gives NULL, 0 or FALSE.
 */
#include "efi/core.h"

static void set_end(UINT8 *p, UINT8 subtype)
{
	EFI_DEVICE_PATH *n = (EFI_DEVICE_PATH *)p;

	n->Type = END_DEVICE_PATH_TYPE;
	n->SubType = subtype;
	SetDevicePathNodeLength(n, END_DEVICE_PATH_LENGTH);
}

/* A new path: the first na bytes of a, then (with instance) an end-of-instance node,
 * then the first nb bytes of b, then the end node. */
static EFI_DEVICE_PATH *join(const void *a, UINTN na, const void *b, UINTN nb, bool instance)
{
	UINTN sep = instance ? END_DEVICE_PATH_LENGTH : 0;
	UINT8 *p;

	p = efi_pool(na + sep + nb + END_DEVICE_PATH_LENGTH);
	if (!p)
		return NULL;
	if (na)
		memcpy(p, a, na);
	if (instance)
		set_end(p + na, END_INSTANCE_DEVICE_PATH_SUBTYPE);
	if (nb)
		memcpy(p + na + sep, b, nb);
	set_end(p + na + sep + nb, END_ENTIRE_DEVICE_PATH_SUBTYPE);
	return (EFI_DEVICE_PATH *)p;
}

/* The node ending the first instance of a path efi_devpath_size() accepted: the walk
 * visits the nodes that one did, so it stays inside the path. */
static const EFI_DEVICE_PATH *instance_end(const EFI_DEVICE_PATH *path)
{
	while (path->Type != END_DEVICE_PATH_TYPE ||
	       (path->SubType != END_INSTANCE_DEVICE_PATH_SUBTYPE &&
		path->SubType != END_ENTIRE_DEVICE_PATH_SUBTYPE))
		path = NextDevicePathNode(path);
	return path;
}

/* Bytes before the end node: a NULL path counts as an empty one; -1 if malformed. */
static INTN body_len(const EFI_DEVICE_PATH *path)
{
	UINTN size = path ? efi_devpath_size(path) : END_DEVICE_PATH_LENGTH;

	return size ? (INTN)(size - END_DEVICE_PATH_LENGTH) : -1;
}

static UINTN EFIAPI GetDevicePathSize(const EFI_DEVICE_PATH *path)
{
	return efi_devpath_size(path);
}

/* Here alone a NULL path is no empty path: there is nothing to duplicate. */
static EFI_DEVICE_PATH *EFIAPI DuplicateDevicePath(const EFI_DEVICE_PATH *path)
{
	INTN n = path ? body_len(path) : -1;

	return n < 0 ? NULL : join(path, n, NULL, 0, false);
}

/* Src2 goes after the last instance of Src1; either NULL counts as an empty path. */
EFI_DEVICE_PATH *EFIAPI AppendDevicePath(const EFI_DEVICE_PATH *src1,
					 const EFI_DEVICE_PATH *src2)
{
	INTN n1 = body_len(src1), n2 = body_len(src2);

	return n1 < 0 || n2 < 0 ? NULL : join(src1, n1, src2, n2, false);
}

EFI_DEVICE_PATH *EFIAPI AppendDeviceNode(const EFI_DEVICE_PATH *path,
					 const EFI_DEVICE_PATH *node)
{
	INTN n = body_len(path);
	UINTN len = node ? DevicePathNodeLength(node) : 0;

	if (n < 0 || (node && len < sizeof(*node)))
		return NULL;
	return join(path, n, node, len, false);
}

static EFI_DEVICE_PATH *EFIAPI AppendDevicePathInstance(const EFI_DEVICE_PATH *path,
							const EFI_DEVICE_PATH *instance)
{
	INTN n = body_len(path), ni = instance ? body_len(instance) : -1;

	if (n < 0 || ni < 0)
		return NULL;
	return join(path, n, instance, ni, path != NULL);
}

/* A copy of the first instance of *path; *path moves to the next, or NULL after the
 * last. *path stays put when no copy is made, so a failure loses nothing. */
static EFI_DEVICE_PATH *EFIAPI GetNextDevicePathInstance(EFI_DEVICE_PATH **path,
							 UINTN *size)
{
	const EFI_DEVICE_PATH *end;
	EFI_DEVICE_PATH *copy = NULL;
	UINTN n = 0;

	if (path && *path && efi_devpath_size(*path)) {
		end = instance_end(*path);
		n = (const UINT8 *)end - (const UINT8 *)*path;
		copy = join(*path, n, NULL, 0, false);
		if (copy)
			*path = end->SubType == END_ENTIRE_DEVICE_PATH_SUBTYPE ? NULL :
				NextDevicePathNode(end);
	}
	if (size)
		*size = copy ? n + END_DEVICE_PATH_LENGTH : 0;
	return copy;
}

static BOOLEAN EFIAPI IsDevicePathMultiInstance(const EFI_DEVICE_PATH *path)
{
	return efi_devpath_size(path) &&
	       instance_end(path)->SubType == END_INSTANCE_DEVICE_PATH_SUBTYPE;
}

/* The rest of the node (after the header) is zeroed for the caller to fill in. */
static EFI_DEVICE_PATH *EFIAPI CreateDeviceNode(UINT8 type, UINT8 subtype, UINT16 len)
{
	EFI_DEVICE_PATH *n;

	n = len < sizeof(*n) ? NULL : efi_pool(len);
	if (!n)
		return NULL;
	memset(n, 0, len);
	n->Type = type;
	n->SubType = subtype;
	SetDevicePathNodeLength(n, len);
	return n;
}

static EFI_DEVICE_PATH_UTILITIES_PROTOCOL utilities = {
	.GetDevicePathSize = GetDevicePathSize,
	.DuplicateDevicePath = DuplicateDevicePath,
	.AppendDevicePath = AppendDevicePath,
	.AppendDeviceNode = AppendDeviceNode,
	.AppendDevicePathInstance = AppendDevicePathInstance,
	.GetNextDevicePathInstance = GetNextDevicePathInstance,
	.IsDevicePathMultiInstance = IsDevicePathMultiInstance,
	.CreateDeviceNode = CreateDeviceNode,
};

EFI_STATUS efi_devpath_init(void)
{
	static EFI_GUID guid = EFI_DEVICE_PATH_UTILITIES_PROTOCOL_GUID;
	EFI_HANDLE h = NULL;

	return InstallProtocolInterface(&h, &guid, EFI_NATIVE_INTERFACE, &utilities);
}
