/*
 * Disks (UEFI 2.10 sections 13.9 BlockIo, 13.7 DiskIo, 5.3 GPT, 13.18 PartitionInfo) on
 * the two test disks that tests/testdisk.py builds: a writable one with the ESP label
 * SELFTEST and a read-only one (-drive ...,readonly=on) labelled READONLY, both GPT with
 * the layout in disk.h. Without them (an old harness) every case skips. The files on
 * them are file.c's.
 */
#include "disk.h"
#include <efigpt.h>

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

struct test_disk rw, ro;

EFI_BLOCK_IO *block_io(EFI_HANDLE h)
{
	EFI_BLOCK_IO *b = NULL;

	BS->HandleProtocol(h, &gEfiBlockIoProtocolGuid, (void **)&b);
	return b;
}

EFI_DEVICE_PATH *path_of(EFI_HANDLE h)
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

/* Two pages from the page allocator: aligned for any IoAlign. */
UINT8 *buf;

enum result setup_buf(void)
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

enum result free_buf(void)
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
 * the ESP type GUID as a protocol on the ESP alone. */
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

const struct selftest disk_tests[] = {
	{ L"disk.block_io", setup_buf, block_io_disk, free_buf },
	{ L"disk.block_io_partitions", setup_buf, block_io_partitions, free_buf },
	{ L"disk.block_io_invalid", setup_buf, block_io_invalid, free_buf },
	{ L"disk.block_io_media_id", setup_buf, block_io_media_id, free_buf },
	{ L"disk.partitions", setup_buf, partitions, free_buf },
	{ L"disk.disk_io", setup_buf, disk_io, free_buf },
	{ NULL }
};
