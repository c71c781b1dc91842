/* EFI_MEMORY_ATTRIBUTE_PROTOCOL (efi/memattr.c) over a fake set of page permissions: the
 * conversion between EFI_MEMORY_RP/RO/XP and page permissions, ranges, and W^X. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "efi/core.h"
#include "mmu.h"
#include "platform.h"

#define BASE  0x40000000ULL
#define PAGES 64
#define RP EFI_MEMORY_RP
#define RO EFI_MEMORY_RO
#define XP EFI_MEMORY_XP

struct memattr {                        /* the protocol's layout, as the spec gives it */
	EFI_STATUS (EFIAPI *Get)(struct memattr *, EFI_PHYSICAL_ADDRESS, UINT64, UINT64 *);
	EFI_STATUS (EFIAPI *Set)(struct memattr *, EFI_PHYSICAL_ADDRESS, UINT64, UINT64);
	EFI_STATUS (EFIAPI *Clear)(struct memattr *, EFI_PHYSICAL_ADDRESS, UINT64, UINT64);
};

static unsigned prot[PAGES];
static unsigned nr_set_calls;
static struct memattr *ma;
static const struct region ram[] = { { .base = BASE, .size = PAGES * 4096ULL } };

unsigned mmu_get_prot(uint64_t addr)
{
	assert_true(addr >= BASE && addr < BASE + PAGES * 4096ULL);
	return prot[(addr - BASE) / 4096];
}

void wx_unflip(uint64_t base, uint64_t size)
{
}

int mmu_set_prot(uint64_t base, uint64_t size, unsigned p)
{
	assert_false((p & PT_W) && (p & PT_X));         /* never asked for W+X */
	for (uint64_t a = base; a < base + size; a += 4096)
		prot[(a - BASE) / 4096] = p;
	nr_set_calls++;
	return 0;
}

EFI_STATUS EFIAPI InstallProtocolInterface(EFI_HANDLE *handle, EFI_GUID *guid,
					   EFI_INTERFACE_TYPE type, VOID *interface)
{
	ma = interface;
	return EFI_SUCCESS;
}

static int setup(void **state)
{
	for (unsigned i = 0; i < PAGES; i++)
		prot[i] = PT_R | PT_W;                  /* RAM: read-write, execute-never */
	nr_set_calls = 0;
	return efi_memattr_init(ram, 1) == EFI_SUCCESS ? 0 : -1;
}

static UINT64 get(UINT64 base, UINT64 len)
{
	UINT64 a = ~0ULL;

	assert_int_equal(ma->Get(ma, base, len, &a), EFI_SUCCESS);
	return a;
}

static void test_conversion(void **state)
{
	assert_int_equal(get(BASE, 4096), XP);                  /* RW, XN */
	prot[1] = PT_R | PT_X;
	assert_int_equal(get(BASE + 4096, 4096), RO);           /* RX */
	prot[2] = PT_R;
	assert_int_equal(get(BASE + 8192, 4096), RO | XP);      /* R only */
	prot[3] = 0;
	assert_int_equal(get(BASE + 3 * 4096, 4096), RP | RO | XP);   /* unmapped */
	/* not uniform over the range */
	UINT64 a;
	assert_int_equal(ma->Get(ma, BASE, 2 * 4096, &a), EFI_NO_MAPPING);
}

static void test_make_code_executable(void **state)
{
	/* What a stub does for its text: RO first, then clear XP, in runs. */
	assert_int_equal(ma->Set(ma, BASE, 8 * 4096, RO), EFI_SUCCESS);
	assert_int_equal(ma->Clear(ma, BASE, 8 * 4096, XP), EFI_SUCCESS);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(prot[i], PT_R | PT_X);
	assert_int_equal(prot[8], PT_R | PT_W);
	assert_int_equal(get(BASE, 8 * 4096), RO);
	/* and back to data */
	assert_int_equal(ma->Set(ma, BASE, 8 * 4096, XP), EFI_SUCCESS);
	assert_int_equal(ma->Clear(ma, BASE, 8 * 4096, RO), EFI_SUCCESS);
	assert_int_equal(get(BASE, 8 * 4096), XP);
}

static void test_wx_refused_whole(void **state)
{
	prot[5] = PT_R | PT_X;
	nr_set_calls = 0;
	/* Clearing RO over a range holding a code page would make it W+X: nothing changes. */
	assert_int_equal(ma->Clear(ma, BASE, 8 * 4096, RO | XP), EFI_UNSUPPORTED);
	assert_int_equal(ma->Clear(ma, BASE + 5 * 4096, 4096, RO), EFI_UNSUPPORTED);
	assert_int_equal(nr_set_calls, 0);
	assert_int_equal(prot[5], PT_R | PT_X);
	assert_int_equal(prot[4], PT_R | PT_W);
}

static void test_bad_ranges(void **state)
{
	UINT64 a;

	assert_int_equal(ma->Get(ma, BASE + 1, 4096, &a), EFI_INVALID_PARAMETER);
	assert_int_equal(ma->Get(ma, BASE, 100, &a), EFI_INVALID_PARAMETER);
	assert_int_equal(ma->Get(ma, BASE, 0, &a), EFI_INVALID_PARAMETER);
	assert_int_equal(ma->Get(ma, BASE, 4096, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(ma->Set(ma, BASE, 4096, 0), EFI_INVALID_PARAMETER);
	assert_int_equal(ma->Set(ma, BASE, 4096, EFI_MEMORY_UC), EFI_INVALID_PARAMETER);
	/* outside RAM, or across its end, is not ours */
	assert_int_equal(ma->Get(ma, 0x09000000, 4096, &a), EFI_UNSUPPORTED);
	assert_int_equal(ma->Get(ma, BASE + (PAGES - 1) * 4096ULL, 2 * 4096, &a), EFI_UNSUPPORTED);
	assert_int_equal(ma->Get(ma, ~0ULL & ~0xfffULL, 0x2000, &a), EFI_INVALID_PARAMETER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_conversion, setup),
		cmocka_unit_test_setup(test_make_code_executable, setup),
		cmocka_unit_test_setup(test_wx_refused_whole, setup),
		cmocka_unit_test_setup(test_bad_ranges, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
