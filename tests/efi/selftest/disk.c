/*
 * Disks (UEFI 2.10 sections 13.9 DiskIo, 13.18 PartitionInfo, 13.3 partitions, 13.5
 * SimpleFileSystem and EFI_FILE_PROTOCOL, 13.9 BlockIo) on the two test disks that
 * tests/testdisk.py builds: a writable one with the ESP label SELFTEST and a read-only
 * one (-drive ...,readonly=on) labelled READONLY, both GPT with the layout below. Without
 * them (an old harness) every case skips. Also LoadImage from a file on the ESP (7.4).
 */
#include "selftest.h"
#include <efigpt.h>

/* tests/testdisk.py's layout: keep in step. */
#define DISK_BLOCKS     131072
#define ESP_START       2048
#define ESP_BLOCKS      65536
#define DATA_START      67584
#define DATA_BLOCKS     32768
#define HELLO_LINE      L"EFI-lite self-test: a file on the ESP, read through EFI_FILE_PROTOCOL.\n"
#define HELLO_LINES     3
#define CHILD_PATH      L"\\EFI\\selftest\\Child-Image.efi"
#define HD_NODE_SIZE    42      /* 10.3.5.1; gnu-efi's struct is padded to 48 */

#define EFI_PARTITION_INFO_PROTOCOL_GUID \
	{ 0x8cf2f62c, 0xbc9b, 0x4821, { 0x80, 0x8d, 0xec, 0x9e, 0xc4, 0x21, 0xa1, 0xa0 } }

struct partition_info {                 /* EFI_PARTITION_INFO_PROTOCOL, 13.18 */
	UINT32 Revision;
	UINT32 Type;                    /* 2: GPT */
	UINT8 System;
	UINT8 Reserved[7];
	UINT8 Info[128];                /* the GPT entry */
} __attribute__((packed));

static EFI_GUID partition_info_guid = EFI_PARTITION_INFO_PROTOCOL_GUID;
static EFI_GUID esp_type = EFI_PART_TYPE_EFI_SYSTEM_PART_GUID;

/* One test disk and its two partitions. */
struct test_disk {
	EFI_HANDLE disk, esp, data;
	EFI_BLOCK_IO *bio;
};
static struct test_disk rw, ro;

static EFI_BLOCK_IO *block_io(EFI_HANDLE h)
{
	EFI_BLOCK_IO *b = NULL;

	BS->HandleProtocol(h, &gEfiBlockIoProtocolGuid, (void **)&b);
	return b;
}

static EFI_DEVICE_PATH *path_of(EFI_HANDLE h)
{
	EFI_DEVICE_PATH *p = NULL;

	BS->HandleProtocol(h, &gEfiDevicePathProtocolGuid, (void **)&p);
	return p;
}

/* The HD() node of a partition handle whose path is the disk's plus that one node. */
static const UINT8 *hd_node(EFI_HANDLE part, EFI_HANDLE disk)
{
	EFI_DEVICE_PATH *pp = path_of(part), *dp = path_of(disk);
	UINTN psize = pp ? devpath_size(pp) : 0, dsize = dp ? devpath_size(dp) : 0;
	const UINT8 *hd;

	if (!psize || !dsize || psize != dsize + HD_NODE_SIZE ||
	    CompareMem(pp, dp, dsize - 4))
		return NULL;
	hd = (const UINT8 *)pp + dsize - 4;
	if (hd[0] != MEDIA_DEVICE_PATH || hd[1] != MEDIA_HARDDRIVE_DP ||
	    DevicePathNodeLength((EFI_DEVICE_PATH *)hd) != HD_NODE_SIZE)
		return NULL;
	return hd;
}

static UINT64 get64(const UINT8 *p)
{
	UINT64 v;

	CopyMem(&v, (void *)p, 8);
	return v;
}

/* EDK2 starts a -kernel image before it connects every controller, so its disks may
 * have no BlockIo yet: connect everything, recursively, as a shell's `connect -r` does.
 * EFI-lite has no drivers to connect (EFI_NOT_FOUND), its disks are there already. */
static void connect_all(void)
{
	static BOOLEAN done;
	EFI_HANDLE *h;
	UINTN n;

	if (done || BS->LocateHandleBuffer(AllHandles, NULL, NULL, &n, &h))
		return;
	done = TRUE;
	for (UINTN i = 0; i < n; i++)
		BS->ConnectController(h[i], NULL, NULL, TRUE);
	BS->FreePool(h);
}

