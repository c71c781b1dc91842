/*
 * Files on the test disks' ESPs (UEFI 2.10 section 13.4 SimpleFileSystem, 13.5
 * EFI_FILE_PROTOCOL) and LoadImage from one of them (7.4). disk.c finds the disks.
 */
#include "disk.h"

static EFI_FILE_HANDLE root, file;

static EFI_STATUS open_volume(EFI_HANDLE part, EFI_FILE_HANDLE *out)
{
	EFI_FILE_IO_INTERFACE *fs;
	EFI_STATUS s = BS->HandleProtocol(part, &gEfiSimpleFileSystemProtocolGuid, (void **)&fs);

	return s ? s : fs->OpenVolume(fs, out);
}

static enum result setup_fs(void)
{
	enum result r = setup_buf();
	EFI_STATUS s;

	if (r != PASS)
		return r;
	if (!rw.esp)
		return fail(L"no ESP handle on the test disk");
	s = open_volume(rw.esp, &root);
	return s ? fail(L"OpenVolume: %r", s) : PASS;
}

static enum result close_fs(void)
{
	if (file)
		file->Close(file);
	if (root)
		root->Close(root);
	file = root = NULL;
	return free_buf();
}

/* GetInfo with the sizing dance: too small, then the size it asked for. In buf. */
static enum result get_info(EFI_FILE_HANDLE f, EFI_GUID *type, UINTN *size)
{
	*size = 1;
	EXPECT(f->GetInfo(f, type, size, buf), EFI_BUFFER_TOO_SMALL);
	CHECK(*size > 1 && *size <= 4096);
	EXPECT(f->GetInfo(f, type, size, buf), EFI_SUCCESS);
	return PASS;
}

static BOOLEAN hello_ok(const UINT8 *p, UINTN size)
{
	static const CHAR16 line[] = HELLO_LINE;
	UINTN n = sizeof(line) / sizeof(line[0]) - 1;

	if (size != n * HELLO_LINES)
		return FALSE;
	for (UINTN i = 0; i < size; i++)
		if (p[i] != line[i % n])
			return FALSE;
	return TRUE;
}

/* Open by another case and a path with directories; FILE_INFO; Read to the end. */
static enum result fs_open_read(void)
{
	EFI_FILE_INFO *info = (void *)buf;
	UINTN size, n = sizeof(HELLO_LINE) / sizeof(CHAR16) - 1;
	EFI_FILE_HANDLE f;

	EXPECT(root->Open(root, &file, L"hello-LONG-name.TXT", EFI_FILE_MODE_READ, 0),
	       EFI_SUCCESS);
	if (get_info(file, &gEfiFileInfoGuid, &size))
		return FAIL;
	CHECK(info->Size == size && size == SIZE_OF_EFI_FILE_INFO + sizeof(L"Hello-Long-Name.txt"));
	CHECK(!StrCmp(info->FileName, L"Hello-Long-Name.txt"));
	CHECK(info->FileSize == n * HELLO_LINES && !(info->Attribute & EFI_FILE_DIRECTORY));
	CHECK(info->PhysicalSize >= info->FileSize && info->ModificationTime.Year >= 2020);
	size = 4096;
	EXPECT(file->Read(file, &size, buf), EFI_SUCCESS);
	CHECK(hello_ok(buf, size));
	EXPECT(file->Read(file, &size, buf), EFI_SUCCESS);
	CHECK(size == 0);                                       /* at the end */
	/* A path from the root, and one relative to a directory. */
	EXPECT(root->Open(root, &f, L"\\efi\\SELFTEST\\child-image.EFI", EFI_FILE_MODE_READ, 0),
	       EFI_SUCCESS);
	f->Close(f);
	EXPECT(root->Open(root, &f, L"Dir", EFI_FILE_MODE_READ, 0), EFI_SUCCESS);
	file->Close(file);
	file = f;
	EXPECT(file->Open(file, &f, L"two.txt", EFI_FILE_MODE_READ, 0), EFI_SUCCESS);
	size = 4096;
	EXPECT(f->Read(f, &size, buf), EFI_SUCCESS);
	f->Close(f);
	CHECK(size == 4 && !CompareMem(buf, "two\n", 4));
	EXPECT(file->Open(file, &f, L"..\\Hello-Long-Name.txt", EFI_FILE_MODE_READ, 0),
	       EFI_SUCCESS);
	f->Close(f);
	EXPECT(root->Open(root, &f, L"no-such-file", EFI_FILE_MODE_READ, 0), EFI_NOT_FOUND);
	return PASS;
}

