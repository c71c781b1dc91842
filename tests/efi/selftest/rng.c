/* EFI_RNG_PROTOCOL (UEFI 2.10). */
#include "selftest.h"

static EFI_GUID rng_guid = EFI_RNG_PROTOCOL_GUID;
static EFI_RNG_PROTOCOL *rng;

static enum result setup(void)
{
	if (BS->LocateProtocol(&rng_guid, NULL, (void **)&rng))
		return skip(L"no EFI_RNG_PROTOCOL");
	return PASS;
}

static BOOLEAN all_zero(const UINT8 *p, UINTN n)
{
	while (n--)
		if (*p++)
			return FALSE;
	return TRUE;
}

/* Each algorithm listed gives bytes; an algorithm not listed is refused. */
static enum result algorithms(void)
{
	static EFI_GUID unknown = SELFTEST_GUID(0x40);
	EFI_RNG_ALGORITHM list[16];
	UINTN size = 0;
	UINT8 buf[32];

	EXPECT(rng->GetInfo(rng, &size, list), EFI_BUFFER_TOO_SMALL);
	CHECK(size && size % sizeof(EFI_GUID) == 0 && size <= sizeof(list));
	EXPECT(rng->GetInfo(rng, &size, list), EFI_SUCCESS);
	for (UINTN i = 0; i < size / sizeof(EFI_GUID); i++) {
		SetMem(buf, sizeof(buf), 0);
		EXPECT(rng->GetRNG(rng, &list[i], sizeof(buf), buf), EFI_SUCCESS);
		if (all_zero(buf, sizeof(buf)))
			return fail(L"algorithm %g gave zeros", &list[i]);
	}
	EXPECT(rng->GetRNG(rng, &unknown, sizeof(buf), buf), EFI_UNSUPPORTED);
	return PASS;
}

static enum result bytes(void)
{
	UINT8 a[32], b[32], odd[7];

	EXPECT(rng->GetRNG(rng, NULL, sizeof(a), a), EFI_SUCCESS);
	EXPECT(rng->GetRNG(rng, NULL, sizeof(b), b), EFI_SUCCESS);
	CHECK(CompareMem(a, b, sizeof(a)) && !all_zero(a, sizeof(a)));
	EXPECT(rng->GetRNG(rng, NULL, sizeof(odd), odd), EFI_SUCCESS);
	EXPECT(rng->GetRNG(rng, NULL, 0, a), EFI_INVALID_PARAMETER);
	EXPECT(rng->GetRNG(rng, NULL, sizeof(a), NULL), EFI_INVALID_PARAMETER);
	return PASS;
}

const struct selftest rng_tests[] = {
	{ L"rng.algorithms", setup, algorithms },
	{ L"rng.bytes", setup, bytes },
	{ NULL }
};
