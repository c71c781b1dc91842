/* BlockIo and DiskIo (efi/block_io.c) over a RAM disk: the spec's argument checks, and
 * DiskIo's byte ranges that start and end inside blocks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "efi/disk.h"

#define BS     512
#define BLOCKS 64

static uint8_t disk[BS * BLOCKS], ref[BS * BLOCKS];
static unsigned reads, writes, flushes;

static int ram_read(void *ctx, uint64_t lba, uint64_t n, void *buf)
{
	reads++;
	memcpy(buf, disk + lba * BS, n * BS);
	return 0;
}

static int ram_write(void *ctx, uint64_t lba, uint64_t n, const void *buf)
{
	writes++;
	memcpy(disk + lba * BS, buf, n * BS);
	return 0;
}

static int ram_flush(void *ctx)
{
	flushes++;
	return 0;
}

static struct blkdev dev = { NULL, BS, BLOCKS, false, ram_read, ram_write, ram_flush };
static struct efi_block b;

static int setup(void **state)
{
	for (unsigned i = 0; i < sizeof(disk); i++)
		disk[i] = ref[i] = (uint8_t)(i * 7 + i / BS);
	dev.read_only = false;
	dev.nr_blocks = BLOCKS;
	efi_block_init(&b, &dev, false);
	reads = writes = flushes = 0;
	return 0;
}

static void test_media(void **state)
{
	assert_int_equal(b.media.BlockSize, BS);
	assert_int_equal(b.media.LastBlock, BLOCKS - 1);
	assert_true(b.media.MediaPresent);
	assert_false(b.media.LogicalPartition);
	assert_true(b.media.WriteCaching);
	assert_int_equal(b.bio.Revision, 0x2001f);
	assert_ptr_equal(b.bio.Media, &b.media);
}

static void test_read_blocks_checks(void **state)
{
	uint8_t buf[BS * 4];
	EFI_BLOCK_IO_PROTOCOL *bio = &b.bio;

	assert_int_equal(bio->ReadBlocks(bio, 0, 2, sizeof(buf), buf), EFI_SUCCESS);
	assert_memory_equal(buf, ref + 2 * BS, sizeof(buf));
	assert_int_equal(bio->ReadBlocks(bio, 1, 2, BS, buf), EFI_MEDIA_CHANGED);
	assert_int_equal(bio->ReadBlocks(bio, 0, 2, BS + 1, buf), EFI_BAD_BUFFER_SIZE);
	assert_int_equal(bio->ReadBlocks(bio, 0, BLOCKS, BS, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(bio->ReadBlocks(bio, 0, BLOCKS - 1, 2 * BS, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(bio->ReadBlocks(bio, 0, ~0ULL, BS, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(bio->ReadBlocks(bio, 0, 0, BS, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(bio->ReadBlocks(bio, 0, BLOCKS - 1, BS, buf), EFI_SUCCESS);
	assert_int_equal(bio->ReadBlocks(bio, 0, 0, 0, buf), EFI_SUCCESS);
}

static void test_write_blocks(void **state)
{
	uint8_t buf[BS * 2];
	EFI_BLOCK_IO_PROTOCOL *bio = &b.bio;

	memset(buf, 0xab, sizeof(buf));
	assert_int_equal(bio->WriteBlocks(bio, 0, 5, sizeof(buf), buf), EFI_SUCCESS);
	assert_memory_equal(disk + 5 * BS, buf, sizeof(buf));
	assert_int_equal(bio->FlushBlocks(bio), EFI_SUCCESS);
	assert_int_equal(flushes, 1);
	dev.read_only = true;
	efi_block_init(&b, &dev, true);
	assert_true(b.media.ReadOnly);
	assert_true(b.media.LogicalPartition);
	assert_int_equal(bio->WriteBlocks(bio, 0, 5, sizeof(buf), buf), EFI_WRITE_PROTECTED);
	assert_int_equal(b.dio.WriteDisk(&b.dio, 0, 3, 1, buf), EFI_WRITE_PROTECTED);
}

/* Every (offset, length) near block edges, read and written, against a model. */
static void test_disk_io_ranges(void **state)
{
	static const uint64_t offs[] = { 0, 1, 100, BS - 1, BS, BS + 1, 3 * BS - 5, 10 * BS };
	static const uint64_t lens[] = { 0, 1, 5, BS - 1, BS, BS + 1, 2 * BS + 3, 7 * BS };
	uint8_t buf[8 * BS];

	for (unsigned i = 0; i < 8; i++)
		for (unsigned j = 0; j < 8; j++) {
			uint64_t off = offs[i], len = lens[j];

			assert_int_equal(b.dio.ReadDisk(&b.dio, 0, off, len, buf), EFI_SUCCESS);
			assert_memory_equal(buf, ref + off, len);
			for (uint64_t k = 0; k < len; k++)
				buf[k] = ref[off + k] = (uint8_t)(k ^ off ^ len ^ 0x5a);
			assert_int_equal(b.dio.WriteDisk(&b.dio, 0, off, len, buf), EFI_SUCCESS);
			assert_memory_equal(disk, ref, sizeof(disk));
		}
}

static void test_disk_io_whole_blocks_go_straight(void **state)
{
	uint8_t buf[8 * BS];

	/* 10 bytes before a block edge, six whole blocks, 10 bytes after: three requests */
	assert_int_equal(b.dio.ReadDisk(&b.dio, 0, BS - 10, 6 * BS + 20, buf), EFI_SUCCESS);
	assert_int_equal(reads, 3);
	assert_memory_equal(buf, ref + BS - 10, 6 * BS + 20);
}

static void test_disk_io_limits(void **state)
{
	uint8_t buf[16];

	assert_int_equal(b.dio.ReadDisk(&b.dio, 0, sizeof(disk) - 8, 8, buf), EFI_SUCCESS);
	assert_int_equal(b.dio.ReadDisk(&b.dio, 0, sizeof(disk) - 8, 9, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(b.dio.ReadDisk(&b.dio, 0, ~0ULL - 3, 8, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(b.dio.ReadDisk(&b.dio, 7, 0, 8, buf), EFI_MEDIA_CHANGED);
	assert_int_equal(b.dio.ReadDisk(&b.dio, 0, 0, 8, NULL), EFI_INVALID_PARAMETER);
}

static void test_empty_drive(void **state)
{
	uint8_t buf[BS];

	dev.nr_blocks = 0;
	efi_block_init(&b, &dev, false);
	assert_false(b.media.MediaPresent);
	assert_int_equal(b.media.LastBlock, 0);
	assert_int_equal(b.bio.ReadBlocks(&b.bio, 0, 0, BS, buf), EFI_NO_MEDIA);
	assert_int_equal(b.dio.ReadDisk(&b.dio, 0, 0, 1, buf), EFI_NO_MEDIA);
	assert_int_equal(reads, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_media, setup),
		cmocka_unit_test_setup(test_read_blocks_checks, setup),
		cmocka_unit_test_setup(test_write_blocks, setup),
		cmocka_unit_test_setup(test_disk_io_ranges, setup),
		cmocka_unit_test_setup(test_disk_io_whole_blocks_go_straight, setup),
		cmocka_unit_test_setup(test_disk_io_limits, setup),
		cmocka_unit_test_setup(test_empty_drive, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