/* Read entries until one named name, its FILE_INFO left in buf; a failure at the end. */
static enum result find_entry(EFI_FILE_HANDLE dir, const CHAR16 *name)
{
	EFI_FILE_INFO *info = (void *)buf;

	for (UINTN k = 0; k < 64; k++) {
		UINTN size = 1;

		EXPECT(dir->Read(dir, &size, buf), EFI_BUFFER_TOO_SMALL);
		CHECK(size > SIZE_OF_EFI_FILE_INFO && size <= 4096);
		EXPECT(dir->Read(dir, &size, buf), EFI_SUCCESS);
		if (!size)
			return fail(L"%s not in the directory", name);
		CHECK(info->Size == size);
		if (!StrCmp(info->FileName, name))
			return PASS;
	}
	return fail(L"a directory without end");
}

/* Directory listings: each entry an EFI_FILE_INFO, sized as for GetInfo. */
static enum result fs_read_dir(void)
{
	EFI_FILE_INFO *info = (void *)buf;
	UINTN size = 4096;
	UINT64 pos;

	if (find_entry(root, L"Hello-Long-Name.txt"))
		return FAIL;
	CHECK(info->FileSize == HELLO_LINES * (sizeof(HELLO_LINE) / sizeof(CHAR16) - 1));
	if (find_entry(root, L"EFI"))
		return FAIL;
	CHECK(info->Attribute & EFI_FILE_DIRECTORY);
	EXPECT(root->SetPosition(root, 0), EFI_SUCCESS);        /* start over */
	if (find_entry(root, L"Dir"))
		return FAIL;
	CHECK(info->Attribute & EFI_FILE_DIRECTORY);
	EXPECT(root->SetPosition(root, 1), EFI_UNSUPPORTED);
	EXPECT(root->GetPosition(root, &pos), EFI_UNSUPPORTED);
	EXPECT(root->Write(root, &size, buf), EFI_UNSUPPORTED);
	EXPECT(root->Open(root, &file, L"Dir", EFI_FILE_MODE_READ, 0), EFI_SUCCESS);
	if (find_entry(file, L"One.txt"))
		return FAIL;
	CHECK(info->FileSize == 4 && !(info->Attribute & EFI_FILE_DIRECTORY));
	if (find_entry(file, L"Two.txt"))
		return FAIL;
	while (size) {                                          /* to the end */
		size = 4096;
		EXPECT(file->Read(file, &size, buf), EFI_SUCCESS);
	}
	return PASS;
}

/* FILE_SYSTEM_INFO and the volume label. */
static enum result fs_info(void)
{
	EFI_FILE_SYSTEM_INFO *fsi = (void *)buf;
	UINTN size;
	EFI_GUID junk = SELFTEST_GUID(0x40);

