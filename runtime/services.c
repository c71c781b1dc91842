/*
 * Runtime services (UEFI 2.10 section 8) that keep working after ExitBootServices and
 * SetVirtualAddressMap: time from the PL031, reset through PSCI, the virtual address
 * switch. Runtime code: see rtlib.h for what it may not do.
 */
#include "runtime.h"
#include "rtlib.h"
#include "varstore.h"
#include "psci.h"
#include "platform.h"

struct rt_state rt RT_DATA;

#define PL031_DR 0x00           /* seconds since 1970 */
#define PL031_LR 0x08           /* load: sets the counter */

/* Twins of readl/writel (include/mmio.h), kept apart so the blob stays self-contained. */
static inline UINT32 mmio_read32(UINT64 addr)
{
	return *(volatile UINT32 *)addr;
}

static inline void mmio_write32(UINT64 addr, UINT32 v)
{
	*(volatile UINT32 *)addr = v;
}

/* Days since 1970-01-01 to a civil date and back, for the proleptic Gregorian calendar
 * (eras of 400 years start on March 1st, so the leap day is the last of its year). */
static void civil_from_days(UINT64 days, EFI_TIME *t)
{
	UINT64 z = days + 719468, era = z / 146097, doe = z - era * 146097;
	UINT64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	UINT64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	t->Day = doy - (153 * mp + 2) / 5 + 1;
	t->Month = mp < 10 ? mp + 3 : mp - 9;
	t->Year = yoe + era * 400 + (t->Month <= 2);
}

