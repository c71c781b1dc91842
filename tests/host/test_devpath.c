/* Host unit tests for efi/devpath.c, with UEFI 2.10 section 10.5 as the oracle. The
 * protocol is reached the way an application reaches it: installed by efi_devpath_init()
 * into the real database (efi/protocol.c) and found with LocateProtocol. Every result
 * must come from AllocatePool and is freed with FreePool, so ASan reports any leak. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "efi/core.h"
#include "stubs.h"

/* ---- device paths, as the bytes the spec lays down ---- */
#define A     0x01, 0x01, 0x06, 0x00, 0x02, 0x00             /* PCI device 0 function 2 */
#define B     0x03, 0x0b, 0x08, 0x00, 0xaa, 0xbb, 0xcc, 0xdd /* messaging node, 8 bytes */
#define C     0x04, 0x99, 0x05, 0x00, 0xee                   /* media node, odd length */
#define INST  0x7f, 0x01, 0x04, 0x00                         /* end of this instance */
#define END   0x7f, 0xff, 0x04, 0x00                         /* end of the entire path */

static const UINT8 end_only[] = { END };
static const UINT8 path_a[] = { A, END };
static const UINT8 path_bc[] = { B, C, END };
static const UINT8 path_abc[] = { A, B, C, END };
static const UINT8 node_b[] = { B };
static const UINT8 node_short[] = { 0x01, 0x01, 0x03, 0x00 };
static const UINT8 multi[] = { A, INST, B, C, INST, END };   /* 3 instances, last empty */
static const UINT8 bad[] = { A, 0x01, 0x01, 0x02, 0x00, END };   /* node length 2 */
static const UINT8 end_len0[] = { A, 0x7f, 0xff, 0x00, 0x00 };   /* sloppy end node */

static EFI_DEVICE_PATH_UTILITIES_PROTOCOL *u;
static EFI_GUID guid = EFI_DEVICE_PATH_UTILITIES_PROTOCOL_GUID;

#define DP(bytes) ((EFI_DEVICE_PATH *)(bytes))

/* result holds exactly the bytes of want; frees it. */
static void check_path(EFI_DEVICE_PATH *result, const UINT8 *want, UINTN size)
{
	assert_non_null(result);
	assert_int_equal(u->GetDevicePathSize(result), size);
	assert_memory_equal(result, want, size);
	FreePool(result);
}
#define CHECK_PATH(result, ...) do {                                  \
		static const UINT8 want[] = { __VA_ARGS__ };          \
		check_path(result, want, sizeof(want));               \
	} while (0)

static int setup(void **state)
{
	assert_int_equal(efi_devpath_init(), EFI_SUCCESS);
	assert_int_equal(LocateProtocol(&guid, NULL, (VOID **)&u), EFI_SUCCESS);
	return 0;
}

static int teardown(void **state)
{
	EFI_HANDLE h;
	EFI_GUID **guids;
	UINTN size = sizeof(h), n;

	/* On a handle of its own: it is no device's. */
	assert_int_equal(LocateHandle(ByProtocol, &guid, NULL, &size, &h), EFI_SUCCESS);
	assert_int_equal(ProtocolsPerHandle(h, &guids, &n), EFI_SUCCESS);
	assert_int_equal(n, 1);
	FreePool(guids);
	assert_int_equal(UninstallProtocolInterface(h, &guid, u), EFI_SUCCESS);
	return 0;
}

static void test_size(void **state)
{
	assert_int_equal(u->GetDevicePathSize(NULL), 0);
	assert_int_equal(u->GetDevicePathSize(DP(end_only)), 4);
	assert_int_equal(u->GetDevicePathSize(DP(path_abc)), sizeof(path_abc));
	assert_int_equal(u->GetDevicePathSize(DP(multi)), sizeof(multi));
	assert_int_equal(u->GetDevicePathSize(DP(bad)), 0);
}

static void test_duplicate(void **state)
{
	EFI_DEVICE_PATH *p = u->DuplicateDevicePath(DP(path_abc));

	assert_ptr_not_equal(p, path_abc);
	check_path(p, path_abc, sizeof(path_abc));
	check_path(u->DuplicateDevicePath(DP(multi)), multi, sizeof(multi));
	CHECK_PATH(u->DuplicateDevicePath(DP(end_len0)), A, END);
	assert_null(u->DuplicateDevicePath(NULL));
	assert_null(u->DuplicateDevicePath(DP(bad)));
}

static void test_append_path(void **state)
{
	CHECK_PATH(u->AppendDevicePath(NULL, NULL), END);
	CHECK_PATH(u->AppendDevicePath(DP(path_a), NULL), A, END);
	CHECK_PATH(u->AppendDevicePath(NULL, DP(path_bc)), B, C, END);
	CHECK_PATH(u->AppendDevicePath(DP(path_a), DP(path_bc)), A, B, C, END);
	CHECK_PATH(u->AppendDevicePath(DP(end_only), DP(end_only)), END);
	/* The second path joins the first's last instance; its own instances stay. */
	CHECK_PATH(u->AppendDevicePath(DP(multi), DP(path_a)), A, INST, B, C, INST, A, END);
	CHECK_PATH(u->AppendDevicePath(DP(path_a), DP(multi)), A, A, INST, B, C, INST, END);
	assert_null(u->AppendDevicePath(DP(bad), DP(path_a)));
	assert_null(u->AppendDevicePath(DP(path_a), DP(bad)));
}