/* Which disk is which: ours are the whole disks of DISK_BLOCKS blocks, told apart by
 * ReadOnly; a partition is ours if its path extends the disk's by one HD() node. */
static enum result find_disks(void)
{
	EFI_HANDLE *h;
	UINTN n;

	ZeroMem(&rw, sizeof(rw));
	ZeroMem(&ro, sizeof(ro));
	connect_all();
	if (BS->LocateHandleBuffer(ByProtocol, &gEfiBlockIoProtocolGuid, NULL, &n, &h))
		return skip(L"no BlockIo handles: no test disk attached");
	for (UINTN i = 0; i < n; i++) {
		EFI_BLOCK_IO *b = block_io(h[i]);
		struct test_disk *d;

		if (!b || b->Media->LogicalPartition || b->Media->LastBlock != DISK_BLOCKS - 1)
			continue;
		d = b->Media->ReadOnly ? &ro : &rw;
		d->disk = h[i];
		d->bio = b;
	}
	for (UINTN i = 0; i < n; i++) {
		for (struct test_disk *d = &rw; d; d = d == &rw ? &ro : NULL) {
			const UINT8 *hd = d->disk ? hd_node(h[i], d->disk) : NULL;

			if (hd && get64(hd + 8) == ESP_START)
				d->esp = h[i];
			else if (hd && get64(hd + 8) == DATA_START)
				d->data = h[i];
		}
	}
	BS->FreePool(h);
	if (!rw.disk || !ro.disk)
		return skip(L"the test disks are not attached (tests/testdisk.py)");
	return PASS;
}

/* A 4 KiB buffer from the page allocator: aligned for any IoAlign. */
static UINT8 *buf;

static enum result setup_buf(void)
{
	EFI_PHYSICAL_ADDRESS a;
	enum result r = find_disks();

	if (r != PASS)
		return r;
	if (BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 2, &a))
		return fail(L"AllocatePages");
	buf = (UINT8 *)(UINTN)a;
	return PASS;
}

static enum result free_buf(void)
{
	if (buf)
		BS->FreePages((UINTN)buf, 2);
	buf = NULL;
	return PASS;
}

static enum result check_media(EFI_BLOCK_IO *b, UINT64 last, BOOLEAN logical, BOOLEAN ro_)
{
	EFI_BLOCK_IO_MEDIA *m = b->Media;

	CHECK(m->BlockSize == 512 && m->LastBlock == last);
	CHECK(m->LogicalPartition == logical && m->ReadOnly == ro_);
	CHECK(m->MediaPresent && !m->RemovableMedia);
	return PASS;
}

/* The whole disks: media fields, a protective MBR at LBA 0 and the GPT header at 1. */
static enum result block_io_disk(void)
{
	for (struct test_disk *d = &rw; d; d = d == &rw ? &ro : NULL) {
		EFI_BLOCK_IO *b = d->bio;

		if (check_media(b, DISK_BLOCKS - 1, FALSE, d == &ro))
			return FAIL;
		EXPECT(b->ReadBlocks(b, b->Media->MediaId, 0, 1024, buf), EFI_SUCCESS);
		CHECK(buf[510] == 0x55 && buf[511] == 0xaa);
		CHECK(buf[446 + 4] == 0xee);                    /* the protective record */
		CHECK(!CompareMem(buf + 512, "EFI PART", 8));
		CHECK(get64(buf + 512 + 32) == DISK_BLOCKS - 1); /* the header's AlternateLBA */
	}
	return PASS;
}