	if (get_info(root, &gEfiFileSystemInfoGuid, &size))
		return FAIL;
	CHECK(fsi->Size == size && size == SIZE_OF_EFI_FILE_SYSTEM_INFO + sizeof(L"SELFTEST"));
	CHECK(!StrCmp(fsi->VolumeLabel, L"SELFTEST") && !fsi->ReadOnly);
	CHECK(fsi->VolumeSize > 30 << 20 && fsi->VolumeSize <= (UINT64)ESP_BLOCKS * 512);
	CHECK(fsi->FreeSpace > 30 << 20 && fsi->FreeSpace < fsi->VolumeSize);
	CHECK(fsi->BlockSize >= 512 && !(fsi->BlockSize & (fsi->BlockSize - 1)));
	if (get_info(root, &gEfiFileSystemVolumeLabelInfoIdGuid, &size))
		return FAIL;
	CHECK(size == sizeof(L"SELFTEST") && !StrCmp((CHAR16 *)buf, L"SELFTEST"));
	size = 4096;
	EXPECT(root->GetInfo(root, &junk, &size, buf), EFI_UNSUPPORTED);
	/* The root's FILE_INFO: a directory. */
	if (get_info(root, &gEfiFileInfoGuid, &size))
		return FAIL;
	CHECK(((EFI_FILE_INFO *)buf)->Attribute & EFI_FILE_DIRECTORY);
	return PASS;
}

/* SetPosition/GetPosition, the end-of-file shortcut, reading past the end. */
static enum result fs_position(void)
{
	static const CHAR16 line[] = HELLO_LINE;
	UINTN n = sizeof(line) / sizeof(line[0]) - 1, size;
	UINT64 pos;

	EXPECT(root->Open(root, &file, L"Hello-Long-Name.txt", EFI_FILE_MODE_READ, 0),
	       EFI_SUCCESS);
	EXPECT(file->GetPosition(file, &pos), EFI_SUCCESS);
	CHECK(pos == 0);
	EXPECT(file->SetPosition(file, n + 4), EFI_SUCCESS);
	size = 6;
	EXPECT(file->Read(file, &size, buf), EFI_SUCCESS);
	CHECK(size == 6);
	for (UINTN i = 0; i < 6; i++)
		CHECK(buf[i] == line[4 + i]);
	EXPECT(file->GetPosition(file, &pos), EFI_SUCCESS);
	CHECK(pos == n + 10);
	EXPECT(file->SetPosition(file, 0xffffffffffffffffULL), EFI_SUCCESS);
	EXPECT(file->GetPosition(file, &pos), EFI_SUCCESS);
	CHECK(pos == n * HELLO_LINES);
	/* Beyond the end is allowed; a Read there is EFI_DEVICE_ERROR (13.5 Read). */
	EXPECT(file->SetPosition(file, n * HELLO_LINES + 100), EFI_SUCCESS);
	size = 16;
	EXPECT(file->Read(file, &size, buf), EFI_DEVICE_ERROR);
	return PASS;
}

static void pattern(UINT8 *p, UINTN size, UINT8 seed)
{
	for (UINTN i = 0; i < size; i++)
		p[i] = (UINT8)(i * 7 + seed + (i >> 8));
}

static enum result file_size_is(EFI_FILE_HANDLE f, UINT64 want)
{
	UINTN size;

	if (get_info(f, &gEfiFileInfoGuid, &size))
		return FAIL;
	if (((EFI_FILE_INFO *)buf)->FileSize != want)
		return fail(L"FileSize %ld, expected %ld", ((EFI_FILE_INFO *)buf)->FileSize, want);
	return PASS;
}

/* Create, Write, Flush, Close; reopen and read back; SetInfo truncates and renames;
 * Delete. The file is gone afterwards, so the case can run again on the same disk. */
static enum result fs_create_write(void)
{
	const UINT64 rw_mode = EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE;
	EFI_FILE_INFO *info = (void *)buf;
	UINTN size = 3000;
	UINT64 pos;
	EFI_FILE_HANDLE f;

	EXPECT(root->Open(root, &f, L"New File.txt", rw_mode | EFI_FILE_MODE_CREATE, 0),
	       EFI_SUCCESS);
	file = f;
	pattern(buf + 4096, size, 1);
	EXPECT(file->Write(file, &size, buf + 4096), EFI_SUCCESS);
	CHECK(size == 3000);
	EXPECT(file->GetPosition(file, &pos), EFI_SUCCESS);
	CHECK(pos == 3000);
	EXPECT(file->Flush(file), EFI_SUCCESS);
	EXPECT(file->Close(file), EFI_SUCCESS);
	file = NULL;