static void test_append_node(void **state)
{
	CHECK_PATH(u->AppendDeviceNode(NULL, NULL), END);
	CHECK_PATH(u->AppendDeviceNode(DP(path_a), NULL), A, END);
	CHECK_PATH(u->AppendDeviceNode(NULL, DP(node_b)), B, END);
	CHECK_PATH(u->AppendDeviceNode(DP(path_a), DP(node_b)), A, B, END);
	/* A node is taken by its length alone: what follows it is not read. */
	CHECK_PATH(u->AppendDeviceNode(DP(path_a), DP(path_bc)), A, B, END);
	assert_null(u->AppendDeviceNode(DP(path_a), DP(node_short)));
	assert_null(u->AppendDeviceNode(DP(bad), DP(node_b)));
}

static void test_append_instance(void **state)
{
	CHECK_PATH(u->AppendDevicePathInstance(DP(path_a), DP(path_bc)), A, INST, B, C, END);
	CHECK_PATH(u->AppendDevicePathInstance(NULL, DP(path_bc)), B, C, END);
	CHECK_PATH(u->AppendDevicePathInstance(DP(multi), DP(path_a)),
		   A, INST, B, C, INST, INST, A, END);
	CHECK_PATH(u->AppendDevicePathInstance(DP(end_only), DP(end_only)), INST, END);
	assert_null(u->AppendDevicePathInstance(DP(path_a), NULL));
	assert_null(u->AppendDevicePathInstance(NULL, NULL));
	assert_null(u->AppendDevicePathInstance(DP(bad), DP(path_a)));
	assert_null(u->AppendDevicePathInstance(DP(path_a), DP(bad)));
}

static void test_next_instance(void **state)
{
	EFI_DEVICE_PATH *p = DP(multi), *i;
	UINTN size = 99;

	i = u->GetNextDevicePathInstance(&p, &size);
	assert_int_equal(size, 10);
	CHECK_PATH(i, A, END);
	assert_ptr_equal(p, multi + 10);
	i = u->GetNextDevicePathInstance(&p, &size);
	assert_int_equal(size, 17);
	CHECK_PATH(i, B, C, END);
	assert_ptr_equal(p, multi + 27);
	i = u->GetNextDevicePathInstance(&p, NULL);   /* the size is optional */
	CHECK_PATH(i, END);
	assert_null(p);
	/* A path past its end, or none at all. */
	assert_null(u->GetNextDevicePathInstance(&p, &size));
	assert_int_equal(size, 0);
	assert_null(u->GetNextDevicePathInstance(NULL, &size));
	/* A single-instance path is its own only instance. */
	p = DP(path_abc);
	CHECK_PATH(u->GetNextDevicePathInstance(&p, NULL), A, B, C, END);
	assert_null(p);
	p = DP(bad);
	size = 99;
	assert_null(u->GetNextDevicePathInstance(&p, &size));
	assert_ptr_equal(p, bad);
	assert_int_equal(size, 0);
}

static void test_multi_instance(void **state)
{
	static const UINT8 inst_then_end[] = { A, INST, END };

	assert_false(u->IsDevicePathMultiInstance(NULL));
	assert_false(u->IsDevicePathMultiInstance(DP(end_only)));
	assert_false(u->IsDevicePathMultiInstance(DP(path_abc)));
	assert_true(u->IsDevicePathMultiInstance(DP(multi)));
	assert_true(u->IsDevicePathMultiInstance(DP(inst_then_end)));
	assert_false(u->IsDevicePathMultiInstance(DP(bad)));
}

static void test_create_node(void **state)
{
	EFI_DEVICE_PATH *n = u->CreateDeviceNode(0x04, 0x04, 10);
	static const UINT8 want[10] = { 0x04, 0x04, 10, 0 };

	assert_non_null(n);
	assert_memory_equal(n, want, sizeof(want));
	FreePool(n);
	n = u->CreateDeviceNode(END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, 4);
	check_path(n, end_only, sizeof(end_only));
	n = u->CreateDeviceNode(0x01, 0x01, 0x1234);
	assert_non_null(n);
	assert_int_equal(DevicePathNodeLength(n), 0x1234);
	FreePool(n);
	assert_null(u->CreateDeviceNode(0x01, 0x01, 3));
	assert_null(u->CreateDeviceNode(0x01, 0x01, 0));
}

/* With the pool empty every service that makes a path gives NULL and changes nothing. */
static void test_out_of_pool(void **state)
{
	EFI_DEVICE_PATH *p = DP(multi);
	UINTN size = 99;

	stub_pool_empty = true;
	assert_null(u->DuplicateDevicePath(DP(path_a)));
	assert_null(u->AppendDevicePath(NULL, NULL));
	assert_null(u->AppendDeviceNode(DP(path_a), DP(node_b)));
	assert_null(u->AppendDevicePathInstance(DP(path_a), DP(path_a)));
	assert_null(u->GetNextDevicePathInstance(&p, &size));
	assert_ptr_equal(p, multi);
	assert_int_equal(size, 0);
	assert_null(u->CreateDeviceNode(0x01, 0x01, 6));
	stub_pool_empty = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_append_path),
		cmocka_unit_test(test_append_node),
		cmocka_unit_test(test_append_instance),
		cmocka_unit_test(test_next_instance),
		cmocka_unit_test(test_multi_instance),
		cmocka_unit_test(test_create_node),
		cmocka_unit_test(test_out_of_pool),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