/* The partitions: their own BlockIo on their window, LBA 0 the FAT boot sector. */
static enum result block_io_partitions(void)
{
	for (struct test_disk *d = &rw; d; d = d == &rw ? &ro : NULL) {
		EFI_BLOCK_IO *esp, *data;

		CHECK(d->esp && d->data);
		esp = block_io(d->esp);
		data = block_io(d->data);
		CHECK(esp && data);
		if (check_media(esp, ESP_BLOCKS - 1, TRUE, d == &ro) ||
		    check_media(data, DATA_BLOCKS - 1, TRUE, d == &ro))
			return FAIL;
		EXPECT(esp->ReadBlocks(esp, esp->Media->MediaId, 0, 512, buf), EFI_SUCCESS);
		CHECK(buf[0] == 0xeb && buf[510] == 0x55 && buf[511] == 0xaa);
		CHECK(!CompareMem(buf + 3, "mkfs.fat", 8));
		/* The last block of the ESP is the block before the data partition. */
		EXPECT(esp->ReadBlocks(esp, esp->Media->MediaId, ESP_BLOCKS - 1, 512, buf),
		       EFI_SUCCESS);
		EXPECT(d->bio->ReadBlocks(d->bio, d->bio->Media->MediaId, ESP_START + ESP_BLOCKS - 1,
					  512, buf + 512), EFI_SUCCESS);
		CHECK(!CompareMem(buf, buf + 512, 512));
	}
	return PASS;
}

/* Argument checks (13.9 ReadBlocks/WriteBlocks), on the disk and on a partition. */
static enum result block_io_invalid(void)
{
	EFI_BLOCK_IO *esp = block_io(rw.esp);

	CHECK(esp);
	for (EFI_BLOCK_IO *b = rw.bio; b; b = b == rw.bio ? esp : NULL) {
		UINT32 id = b->Media->MediaId;
		EFI_LBA last = b->Media->LastBlock;

		EXPECT(b->ReadBlocks(b, id, 0, 511, buf), EFI_BAD_BUFFER_SIZE);
		EXPECT(b->ReadBlocks(b, id, last + 1, 512, buf), EFI_INVALID_PARAMETER);
		EXPECT(b->ReadBlocks(b, id, last, 1024, buf), EFI_INVALID_PARAMETER);
		EXPECT(b->WriteBlocks(b, id, last + 1, 512, buf), EFI_INVALID_PARAMETER);
		EXPECT(b->ReadBlocks(b, id, last, 512, buf), EFI_SUCCESS);
	}
	/* The read-only disk refuses writes, even of what is already there. */
	EXPECT(ro.bio->ReadBlocks(ro.bio, ro.bio->Media->MediaId, 0, 512, buf), EFI_SUCCESS);
	EXPECT(ro.bio->WriteBlocks(ro.bio, ro.bio->Media->MediaId, 0, 512, buf),
	       EFI_WRITE_PROTECTED);
	return PASS;
}

/* A MediaId that is not the media's: EFI_MEDIA_CHANGED (13.9 ReadBlocks, WriteBlocks),
 * from the disk's BlockIo and from a partition's. Both answers are reported. */
static enum result block_io_media_id(void)
{
	EFI_BLOCK_IO *esp = block_io(rw.esp);
	EFI_STATUS s[3];

	CHECK(esp);
	s[0] = rw.bio->ReadBlocks(rw.bio, rw.bio->Media->MediaId + 1, 0, 512, buf);
	s[1] = esp->ReadBlocks(esp, esp->Media->MediaId + 1, 0, 512, buf);
	s[2] = ro.bio->WriteBlocks(ro.bio, ro.bio->Media->MediaId + 1, 0, 512, buf);
	if (s[0] != EFI_MEDIA_CHANGED || s[1] != EFI_MEDIA_CHANGED || s[2] != EFI_MEDIA_CHANGED)
		return fail(L"wrong MediaId: disk ReadBlocks %r, partition ReadBlocks %r, "
			    "read-only disk WriteBlocks %r; expected Media changed", s[0], s[1], s[2]);
	return PASS;
}

/* Partition handles: path = disk path + HD(n, GPT, GUID, start, size); PartitionInfo;
 * the ESP type GUID as a protocol on the ESP alone (13.3.2). */
static enum result partitions(void)
{
	static const struct { UINT32 number; UINT64 start, size; BOOLEAN system; } want[] = {
		{ 1, ESP_START, ESP_BLOCKS, TRUE }, { 2, DATA_START, DATA_BLOCKS, FALSE },
	};
	void *p;