static UINT64 days_from_civil(const EFI_TIME *t)
{
	UINT64 y = t->Year - (t->Month <= 2), era = y / 400, yoe = y - era * 400;
	UINT64 doy = (153 * (t->Month > 2 ? t->Month - 3 : t->Month + 9) + 2) / 5 + t->Day - 1;

	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static BOOLEAN valid_time(const EFI_TIME *t)
{
	static const UINT8 mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	/* The PL031 counts 32-bit seconds from 1970: SetTime checks where in 2106 it ends. */
	return t->Year >= 1970 && t->Year <= 2106 && t->Month >= 1 && t->Month <= 12 &&
	       t->Day >= 1 && t->Day <= mdays[t->Month - 1] &&
	       (t->Month != 2 || t->Day < 29 || (t->Year % 4 == 0 && (t->Year % 100 || t->Year % 400 == 0))) &&
	       t->Hour < 24 && t->Minute < 60 && t->Second < 60 && t->Nanosecond < 1000000000 &&
	       (t->TimeZone == EFI_UNSPECIFIED_TIMEZONE ||
		(t->TimeZone >= -1440 && t->TimeZone <= 1440)) && !(t->Daylight & ~3);
}

EFI_STATUS EFIAPI rt_GetTime(EFI_TIME *time, EFI_TIME_CAPABILITIES *cap)
{
	UINT32 secs;

	if (!time)
		return EFI_INVALID_PARAMETER;
	if (!rt.rtc)
		return EFI_UNSUPPORTED;
	secs = mmio_read32(rt.rtc + PL031_DR);
	rt_memset(time, 0, sizeof(*time));
	civil_from_days(secs / 86400, time);
	time->Hour = secs % 86400 / 3600;
	time->Minute = secs % 3600 / 60;
	time->Second = secs % 60;
	time->TimeZone = EFI_UNSPECIFIED_TIMEZONE;   /* the PL031 keeps UTC, says nothing */
	if (cap) {
		cap->Resolution = 1;                 /* 1 Hz */
		cap->Accuracy = 50000000;            /* 50 ppm, in parts per trillion */
		cap->SetsToZero = FALSE;
	}
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI rt_SetTime(EFI_TIME *time)
{
	UINT64 secs;

	if (!time || !valid_time(time))
		return EFI_INVALID_PARAMETER;
	secs = days_from_civil(time) * 86400 + time->Hour * 3600 + time->Minute * 60 +
	       time->Second;
	if (secs > 0xffffffff)
		return EFI_INVALID_PARAMETER;
	if (!rt.rtc)
		return EFI_UNSUPPORTED;
	mmio_write32(rt.rtc + PL031_LR, secs);
	return EFI_SUCCESS;
}

/* The PL031's match interrupt cannot wake a powered-off VM. */
EFI_STATUS EFIAPI rt_GetWakeupTime(BOOLEAN *enabled, BOOLEAN *pending, EFI_TIME *time)
{
	return EFI_UNSUPPORTED;
}

EFI_STATUS EFIAPI rt_SetWakeupTime(BOOLEAN enable, EFI_TIME *time)
{
	return EFI_UNSUPPORTED;
}

EFI_STATUS EFIAPI rt_GetNextHighMonotonicCount(UINT32 *count)
{
	if (!count)
		return EFI_INVALID_PARAMETER;
	*count = ++rt.high_count;
	return EFI_SUCCESS;
}

#ifndef HOST_TEST
/* Twin of psci_call in boot/psci.c, which the blob may not call. */
static void psci(UINT32 fn)
{
	register UINT64 x0 asm("x0") = fn;

	if (rt.psci_conduit == PSCI_HVC)
		asm volatile("hvc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
	else if (rt.psci_conduit == PSCI_SMC)
		asm volatile("smc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
}

EFI_STATUS EFIAPI rt_ResetSystem(EFI_RESET_TYPE type, EFI_STATUS status, UINTN size,
				 CHAR16 *data)
{
	psci(type == EfiResetShutdown ? PSCI_SYSTEM_OFF : PSCI_SYSTEM_RESET);
	for (;;)
		asm volatile("wfi");
}
#endif

EFI_STATUS EFIAPI rt_UpdateCapsule(EFI_CAPSULE_HEADER **capsules, UINTN count,
				   EFI_PHYSICAL_ADDRESS sg_list)
{
	return EFI_UNSUPPORTED;
}

EFI_STATUS EFIAPI rt_QueryCapsuleCapabilities(EFI_CAPSULE_HEADER **capsules, UINTN count,
					      UINT64 *max_size, EFI_RESET_TYPE *type)
{
	return EFI_UNSUPPORTED;
}

/* Bitwise CRC-32 (IEEE 802.3): slow but table-free, for the few headers we re-sum. */
/* Twin of lib/crc32.c (bit at a time: the blob keeps no table). */
UINT32 rt_crc32(const void *data, UINTN size)
{
	const UINT8 *p = data;
	UINT32 crc = ~0u;

	while (size--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xedb88320 : 0);
	}
	return ~crc;
}

static void table_crc(EFI_TABLE_HEADER *hdr)
{
	hdr->CRC32 = 0;
	hdr->CRC32 = rt_crc32(hdr, hdr->HeaderSize);
}

/* The descriptor of the runtime region holding addr in the map being applied. */
static EFI_MEMORY_DESCRIPTOR *vmap_find(UINT64 addr)
{
	for (UINTN off = 0; off + rt.vmap_desc_size <= rt.vmap_size; off += rt.vmap_desc_size) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((UINT8 *)rt.vmap + off);

		if ((d->Attribute & EFI_MEMORY_RUNTIME) && addr >= d->PhysicalStart &&
		    addr - d->PhysicalStart < d->NumberOfPages << EFI_PAGE_SHIFT)
			return d;
	}
	return NULL;
}

EFI_STATUS EFIAPI rt_ConvertPointer(UINTN debug, VOID **address)
{
	EFI_MEMORY_DESCRIPTOR *d;

	if (!address)
		return EFI_INVALID_PARAMETER;
	if (!*address)
		return debug & EFI_OPTIONAL_PTR ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
	if (!rt.vmap)
		return EFI_UNSUPPORTED;          /* only while SetVirtualAddressMap runs */
	d = vmap_find((UINT64)*address);
	if (!d)
		return EFI_NOT_FOUND;
	*address = (UINT8 *)*address - d->PhysicalStart + d->VirtualStart;
	return EFI_SUCCESS;
}

static void convert(void *pointer)
{
	rt_ConvertPointer(EFI_OPTIONAL_PTR, pointer);
}

/* Called once, with the MMU as the OS set it up, still at physical addresses: every
 * pointer the OS or this code follows afterwards is moved to its virtual address. */
EFI_STATUS EFIAPI rt_SetVirtualAddressMap(UINTN size, UINTN desc_size, UINT32 version,
					  EFI_MEMORY_DESCRIPTOR *map)
{
	VOID **rs = (VOID **)((UINT8 *)&rt.rs + sizeof(rt.rs.Hdr));
	UINTN n = (sizeof(rt.rs) - sizeof(rt.rs.Hdr)) / sizeof(VOID *);

	if (rt.virtual_mode)
		return EFI_UNSUPPORTED;
	if (!map || desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || version != EFI_MEMORY_DESCRIPTOR_VERSION)
		return EFI_INVALID_PARAMETER;
	rt.vmap = map;
	rt.vmap_size = size;
	rt.vmap_desc_size = desc_size;
	/* Every runtime region must have been given a virtual address. */
	if (!vmap_find((UINT64)&rt) || !vmap_find((UINT64)rt_SetVirtualAddressMap) ||
	    (rt.rtc && !vmap_find(rt.rtc)) ||
	    (rt_variables_flash() && !vmap_find(rt_variables_flash()->base))) {
		rt.vmap = NULL;
		return EFI_NO_MAPPING;
	}
	for (UINTN i = 0; i < n; i++)
		convert(&rs[i]);
	convert(&rt.rtc);
	rt_variables_virtual(rt_ConvertPointer);
	convert(&rt.st.FirmwareVendor);
	convert(&rt.st.RuntimeServices);
	convert(&rt.st.ConfigurationTable);
	table_crc(&rt.rs.Hdr);
	table_crc(&rt.st.Hdr);
	rt.vmap = NULL;
	rt.virtual_mode = TRUE;
	return EFI_SUCCESS;
}
