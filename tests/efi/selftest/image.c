/* Image services (UEFI 2.10 section 7.4), LoadedImage (9) and device paths (10). */
#include "selftest.h"

extern const UINT8 child_efi[], child_efi_end[];

static EFI_GUID image_path_guid = EFI_LOADED_IMAGE_DEVICE_PATH_PROTOCOL_GUID;
static EFI_HANDLE child;

static enum result unload_child(void)
{
	if (child)
		BS->UnloadImage(child);
	child = NULL;
	return PASS;
}

static EFI_STATUS load_child(void)
{
	return BS->LoadImage(FALSE, self, NULL, (void *)child_efi, child_efi_end - child_efi,
			     &child);
}

/* The PE optional header's SizeOfImage. */
static UINT32 child_size_of_image(void)
{
	UINT32 pe = *(const UINT32 *)(child_efi + 0x3c);

	return *(const UINT32 *)(child_efi + pe + 24 + 56);
}

static enum result load_unload(void)
{
	EFI_LOADED_IMAGE *li;
	EFI_MEMORY_DESCRIPTOR *map, *d;
	UINTN size, key, dsize;
	EFI_PHYSICAL_ADDRESS base;
	void *p;

	EXPECT(load_child(), EFI_SUCCESS);
	EXPECT(BS->HandleProtocol(child, &gEfiLoadedImageProtocolGuid, (void **)&li), EFI_SUCCESS);
	CHECK(li->Revision == EFI_LOADED_IMAGE_PROTOCOL_REVISION);
	CHECK(li->ParentHandle == self && li->SystemTable == ST);
	CHECK(li->ImageCodeType == EfiLoaderCode && li->ImageDataType == EfiLoaderData);
	CHECK(li->ImageBase && !((UINTN)li->ImageBase & 0xfff));
	CHECK(li->ImageSize == child_size_of_image());
	CHECK(li->LoadOptionsSize == 0);
	EXPECT(BS->HandleProtocol(child, &image_path_guid, &p), EFI_SUCCESS);
	base = (UINTN)li->ImageBase;
	map = memory_map(&size, &key, &dsize);
	CHECK(map);
	d = map_find(map, size, dsize, base);
	BS->FreePool(map);
	CHECK(d && d->Type == EfiLoaderCode);
	EXPECT(BS->UnloadImage(child), EFI_SUCCESS);
	EXPECT(BS->HandleProtocol(child, &gEfiLoadedImageProtocolGuid, &p), EFI_INVALID_PARAMETER);
	child = NULL;
	/* Its memory is given back. */
	map = memory_map(&size, &key, &dsize);
	CHECK(map);
	d = map_find(map, size, dsize, base);
	BS->FreePool(map);
	CHECK(d && d->Type == EfiConventionalMemory);
	return PASS;
}

static enum result load_invalid(void)
{
	static UINT8 junk[512];
	UINTN size = child_efi_end - child_efi;
	EFI_STATUS s;

	SetMem(junk, sizeof(junk), 0x5a);
	/* Not an image at all, or a cut one: "corrupt or not understood" (LOAD_ERROR) or
	 * "not supported" (UNSUPPORTED) are both what the spec allows. */
	s = BS->LoadImage(FALSE, self, NULL, junk, sizeof(junk), &child);
	if (s != EFI_LOAD_ERROR && s != EFI_UNSUPPORTED)
		return fail(L"a buffer of junk: %r", s);
	s = BS->LoadImage(FALSE, self, NULL, (void *)child_efi, size / 2, &child);
	if (s != EFI_LOAD_ERROR && s != EFI_UNSUPPORTED)
		return fail(L"half an image: %r", s);
	EXPECT(BS->LoadImage(FALSE, NULL, NULL, (void *)child_efi, size, &child),
	       EFI_INVALID_PARAMETER);
	EXPECT(BS->LoadImage(FALSE, self, NULL, (void *)child_efi, size, NULL),
	       EFI_INVALID_PARAMETER);
	child = NULL;
	return PASS;
}

static enum result start_with(const CHAR16 *options, UINTN options_size, EFI_STATUS want,
			      UINTN *exit_size, CHAR16 **exit_data)
{
	EFI_LOADED_IMAGE *li;
	void *p;

	EXPECT(load_child(), EFI_SUCCESS);
	EXPECT(BS->HandleProtocol(child, &gEfiLoadedImageProtocolGuid, (void **)&li), EFI_SUCCESS);
	li->LoadOptions = (void *)options;
	li->LoadOptionsSize = options_size;
	EXPECT(BS->StartImage(child, exit_size, exit_data), want);
	/* An application is unloaded when it ends (StartImage, section 7.4). */
	EXPECT(BS->HandleProtocol(child, &gEfiLoadedImageProtocolGuid, &p), EFI_INVALID_PARAMETER);
	child = NULL;
	return PASS;
}

static enum result start_return(void)
{
	UINTN size = 1;
	CHAR16 *data = (CHAR16 *)1;