	for (UINTN i = 0; i < 2; i++) {
		EFI_HANDLE h = i ? rw.data : rw.esp;
		const UINT8 *hd;
		UINT32 number;
		struct partition_info *pi;
		EFI_STATUS s;

		CHECK(h);
		hd = hd_node(h, rw.disk);
		CHECK(hd);
		CopyMem(&number, (void *)(hd + 4), 4);
		CHECK(number == want[i].number);
		CHECK(get64(hd + 8) == want[i].start && get64(hd + 16) == want[i].size);
		CHECK(hd[40] == 2 && hd[41] == 2);              /* GPT, GUID signature */
		EXPECT(BS->HandleProtocol(h, &partition_info_guid, (void **)&pi), EFI_SUCCESS);
		CHECK(pi->Revision == 0x1000 && pi->Type == 2 && pi->System == want[i].system);
		/* The GPT entry: its unique GUID is the HD() node's signature. */
		CHECK(!CompareMem(pi->Info + 16, (void *)(hd + 24), 16));
		CHECK(get64(pi->Info + 32) == want[i].start);
		CHECK(guid_eq((EFI_GUID *)pi->Info, &esp_type) == want[i].system);
		s = BS->HandleProtocol(h, &esp_type, &p);
		CHECK(s == (want[i].system ? EFI_SUCCESS : EFI_UNSUPPORTED));
	}
	EXPECT(BS->HandleProtocol(rw.disk, &partition_info_guid, &p), EFI_UNSUPPORTED);
	EXPECT(BS->HandleProtocol(rw.disk, &esp_type, &p), EFI_UNSUPPORTED);
	return PASS;
}

/* DiskIo reads at any offset and length: the same bytes as BlockIo's. */
static enum result disk_io(void)
{
	EFI_DISK_IO *dio, *esp_dio;
	UINT8 small[1000];

	EXPECT(BS->HandleProtocol(rw.disk, &gEfiDiskIoProtocolGuid, (void **)&dio), EFI_SUCCESS);
	EXPECT(BS->HandleProtocol(rw.esp, &gEfiDiskIoProtocolGuid, (void **)&esp_dio),
	       EFI_SUCCESS);
	EXPECT(rw.bio->ReadBlocks(rw.bio, rw.bio->Media->MediaId, 1, 2048, buf), EFI_SUCCESS);
	EXPECT(dio->ReadDisk(dio, rw.bio->Media->MediaId, 513, sizeof(small), small),
	       EFI_SUCCESS);
	CHECK(!CompareMem(small, buf + 1, sizeof(small)));
	EXPECT(dio->ReadDisk(dio, rw.bio->Media->MediaId, 512 + 7, 3, small), EFI_SUCCESS);
	CHECK(!CompareMem(small, buf + 7, 3));
	/* Through the partition: offset 0 is the ESP's first byte. */
	EXPECT(rw.bio->ReadBlocks(rw.bio, rw.bio->Media->MediaId, ESP_START, 1024, buf),
	       EFI_SUCCESS);
	EXPECT(esp_dio->ReadDisk(esp_dio, rw.bio->Media->MediaId, 510, 5, small), EFI_SUCCESS);
	CHECK(!CompareMem(small, buf + 510, 5));
	EXPECT(esp_dio->ReadDisk(esp_dio, rw.bio->Media->MediaId,
				 (UINT64)ESP_BLOCKS * 512 - 2, 4, small), EFI_INVALID_PARAMETER);
	EXPECT(dio->ReadDisk(dio, rw.bio->Media->MediaId, 0, 0, small), EFI_SUCCESS);
	return PASS;
}

/* ---- files ---- */

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

const struct selftest disk_tests[] = {
	{ L"disk.block_io", setup_buf, block_io_disk, free_buf },
	{ L"disk.block_io_partitions", setup_buf, block_io_partitions, free_buf },
	{ L"disk.block_io_invalid", setup_buf, block_io_invalid, free_buf },
	{ L"disk.block_io_media_id", setup_buf, block_io_media_id, free_buf },
	{ L"disk.partitions", setup_buf, partitions, free_buf },
	{ L"disk.disk_io", setup_buf, disk_io, free_buf },
	{ L"fs.open_read", setup_fs, fs_open_read, close_fs },
	{ L"fs.read_dir", setup_fs, fs_read_dir, close_fs },
	{ L"fs.info", setup_fs, fs_info, close_fs },
	{ L"fs.position", setup_fs, fs_position, close_fs },
	{ L"fs.create_write", setup_fs, fs_create_write, close_fs },
	{ L"fs.write_protected", setup_fs, fs_write_protected, close_fs },
	{ L"fs.load_image", setup_buf, load_image_file, free_buf },
	{ NULL }
};
