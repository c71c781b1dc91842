/*
 * The self-test's entry and runner: every registered case in order, one result line
 * each, then the summary. ExitBootServices comes last (ebs.c): after it, nothing else
 * can run.
 */
#include "selftest.h"

EFI_HANDLE self;
static CHAR16 reason[256];
static UINTN counts[3];

static const struct selftest *const suites[] = {
	memory_tests, protocol_tests, event_tests, misc_tests, image_tests, devpath_text_tests,
	console_tests, rng_tests, runtime_tests, disk_tests, file_tests,
	ebs_tests,
};

enum result fail(const CHAR16 *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	VSPrint(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return FAIL;
}

enum result skip(const CHAR16 *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	VSPrint(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return SKIP;
}

BOOLEAN guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return !CompareMem(a, b, sizeof(*a));
}

UINT64 now_us(void)
{
	UINT64 cnt, freq;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(cnt));
	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	return cnt / freq * 1000000 + cnt % freq * 1000000 / freq;
}

/* RaiseTPL returns the level it raised from. */
EFI_TPL current_tpl(void)
{
	EFI_TPL tpl = BS->RaiseTPL(TPL_HIGH_LEVEL);

	BS->RestoreTPL(tpl);
	return tpl;
}

EFI_MEMORY_DESCRIPTOR *memory_map(UINTN *size, UINTN *key, UINTN *desc_size)
{
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	UINT32 version;
	EFI_STATUS s;

	*size = 0;
	while ((s = BS->GetMemoryMap(size, map, key, desc_size, &version)) ==
	       EFI_BUFFER_TOO_SMALL) {
		if (map)
			BS->FreePool(map);
		*size += 4 * *desc_size;        /* the allocation may add descriptors */
		if (BS->AllocatePool(EfiLoaderData, *size, (void **)&map))
			return NULL;
	}
	if (s && map) {
		BS->FreePool(map);
		map = NULL;
	}
	return map;
}

EFI_MEMORY_DESCRIPTOR *map_find(EFI_MEMORY_DESCRIPTOR *map, UINTN size, UINTN desc_size,
				EFI_PHYSICAL_ADDRESS addr)
{
	for (UINTN off = 0; off + desc_size <= size; off += desc_size) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((UINT8 *)map + off);

		if (addr >= d->PhysicalStart &&
		    addr - d->PhysicalStart < d->NumberOfPages * EFI_PAGE_SIZE)
			return d;
	}
	return NULL;
}

/* CRC32 (IEEE 802.3, reflected), bit by bit: small, and needs no boot service. */
UINT32 crc32(const void *data, UINTN size)
{
	const UINT8 *p = data;
	UINT32 crc = ~0u;

	while (size--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (crc & 1 ? 0xedb88320 : 0);
	}
	return ~crc;
}

BOOLEAN header_crc_ok(const EFI_TABLE_HEADER *hdr)
{
	UINT8 copy[512];

	if (hdr->HeaderSize < sizeof(*hdr) || hdr->HeaderSize > sizeof(copy))
		return FALSE;
	CopyMem(copy, (void *)hdr, hdr->HeaderSize);
	((EFI_TABLE_HEADER *)copy)->CRC32 = 0;
	return crc32(copy, hdr->HeaderSize) == hdr->CRC32;
}

UINTN devpath_size(const EFI_DEVICE_PATH *path)
{
	const UINT8 *p = (const UINT8 *)path;

	for (UINTN total = 0; total < 0x10000;) {
		const EFI_DEVICE_PATH *n = (const EFI_DEVICE_PATH *)(p + total);
		UINTN len = DevicePathNodeLength(n);

		if (len < sizeof(*n))
			return 0;
		total += len;
		if (n->Type == END_DEVICE_PATH_TYPE && n->SubType == END_ENTIRE_DEVICE_PATH_SUBTYPE)
			return len == sizeof(*n) ? total : 0;
	}
	return 0;
}

static void report(const struct selftest *t, enum result r)
{
	static const CHAR16 *const words[] = { L"PASS", L"FAIL", L"SKIP" };

	counts[r]++;
	if (r == PASS)
		Print(L"PASS %s\n", t->name);
	else
		Print(L"%s %s: %s\n", words[r], t->name, reason);
}

/* Teardown undoes whatever part of setup and execute happened, so it always runs. */
static void run(const struct selftest *t)
{
	enum result r = t->setup ? t->setup() : PASS, down;

	if (r == PASS)
		r = t->execute();
	down = t->teardown ? t->teardown() : PASS;
	if (r == PASS)
		r = down;
	/* A case that failed half-way may leave the TPL raised: the next one must not pay. */
	if (current_tpl() != TPL_APPLICATION) {
		BS->RestoreTPL(TPL_APPLICATION);
		if (r == PASS)
			r = fail(L"returned at a raised TPL");
	}
	report(t, r);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	InitializeLib(image, st);
	self = image;
	Print(L"EFI self-test on %s, firmware revision %x, system table revision %x\n",
	      st->FirmwareVendor, st->FirmwareRevision, st->Hdr.Revision);
	for (UINTN i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		for (const struct selftest *t = suites[i]; t->name; t++)
			run(t);
	Print(L"%d passed, %d failed, %d skipped\n", counts[PASS], counts[FAIL], counts[SKIP]);
	return exit_boot_services();
}