	if (start_with(L"return", sizeof(L"return"), EFI_WARN_WRITE_FAILURE, &size, &data))
		return FAIL;
	CHECK(size == 0 && data == NULL);
	return PASS;
}

static enum result start_exit_data(void)
{
	static const CHAR16 want[] = L"child exit data";
	UINTN size = 0;
	CHAR16 *data = NULL;

	if (start_with(L"exit", sizeof(L"exit"), EFI_INCOMPATIBLE_VERSION, &size, &data))
		return FAIL;
	CHECK(size == sizeof(want) && data && !CompareMem(data, want, sizeof(want)));
	EXPECT(BS->FreePool(data), EFI_SUCCESS);
	return PASS;
}

/* Exit on an image that was never started unloads it (Exit, section 7.4). */
static enum result exit_unstarted(void)
{
	void *p;

	EXPECT(load_child(), EFI_SUCCESS);
	EXPECT(BS->Exit(child, EFI_SUCCESS, 0, NULL), EFI_SUCCESS);
	EXPECT(BS->HandleProtocol(child, &gEfiLoadedImageProtocolGuid, &p), EFI_INVALID_PARAMETER);
	child = NULL;
	return PASS;
}

static enum result start_invalid(void)
{
	UINT64 junk[8] = { 0 };

	EXPECT(BS->StartImage(NULL, NULL, NULL), EFI_INVALID_PARAMETER);
	EXPECT(BS->StartImage((EFI_HANDLE)junk, NULL, NULL), EFI_INVALID_PARAMETER);
	EXPECT(BS->StartImage(self, NULL, NULL), EFI_INVALID_PARAMETER);   /* running */
	EXPECT(BS->UnloadImage((EFI_HANDLE)junk), EFI_INVALID_PARAMETER);
	EXPECT(BS->Exit((EFI_HANDLE)junk, EFI_SUCCESS, 0, NULL), EFI_INVALID_PARAMETER);
	return PASS;
}

/* Our own LoadedImage; run.py and test_selftest.py pass -append "selftest-options". */
static enum result loaded_image_self(void)
{
	static const CHAR16 options[] = L"selftest-options";
	EFI_LOADED_IMAGE *li;
	UINTN base;
	void *p;

	EXPECT(BS->HandleProtocol(self, &gEfiLoadedImageProtocolGuid, (void **)&li), EFI_SUCCESS);
	base = (UINTN)li->ImageBase;
	CHECK(li->Revision == EFI_LOADED_IMAGE_PROTOCOL_REVISION && li->SystemTable == ST);
	CHECK(li->ParentHandle &&
	      !BS->HandleProtocol(li->ParentHandle, &gEfiLoadedImageProtocolGuid, &p));
	CHECK(li->ImageCodeType == EfiLoaderCode && li->ImageDataType == EfiLoaderData);
	CHECK((UINTN)loaded_image_self - base < li->ImageSize);
	if (li->LoadOptionsSize != sizeof(options) ||
	    CompareMem(li->LoadOptions, options, sizeof(options)))
		return fail(L"load options \"%s\" (%d bytes)", li->LoadOptions ? : L"",
			    (UINTN)li->LoadOptionsSize);
	CHECK(li->FilePath && devpath_size(li->FilePath));
	return PASS;
}

/* LoadedImageDevicePath is the whole path the image was loaded from: the device's path
 * followed by the LoadedImage FilePath, which is relative to DeviceHandle (section 9.2). */
static enum result loaded_image_path(void)
{
	EFI_DEVICE_PATH *full, *dev;
	EFI_LOADED_IMAGE *li;
	UINTN nfull, ndev, nfile;

	EXPECT(BS->HandleProtocol(self, &gEfiLoadedImageProtocolGuid, (void **)&li), EFI_SUCCESS);
	EXPECT(BS->HandleProtocol(self, &image_path_guid, (void **)&full), EFI_SUCCESS);
	EXPECT(BS->HandleProtocol(li->DeviceHandle, &gEfiDevicePathProtocolGuid, (void **)&dev),
	       EFI_SUCCESS);
	nfull = devpath_size(full);
	ndev = devpath_size(dev);
	nfile = devpath_size(li->FilePath);
	CHECK(nfull && ndev && nfile);
	CHECK(nfull == ndev - END_DEVICE_PATH_LENGTH + nfile);
	CHECK(!CompareMem(full, dev, ndev - END_DEVICE_PATH_LENGTH));
	CHECK(!CompareMem((UINT8 *)full + nfull - nfile, li->FilePath, nfile));
	return PASS;
}

/* ---- device paths ---- */

struct vendor_node {
	EFI_DEVICE_PATH hdr;
	EFI_GUID guid;
} __attribute__((packed));

#define VENDOR(n) { { MEDIA_DEVICE_PATH, MEDIA_VENDOR_DP, { sizeof(struct vendor_node), 0 } }, \
		    SELFTEST_GUID(n) }
#define END { END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, { END_DEVICE_PATH_LENGTH, 0 } }

static struct { struct vendor_node v; EFI_DEVICE_PATH end; } __attribute__((packed))
	dev_path = { VENDOR(0x30), END }, dev_path_copy = { VENDOR(0x30), END },
	tail_path = { VENDOR(0x31), END };
