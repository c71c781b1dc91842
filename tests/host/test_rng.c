/* Host unit tests for efi/rng.c: the ChaCha20 block function against RFC 8439, and the
 * protocol with and without a (stubbed) RNDRRS. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "efi/core.h"

void chacha20_block(const UINT32 in[16], UINT8 out[64]);

/* ---- the hardware and the core, stubbed ---- */

static bool stub_has_rndr;
static int rndr_failures;               /* the next that many RNDRRS reads fail */
static int rndr_reads;
static UINT64 rndr_value = 0x0123456789abcdefULL;

bool cpu_has_rndr(void)
{
	return stub_has_rndr;
}

bool rndrrs(UINT64 *v)
{
	assert_true(stub_has_rndr);     /* never executed on a CPU without it */
	rndr_reads++;
	if (rndr_failures > 0) {
		rndr_failures--;
		*v = 0;
		return false;
	}
	*v = rndr_value += 0x9e3779b97f4a7c15ULL;
	return true;
}

UINT64 cntpct(void)
{
	return 42;                      /* a clock that never moves: uniqueness must not need it */
}

static EFI_RNG_PROTOCOL *rng;
static int installs;

EFI_STATUS EFIAPI InstallProtocolInterface(EFI_HANDLE *handle, EFI_GUID *protocol,
					   EFI_INTERFACE_TYPE type, VOID *interface)
{
	EFI_GUID rng_guid = EFI_RNG_PROTOCOL_GUID;

	assert_null(*handle);
	assert_memory_equal(protocol, &rng_guid, sizeof(rng_guid));
	assert_int_equal(type, EFI_NATIVE_INTERFACE);
	rng = interface;
	installs++;
	*handle = (EFI_HANDLE)0x1234;
	return EFI_SUCCESS;
}

/* ---- helpers ---- */

static const UINT8 seed[32] = "a seed as QEMU's rng-seed gives";
static EFI_GUID raw = EFI_RNG_ALGORITHM_RAW;

static int init_without_rndr(void **state)
{
	stub_has_rndr = false;
	return efi_rng_init(seed, sizeof(seed)) == EFI_SUCCESS ? 0 : -1;
}

static int init_with_rndr(void **state)
{
	stub_has_rndr = true;
	rndr_failures = 0;
	return efi_rng_init(seed, sizeof(seed)) == EFI_SUCCESS ? 0 : -1;
}

