/* Variables that must survive a reset (tests/test_vars_persist.py), as its load options
 * say:
 *   set VALUE  sets EfiliteVar (NV) to VALUE, then resets through ResetSystem
 *   get        prints EfiliteVar's value
 *   loop       checks EfiliteLoop, a 1 KiB NV variable whose every byte follows from
 *              the counter in its first four, then rewrites it with the next counter
 *              until QEMU is killed, timing each 100 writes with the generic timer. */
#include <efi.h>
#include <efilib.h>

#define NV_BS_RT (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | \
		  EFI_VARIABLE_RUNTIME_ACCESS)
#define LOOP_SIZE 1024

static EFI_GUID vendor = { 0x3b5d2a76, 0x5a52, 0x4c27, { 0x9c, 0x24, 0x13, 0xd6, 0xe8, 0xc0, 0xf5, 0xa1 } };

static UINT64 ticks(void)
{
	UINT64 v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static UINT64 tick_hz(void)
{
	UINT64 v;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static BOOLEAN starts(const CHAR16 *s, const CHAR16 *word)
{
	while (*word)
		if (*s++ != *word++)
			return FALSE;
	return TRUE;
}

static void fill(UINT8 *buf, UINT32 n)
{
	for (UINTN i = 0; i < LOOP_SIZE; i++)
		buf[i] = i < 4 ? n >> (8 * i) : (n + i) & 0xff;
}

static void loop(void)
{
	static UINT8 buf[LOOP_SIZE], want[LOOP_SIZE];
	UINTN size = sizeof(buf);
	UINT32 attr, n = 0;
	EFI_STATUS s;
	UINT64 t0;

	s = uefi_call_wrapper(RT->GetVariable, 5, L"EfiliteLoop", &vendor, &attr, &size, buf);
	if (s == EFI_SUCCESS) {
		n = buf[0] | buf[1] << 8 | buf[2] << 16 | (UINT32)buf[3] << 24;
		fill(want, n);
		if (size != LOOP_SIZE || attr != NV_BS_RT || CompareMem(buf, want, LOOP_SIZE)) {
			Print(L"loop: INVALID value after %u\n", n);
			return;
		}
		Print(L"loop: start at %u, valid\n", n);
	} else {
		Print(L"loop: start, no variable (%r)\n", s);
	}
	for (t0 = ticks();; ) {
		fill(buf, ++n);
		s = uefi_call_wrapper(RT->SetVariable, 5, L"EfiliteLoop", &vendor, NV_BS_RT,
				      (UINTN)LOOP_SIZE, buf);
		if (s) {
			Print(L"loop: SetVariable failed: %r\n", s);
			return;
		}
		if (n % 10 == 0) {
			UINT64 us = (ticks() - t0) * 1000000 / tick_hz();

			Print(L"loop: %u, 10 writes of 1 KiB in %lu us\n", n, us);
			t0 = ticks();
		}
	}
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_LOADED_IMAGE *li;
	CHAR16 *opt, buf[128];
	UINTN size = sizeof(buf) - sizeof(CHAR16);
	EFI_STATUS s;

	InitializeLib(image, st);
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li))
		return EFI_LOAD_ERROR;
	opt = li->LoadOptions ? (CHAR16 *)li->LoadOptions : L"";
	if (starts(opt, L"set ")) {
		s = uefi_call_wrapper(RT->SetVariable, 5, L"EfiliteVar", &vendor, NV_BS_RT,
				      StrLen(opt + 4) * sizeof(CHAR16), opt + 4);
		Print(L"set: %r\n", s);
		uefi_call_wrapper(RT->ResetSystem, 4, EfiResetCold, EFI_SUCCESS, 0, NULL);
	} else if (starts(opt, L"get")) {
		s = uefi_call_wrapper(RT->GetVariable, 5, L"EfiliteVar", &vendor, NULL, &size, buf);
		buf[s ? 0 : size / sizeof(CHAR16)] = 0;
		Print(L"get: %r [%s]\n", s, buf);
	} else if (starts(opt, L"loop")) {
		loop();
	}
	return EFI_SUCCESS;
}