static struct { struct vendor_node v1, v2; EFI_DEVICE_PATH end; } __attribute__((packed))
	long_path = { VENDOR(0x30), VENDOR(0x31), END };
static EFI_GUID marker = SELFTEST_GUID(0x32), absent = SELFTEST_GUID(0x33);
static EFI_HANDLE dev;
static UINT64 iface;

static enum result dev_setup(void)
{
	dev = NULL;
	return BS->InstallMultipleProtocolInterfaces(&dev, &gEfiDevicePathProtocolGuid, &dev_path,
						     &marker, &iface, NULL) ?
	       fail(L"cannot install a device") : PASS;
}

static enum result dev_teardown(void)
{
	BS->UninstallMultipleProtocolInterfaces(dev, &gEfiDevicePathProtocolGuid, &dev_path,
						&marker, &iface, NULL);
	return PASS;
}

/* LocateDevicePath finds the device whose path is the longest prefix (section 7.3). */
static enum result locate_device_path(void)
{
	EFI_DEVICE_PATH *p = &long_path.v1.hdr;
	EFI_HANDLE found = NULL, h = NULL;

	EXPECT(BS->LocateDevicePath(&marker, &p, &found), EFI_SUCCESS);
	CHECK(found == dev && p == &long_path.v2.hdr);
	p = &long_path.v1.hdr;
	EXPECT(BS->LocateDevicePath(&absent, &p, &found), EFI_NOT_FOUND);
	EXPECT(BS->LocateDevicePath(&marker, NULL, &found), EFI_INVALID_PARAMETER);
	/* One device path, one device (InstallMultipleProtocolInterfaces). */
	EXPECT(BS->InstallMultipleProtocolInterfaces(&h, &gEfiDevicePathProtocolGuid,
						     &dev_path_copy, NULL), EFI_ALREADY_STARTED);
	return PASS;
}

/* Every device path in the database is well formed. */
static enum result all_paths(void)
{
	EFI_HANDLE *hs;
	EFI_DEVICE_PATH *p;
	UINTN n;

	EXPECT(BS->LocateHandleBuffer(ByProtocol, &gEfiDevicePathProtocolGuid, NULL, &n, &hs),
	       EFI_SUCCESS);
	for (UINTN i = 0; i < n; i++) {
		if (BS->HandleProtocol(hs[i], &gEfiDevicePathProtocolGuid, (void **)&p) ||
		    !devpath_size(p)) {
			BS->FreePool(hs);
			return fail(L"handle %lx: a malformed device path", (UINT64)hs[i]);
		}
	}
	BS->FreePool(hs);
	return PASS;
}

/* Required of every implementation by section 2.6.1. */
static enum result utilities(void)
{
	EFI_DEVICE_PATH_UTILITIES_PROTOCOL *u;
	EFI_DEVICE_PATH *p;

	if (BS->LocateProtocol(&gEfiDevicePathUtilitiesProtocolGuid, NULL, (void **)&u))
		return fail(L"no EFI_DEVICE_PATH_UTILITIES_PROTOCOL");
	CHECK(u->GetDevicePathSize(&long_path.v1.hdr) == sizeof(long_path));
	p = u->AppendDevicePath(&dev_path.v.hdr, &tail_path.v.hdr);
	CHECK(p && !CompareMem(p, &long_path, sizeof(long_path)));
	BS->FreePool(p);
	CHECK(!u->IsDevicePathMultiInstance(&long_path.v1.hdr));
	return PASS;
}

static enum result to_text(void)
{
	EFI_DEVICE_PATH_TO_TEXT_PROTOCOL *t;
	CHAR16 *s;

	if (BS->LocateProtocol(&gEfiDevicePathToTextProtocolGuid, NULL, (void **)&t))
		return skip(L"no EFI_DEVICE_PATH_TO_TEXT_PROTOCOL");
	s = t->ConvertDevicePathToText(&dev_path.v.hdr, FALSE, FALSE);
	CHECK(s && !StrnCmp(s, L"VenMedia(", 9));
	BS->FreePool(s);
	return PASS;
}

const struct selftest image_tests[] = {
	{ L"image.load_unload", NULL, load_unload, unload_child },
	{ L"image.load_invalid", NULL, load_invalid, unload_child },
	{ L"image.start_return", NULL, start_return, unload_child },
	{ L"image.start_exit_data", NULL, start_exit_data, unload_child },
	{ L"image.exit_unstarted", NULL, exit_unstarted, unload_child },
	{ L"image.start_invalid", NULL, start_invalid },
	{ L"image.loaded_image_self", NULL, loaded_image_self },
	{ L"image.loaded_image_path", NULL, loaded_image_path },
	{ L"devpath.locate", dev_setup, locate_device_path, dev_teardown },
	{ L"devpath.all_well_formed", NULL, all_paths },
	{ L"devpath.utilities", NULL, utilities },
	{ L"devpath.to_text", NULL, to_text },
	{ NULL }
};