static int by_bytes(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* ---- the block function: RFC 8439 section 2.3.2 and appendix A.1 ---- */

static void test_chacha20_rfc8439_2_3_2(void **state)
{
	/* key 00:01:..:1f, counter 1, nonce 00:00:00:09:00:00:00:4a:00:00:00:00 */
	static const UINT32 in[16] = {
		0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,
		0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c,
		0x13121110, 0x17161514, 0x1b1a1918, 0x1f1e1d1c,
		0x00000001, 0x09000000, 0x4a000000, 0x00000000,
	};
	static const UINT8 expect[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
		0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
		0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
		0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};
	UINT8 out[64];

	chacha20_block(in, out);
	assert_memory_equal(out, expect, sizeof(out));
}

static void test_chacha20_rfc8439_a1_1(void **state)
{
	/* all-zero key, counter and nonce */
	static const UINT32 in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	static const UINT8 expect[64] = {
		0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28,
		0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a, 0xa8, 0x36, 0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7,
		0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48, 0x8d, 0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37,
		0x6a, 0x43, 0xb8, 0xf4, 0x15, 0x18, 0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86,
	};
	UINT8 out[64];

	chacha20_block(in, out);
	assert_memory_equal(out, expect, sizeof(out));
}

/* ---- installation ---- */

static void test_init_needs_a_source(void **state)
{
	int before = installs;

	stub_has_rndr = false;
	assert_int_equal(efi_rng_init(NULL, 0), EFI_NOT_FOUND);
	assert_int_equal(installs, before);
	stub_has_rndr = true;
	assert_int_equal(efi_rng_init(NULL, 0), EFI_SUCCESS);      /* RNDRRS alone will do */
	assert_int_equal(installs, before + 1);
	stub_has_rndr = false;
	assert_int_equal(efi_rng_init(seed, 8), EFI_SUCCESS);      /* and so will a seed alone */
	assert_int_equal(installs, before + 2);
}

/* ---- GetInfo ---- */

static void check_info(UINTN count)
{
	EFI_GUID vendor = { 0x9b3aca22, 0x8173, 0x4660, { 0xb2, 0xa7, 0xa5, 0xbc, 0x4f, 0xcb, 0xcf, 0xdd } };
	EFI_RNG_ALGORITHM list[3];
	UINTN size = 0;

	assert_int_equal(rng->GetInfo(rng, NULL, list), EFI_INVALID_PARAMETER);
	assert_int_equal(rng->GetInfo(rng, &size, NULL), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, count * sizeof(EFI_GUID));
	size = count * sizeof(EFI_GUID) - 1;
	assert_int_equal(rng->GetInfo(rng, &size, list), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, count * sizeof(EFI_GUID));
	assert_int_equal(rng->GetInfo(rng, &size, NULL), EFI_INVALID_PARAMETER);

	size = sizeof(list);
	memset(list, 0xa5, sizeof(list));
	assert_int_equal(rng->GetInfo(rng, &size, list), EFI_SUCCESS);
	assert_int_equal(size, count * sizeof(EFI_GUID));
	assert_memory_equal(&list[0], &vendor, sizeof(EFI_GUID));   /* the default comes first */
	if (count == 2)
		assert_memory_equal(&list[1], &raw, sizeof(EFI_GUID));
	for (UINTN i = count * sizeof(EFI_GUID); i < sizeof(list); i++)
		assert_int_equal(((UINT8 *)list)[i], 0xa5);
}

static void test_info_without_rndr(void **state)
{
	check_info(1);                  /* no RAW to offer */
}

static void test_info_with_rndr(void **state)
{
	check_info(2);
}

/* ---- GetRNG ---- */

static void check_get_rng_parameters(void)
{
	EFI_GUID ctr = EFI_RNG_ALGORITHM_SP800_90_CTR_256_GUID;
	EFI_GUID protocol = EFI_RNG_PROTOCOL_GUID;
	EFI_RNG_ALGORITHM list[2];
	UINTN size = sizeof(list);
	UINT8 buf[16];

	assert_int_equal(rng->GetRNG(rng, NULL, sizeof(buf), NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(rng->GetRNG(rng, NULL, 0, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(rng->GetRNG(rng, &raw, 0, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(rng->GetRNG(rng, &ctr, sizeof(buf), buf), EFI_UNSUPPORTED);
	assert_int_equal(rng->GetRNG(rng, &protocol, sizeof(buf), buf), EFI_UNSUPPORTED);
	/* the default asked for by name */
	assert_int_equal(rng->GetInfo(rng, &size, list), EFI_SUCCESS);
	assert_int_equal(rng->GetRNG(rng, &list[0], sizeof(buf), buf), EFI_SUCCESS);
}

static void test_get_rng_parameters_without_rndr(void **state)
{
	UINT8 buf[16];

	check_get_rng_parameters();
	assert_int_equal(rng->GetRNG(rng, &raw, sizeof(buf), buf), EFI_UNSUPPORTED);
}

static void test_get_rng_parameters_with_rndr(void **state)
{
	check_get_rng_parameters();
}

/* Every length is filled exactly, and no call gives the same bytes as another: the
 * clock stub never moves, so this rests on the block counter and the key erasure. */
static void check_never_repeats(void)
{
	enum { CALLS = 2000 };
	UINT8 (*seen)[32] = calloc(CALLS, 32);
	UINT8 buf[200];

	assert_non_null(seen);
	for (int i = 0; i < CALLS; i++) {
		UINTN len = 32 + i % 150;

		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(rng->GetRNG(rng, NULL, len, buf), EFI_SUCCESS);
		for (UINTN j = len; j < sizeof(buf); j++)
			assert_int_equal(buf[j], 0xa5);
		memcpy(seen[i], buf, 32);
	}
	qsort(seen, CALLS, 32, by_bytes);
	for (int i = 1; i < CALLS; i++)
		assert_true(memcmp(seen[i - 1], seen[i], 32) != 0);
	free(seen);
}

static void test_never_repeats_without_rndr(void **state)
{
	check_never_repeats();
}

static void test_never_repeats_with_rndr(void **state)
{
	int before = rndr_reads;

	check_never_repeats();
	assert_true(rndr_reads > before);       /* RNDRRS went into the key */
}

/* One large request holds no repeated 64-byte block, and its bits look balanced. */
static void test_large_request(void **state)
{
	enum { LEN = 64 * 1024 };
	UINT8 *buf = malloc(LEN);
	long ones = 0;

	assert_non_null(buf);
	assert_int_equal(rng->GetRNG(rng, NULL, LEN, buf), EFI_SUCCESS);
	for (int i = 0; i < LEN; i++)
		ones += __builtin_popcount(buf[i]);
	assert_true(ones > LEN * 8 * 49 / 100 && ones < LEN * 8 * 51 / 100);
	qsort(buf, LEN / 64, 64, by_bytes);     /* compares the first 32 bytes of each block */
	for (int i = 1; i < LEN / 64; i++)
		assert_true(memcmp(buf + 64 * (i - 1), buf + 64 * i, 32) != 0);
	free(buf);
}

static void test_raw(void **state)
{
	UINT64 v[2];
	UINT8 odd[13];

	assert_int_equal(rng->GetRNG(rng, &raw, sizeof(v), (UINT8 *)v), EFI_SUCCESS);
	assert_true(v[0] == rndr_value - 0x9e3779b97f4a7c15ULL && v[1] == rndr_value);

	rndr_failures = 5;                      /* a few failures are retried */
	assert_int_equal(rng->GetRNG(rng, &raw, sizeof(odd), odd), EFI_SUCCESS);
	assert_int_equal(rndr_failures, 0);

	rndr_failures = 1000;                   /* an entropy source that has run dry */
	assert_int_equal(rng->GetRNG(rng, &raw, sizeof(v), (UINT8 *)v), EFI_NOT_READY);
	rndr_failures = 1000;                   /* the generator does without it */
	assert_int_equal(rng->GetRNG(rng, NULL, sizeof(v), (UINT8 *)v), EFI_SUCCESS);
	rndr_failures = 0;
}

static void test_efi_random(void **state)
{
	UINT8 a[32], b[32], c[3] = { 0xa5, 0xa5, 0xa5 };

	efi_random(a, sizeof(a));
	efi_random(b, sizeof(b));
	assert_true(memcmp(a, b, sizeof(a)) != 0);
	efi_random(c, 0);
	assert_int_equal(c[0], 0xa5);
	efi_random(c, 2);
	assert_int_equal(c[2], 0xa5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chacha20_rfc8439_2_3_2),
		cmocka_unit_test(test_chacha20_rfc8439_a1_1),
		cmocka_unit_test(test_init_needs_a_source),
		cmocka_unit_test_setup(test_info_without_rndr, init_without_rndr),
		cmocka_unit_test_setup(test_get_rng_parameters_without_rndr, init_without_rndr),
		cmocka_unit_test_setup(test_never_repeats_without_rndr, init_without_rndr),
		cmocka_unit_test_setup(test_large_request, init_without_rndr),
		cmocka_unit_test_setup(test_efi_random, init_without_rndr),
		cmocka_unit_test_setup(test_info_with_rndr, init_with_rndr),
		cmocka_unit_test_setup(test_get_rng_parameters_with_rndr, init_with_rndr),
		cmocka_unit_test_setup(test_never_repeats_with_rndr, init_with_rndr),
		cmocka_unit_test_setup(test_raw, init_with_rndr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