	EXPECT(root->Open(root, &file, L"new file.TXT", EFI_FILE_MODE_READ, 0), EFI_SUCCESS);
	if (file_size_is(file, 3000))
		return FAIL;
	size = 4096;
	EXPECT(file->Read(file, &size, buf), EFI_SUCCESS);
	CHECK(size == 3000 && !CompareMem(buf, buf + 4096, 3000));
	size = 1;
	EXPECT(file->Write(file, &size, buf), EFI_ACCESS_DENIED);  /* opened for reading */
	file->Close(file);
	file = NULL;

	/* Truncate with SetInfo(FILE_INFO), then rename. */
	EXPECT(root->Open(root, &file, L"New File.txt", rw_mode, 0), EFI_SUCCESS);
	if (get_info(file, &gEfiFileInfoGuid, &size))
		return FAIL;
	info->FileSize = 1000;
	EXPECT(file->SetInfo(file, &gEfiFileInfoGuid, size, info), EFI_SUCCESS);
	if (file_size_is(file, 1000))
		return FAIL;
	StrCpy(info->FileName, L"Renamed.txt");
	info->Size = SIZE_OF_EFI_FILE_INFO + sizeof(L"Renamed.txt");
	EXPECT(file->SetInfo(file, &gEfiFileInfoGuid, info->Size, info), EFI_SUCCESS);
	EXPECT(file->Close(file), EFI_SUCCESS);
	file = NULL;
	EXPECT(root->Open(root, &f, L"New File.txt", EFI_FILE_MODE_READ, 0), EFI_NOT_FOUND);
	EXPECT(root->Open(root, &file, L"Renamed.txt", rw_mode, 0), EFI_SUCCESS);
	size = 4096;
	EXPECT(file->Read(file, &size, buf), EFI_SUCCESS);
	pattern(buf + 4096, 1000, 1);
	CHECK(size == 1000 && !CompareMem(buf, buf + 4096, 1000));

	/* Delete closes the handle, whatever it returns. */
	f = file;
	file = NULL;
	EXPECT(f->Delete(f), EFI_SUCCESS);
	EXPECT(root->Open(root, &f, L"Renamed.txt", EFI_FILE_MODE_READ, 0), EFI_NOT_FOUND);
	/* CREATE needs READ|WRITE (13.5 Open). */
	EXPECT(root->Open(root, &f, L"x.txt", EFI_FILE_MODE_READ | EFI_FILE_MODE_CREATE, 0),
	       EFI_INVALID_PARAMETER);
	return PASS;
}

/* The read-only disk: EFI_WRITE_PROTECTED to create or open for writing. */
static enum result fs_write_protected(void)
{
	EFI_FILE_SYSTEM_INFO *fsi = (void *)buf;
	const UINT64 rw_mode = EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE;
	EFI_FILE_HANDLE f;
	UINTN size;

	CHECK(ro.esp);
	root->Close(root);
	root = NULL;
	EXPECT(open_volume(ro.esp, &root), EFI_SUCCESS);
	if (get_info(root, &gEfiFileSystemInfoGuid, &size))
		return FAIL;
	CHECK(fsi->ReadOnly && !StrCmp(fsi->VolumeLabel, L"READONLY"));
	EXPECT(root->Open(root, &f, L"New.txt", rw_mode | EFI_FILE_MODE_CREATE, 0),
	       EFI_WRITE_PROTECTED);
	EXPECT(root->Open(root, &f, L"Hello-Long-Name.txt", rw_mode, 0), EFI_WRITE_PROTECTED);
	EXPECT(root->Open(root, &file, L"Hello-Long-Name.txt", EFI_FILE_MODE_READ, 0),
	       EFI_SUCCESS);
	size = 4096;
	EXPECT(file->Read(file, &size, buf), EFI_SUCCESS);
	CHECK(hello_ok(buf, size));
	return PASS;
}

/* ---- LoadImage from a file ---- */

/* The ESP's path + FILEPATH(CHILD_PATH) + end, in a pool buffer. */
static EFI_DEVICE_PATH *child_file_path(const CHAR16 *name)
{
	EFI_DEVICE_PATH *esp = path_of(rw.esp);
	UINTN len = esp ? devpath_size(esp) - 4 : 0, nlen = StrSize(name);
	UINT8 *p;

	if (!len || BS->AllocatePool(EfiLoaderData, len + 4 + nlen + 4, (void **)&p))
		return NULL;
	CopyMem(p, esp, len);
	p[len] = MEDIA_DEVICE_PATH;
	p[len + 1] = MEDIA_FILEPATH_DP;
	p[len + 2] = (UINT8)(4 + nlen);
	p[len + 3] = (UINT8)((4 + nlen) >> 8);
	CopyMem(p + len + 4, (void *)name, nlen);
	SetDevicePathEndNode((EFI_DEVICE_PATH *)(p + len + 4 + nlen));
	return (EFI_DEVICE_PATH *)p;
}

/* The loaded image's DeviceHandle is the ESP and its FilePath one FILEPATH node. */
static enum result load_from_file(BOOLEAN policy)
{
	EFI_DEVICE_PATH *path = child_file_path(CHILD_PATH);
	EFI_LOADED_IMAGE *li;
	EFI_HANDLE h = NULL;
	const UINT8 *fp;
	EFI_STATUS s;

	CHECK(path);
	s = BS->LoadImage(policy, self, path, NULL, 0, &h);
	BS->FreePool(path);
	if (s)
		return fail(L"LoadImage(%a, %s): %r", policy ? "TRUE" : "FALSE", CHILD_PATH, s);
	s = BS->HandleProtocol(h, &gEfiLoadedImageProtocolGuid, (void **)&li);
	fp = s ? NULL : (const UINT8 *)li->FilePath;
	if (!fp || li->DeviceHandle != rw.esp || fp[0] != MEDIA_DEVICE_PATH ||
	    fp[1] != MEDIA_FILEPATH_DP ||
	    DevicePathNodeLength((EFI_DEVICE_PATH *)fp) != 4 + sizeof(CHILD_PATH) ||
	    StrCmp((CHAR16 *)(fp + 4), CHILD_PATH) ||
	    !IsDevicePathEnd((EFI_DEVICE_PATH *)(fp + 4 + sizeof(CHILD_PATH)))) {
		BS->UnloadImage(h);
		return fail(L"LoadImage(%a): DeviceHandle or FilePath wrong", policy ? "TRUE" : "FALSE");
	}
	EXPECT(BS->UnloadImage(h), EFI_SUCCESS);
	return PASS;
}

static enum result load_image_file(void)
{
	EFI_DEVICE_PATH *path;
	EFI_HANDLE h = NULL;
	EFI_STATUS s;

	if (load_from_file(FALSE) || load_from_file(TRUE))
		return FAIL;
	path = child_file_path(L"\\EFI\\selftest\\no-such.efi");
	CHECK(path);
	s = BS->LoadImage(FALSE, self, path, NULL, 0, &h);
	BS->FreePool(path);
	if (s == EFI_SUCCESS)
		BS->UnloadImage(h);
	CHECK(s == EFI_NOT_FOUND);
	return PASS;
}

const struct selftest file_tests[] = {
	{ L"fs.open_read", setup_fs, fs_open_read, close_fs },
	{ L"fs.read_dir", setup_fs, fs_read_dir, close_fs },
	{ L"fs.info", setup_fs, fs_info, close_fs },
	{ L"fs.position", setup_fs, fs_position, close_fs },
	{ L"fs.create_write", setup_fs, fs_create_write, close_fs },
	{ L"fs.write_protected", setup_fs, fs_write_protected, close_fs },
	{ L"fs.load_image", setup_buf, load_image_file, free_buf },
	{ NULL }
};
