/* Host unit tests for efi/protocol.c, with the UEFI 2.10 spec (section 7.3) as the oracle.
 * Events are stubs that record SignalEvent calls; every test leaves the database empty. */
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
#include "stubs.h"
#include "util.h"

#define BH      EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL
#define GET     EFI_OPEN_PROTOCOL_GET_PROTOCOL
#define TEST    EFI_OPEN_PROTOCOL_TEST_PROTOCOL
#define CHILD   EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER
#define DRV     EFI_OPEN_PROTOCOL_BY_DRIVER
#define EXCL    EFI_OPEN_PROTOCOL_EXCLUSIVE
#define NATIVE  EFI_NATIVE_INTERFACE

static EFI_GUID g1 = { 0x11111111, 0x1111, 0x1111, { 1, 1, 1, 1, 1, 1, 1, 1 } };
static EFI_GUID g2 = { 0x22222222, 0x2222, 0x2222, { 2, 2, 2, 2, 2, 2, 2, 2 } };
static EFI_GUID g3 = { 0x33333333, 0x3333, 0x3333, { 3, 3, 3, 3, 3, 3, 3, 3 } };
static EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
static int if1, if2, if3;
static int garbage[16];                 /* a handle the database never gave out */

/* ---- stubs for what protocol.c uses from event.c (memory: stubs.c) ---- */
/* The TPL stubs note when notify functions would run: as the TPL drops back to the
 * application's with signals pending. */
static EFI_TPL tpl = TPL_APPLICATION;
static UINTN nr_signalled, nr_dispatched, dispatched_after[16];

EFI_TPL EFIAPI RaiseTPL(EFI_TPL new)
{
	EFI_TPL old = tpl;

	assert_true(new >= old);
	tpl = new;
	return old;
}

VOID EFIAPI RestoreTPL(EFI_TPL old)
{
	assert_true(old <= tpl);
	tpl = old;
	if (tpl == TPL_APPLICATION && nr_signalled &&
	    (!nr_dispatched || dispatched_after[nr_dispatched - 1] != nr_signalled))
		dispatched_after[nr_dispatched++] = nr_signalled;
}

/* Fake events are never reused, so a registration left by an earlier test names a dead
 * event, which SignalEvent refuses as a closed one. */
struct fake_event {
	bool live;
};
static struct fake_event fake_events[64];
static UINTN nr_fake_events;
static EFI_EVENT signalled[16];
static EFI_HANDLE watch;                /* count its protocols at each signal */
static UINTN watch_count[16];

static EFI_EVENT new_event(void)
{
	assert_true(nr_fake_events < 64);
	fake_events[nr_fake_events].live = true;
	return &fake_events[nr_fake_events++];
}

EFI_STATUS EFIAPI SignalEvent(EFI_EVENT event)
{
	struct fake_event *e = event;
	EFI_GUID **guids;
	UINTN n = 0;

	if (!e->live)
		return EFI_INVALID_PARAMETER;
	/* Notify functions must not run while the database is mid-change. */
	assert_int_equal(tpl, TPL_HIGH_LEVEL);
	assert_true(nr_signalled < 16);
	if (watch && ProtocolsPerHandle(watch, &guids, &n) == EFI_SUCCESS)
		FreePool(guids);
	watch_count[nr_signalled] = n;
	signalled[nr_signalled++] = event;
	return EFI_SUCCESS;
}

/* ---- helpers ---- */
static EFI_HANDLE install(EFI_GUID *guid, void *interface)
{
	EFI_HANDLE h = NULL;

	assert_int_equal(InstallProtocolInterface(&h, guid, NATIVE, interface), EFI_SUCCESS);
	assert_non_null(h);
	return h;
}

static void uninstall(EFI_HANDLE h, EFI_GUID *guid, void *interface)
{
	assert_int_equal(UninstallProtocolInterface(h, guid, interface), EFI_SUCCESS);
}

static UINTN nr_handles(void)
{
	UINTN size = 0;

	if (LocateHandle(AllHandles, NULL, NULL, &size, NULL) == EFI_NOT_FOUND)
		return 0;
	return size / sizeof(EFI_HANDLE);
}

static UINTN nr_opens(EFI_HANDLE h, EFI_GUID *guid)
{
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	UINTN n;

	assert_int_equal(OpenProtocolInformation(h, guid, &e, &n), EFI_SUCCESS);
	FreePool(e);
	return n;
}

static int setup(void **state)
{
	nr_signalled = nr_dispatched = 0;
	stub_pool_empty = false;
	watch = NULL;
	stub_alloc_budget = -1;
	return 0;
}

static int teardown(void **state)
{
	for (UINTN i = 0; i < nr_fake_events; i++)
		fake_events[i].live = false;
	assert_int_equal(tpl, TPL_APPLICATION);
	assert_int_equal(nr_handles(), 0);
	return 0;
}

/* ---- install, uninstall, reinstall (sections 7.3.1-7.3.3) ---- */
static void test_install_uninstall(void **state)
{
	EFI_HANDLE h = install(&g1, &if1), same = h;
	void *p;

	assert_true(efi_handle_valid(h));
	assert_int_equal(HandleProtocol(h, &g1, &p), EFI_SUCCESS);
	assert_ptr_equal(p, &if1);
	assert_int_equal(InstallProtocolInterface(&same, &g2, NATIVE, &if2), EFI_SUCCESS);
	assert_ptr_equal(same, h);
	assert_int_equal(nr_handles(), 1);
	assert_int_equal(HandleProtocol(h, &g3, &p), EFI_UNSUPPORTED);
	assert_null(p);

	uninstall(h, &g1, &if1);
	assert_int_equal(HandleProtocol(h, &g1, &p), EFI_UNSUPPORTED);
	assert_true(efi_handle_valid(h));
	/* The last protocol gone, the handle goes too. */
	uninstall(h, &g2, &if2);
	assert_false(efi_handle_valid(h));
	assert_int_equal(HandleProtocol(h, &g2, &p), EFI_INVALID_PARAMETER);
	assert_int_equal(UninstallProtocolInterface(h, &g2, &if2), EFI_INVALID_PARAMETER);
}

static void test_install_null_interface(void **state)
{
	EFI_HANDLE h = install(&g1, NULL);
	void *p = &p;

	assert_int_equal(HandleProtocol(h, &g1, &p), EFI_SUCCESS);
	assert_null(p);
	uninstall(h, &g1, NULL);
}

static void test_install_bad_args(void **state)
{
	EFI_HANDLE h = install(&g1, &if1), bad = garbage, none = NULL, same = h;

	assert_int_equal(InstallProtocolInterface(NULL, &g2, NATIVE, &if2), EFI_INVALID_PARAMETER);
	assert_int_equal(InstallProtocolInterface(&none, NULL, NATIVE, &if2),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(InstallProtocolInterface(&none, &g2, EFI_PCODE_INTERFACE, &if2),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(InstallProtocolInterface(&bad, &g2, NATIVE, &if2), EFI_INVALID_PARAMETER);
	bad = (EFI_HANDLE)1;
	assert_int_equal(InstallProtocolInterface(&bad, &g2, NATIVE, &if2), EFI_INVALID_PARAMETER);
	/* A protocol is on a handle at most once, whatever the interface. */
	assert_int_equal(InstallProtocolInterface(&same, &g1, NATIVE, &if2), EFI_INVALID_PARAMETER);
	assert_null(none);
	assert_int_equal(nr_handles(), 1);
	uninstall(h, &g1, &if1);
}

static void test_install_out_of_memory(void **state)
{
	EFI_HANDLE h = NULL;

	stub_alloc_budget = 1;                       /* the handle, not the protocol */
	assert_int_equal(InstallProtocolInterface(&h, &g1, NATIVE, &if1), EFI_OUT_OF_RESOURCES);
	assert_null(h);
	stub_alloc_budget = 0;
	assert_int_equal(InstallProtocolInterface(&h, &g1, NATIVE, &if1), EFI_OUT_OF_RESOURCES);
	assert_null(h);
	assert_int_equal(nr_handles(), 0);
}

static void test_uninstall_bad_args(void **state)
{
	EFI_HANDLE h = install(&g1, &if1);

	assert_int_equal(UninstallProtocolInterface(NULL, &g1, &if1), EFI_INVALID_PARAMETER);
	assert_int_equal(UninstallProtocolInterface(garbage, &g1, &if1), EFI_INVALID_PARAMETER);
	assert_int_equal(UninstallProtocolInterface(h, NULL, &if1), EFI_INVALID_PARAMETER);
	assert_int_equal(UninstallProtocolInterface(h, &g1, &if2), EFI_NOT_FOUND);
	assert_int_equal(UninstallProtocolInterface(h, &g2, &if1), EFI_NOT_FOUND);
	uninstall(h, &g1, &if1);
}

static void test_reinstall(void **state)
{
	EFI_HANDLE h = install(&g1, &if1);
	void *p;

	assert_int_equal(ReinstallProtocolInterface(NULL, &g1, &if1, &if2), EFI_INVALID_PARAMETER);
	assert_int_equal(ReinstallProtocolInterface(garbage, &g1, &if1, &if2),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(ReinstallProtocolInterface(h, NULL, &if1, &if2), EFI_INVALID_PARAMETER);
	assert_int_equal(ReinstallProtocolInterface(h, &g1, &if3, &if2), EFI_NOT_FOUND);
	assert_int_equal(ReinstallProtocolInterface(h, &g2, &if1, &if2), EFI_NOT_FOUND);
	assert_int_equal(ReinstallProtocolInterface(h, &g1, &if1, &if2), EFI_SUCCESS);
	assert_int_equal(HandleProtocol(h, &g1, &p), EFI_SUCCESS);
	assert_ptr_equal(p, &if2);
	assert_int_equal(ReinstallProtocolInterface(h, &g1, &if2, &if2), EFI_SUCCESS);
	assert_int_equal(UninstallProtocolInterface(h, &g1, &if1), EFI_NOT_FOUND);
	uninstall(h, &g1, &if2);
}

/* ---- InstallMultipleProtocolInterfaces / UninstallMultipleProtocolInterfaces ---- */
static void test_multiple(void **state)
{
	EFI_HANDLE h = NULL;
	EFI_GUID **guids;
	UINTN n;

	assert_int_equal(InstallMultipleProtocolInterfaces(&h, &g1, &if1, &g2, &if2, NULL),
			 EFI_SUCCESS);
	assert_non_null(h);
	assert_int_equal(InstallMultipleProtocolInterfaces(&h, &g3, &if3, NULL), EFI_SUCCESS);
	assert_int_equal(ProtocolsPerHandle(h, &guids, &n), EFI_SUCCESS);
	assert_int_equal(n, 3);
	assert_true(efi_guid_eq(guids[0], &g1));
	assert_true(efi_guid_eq(guids[1], &g2));
	assert_true(efi_guid_eq(guids[2], &g3));
	FreePool(guids);

	assert_int_equal(UninstallMultipleProtocolInterfaces(h, &g1, &if1, &g3, &if3, NULL),
			 EFI_SUCCESS);
	assert_int_equal(ProtocolsPerHandle(h, &guids, &n), EFI_SUCCESS);
	assert_int_equal(n, 1);
	assert_true(efi_guid_eq(guids[0], &g2));
	FreePool(guids);
	assert_int_equal(UninstallMultipleProtocolInterfaces(h, &g2, &if2, NULL), EFI_SUCCESS);
	assert_false(efi_handle_valid(h));
	assert_int_equal(InstallMultipleProtocolInterfaces(NULL, &g1, &if1, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(UninstallMultipleProtocolInterfaces(garbage, &g1, &if1, NULL),
			 EFI_INVALID_PARAMETER);
}

/* A failure part way leaves everything as it was, and notifies nobody. */
static void test_multiple_install_atomic(void **state)
{
	EFI_HANDLE h = NULL, bad = garbage;
	void *reg, *p;

	assert_int_equal(RegisterProtocolNotify(&g1, new_event(), &reg), EFI_SUCCESS);
	assert_int_equal(InstallMultipleProtocolInterfaces(&h, &g1, &if1, &g1, &if2, NULL),
			 EFI_INVALID_PARAMETER);
	assert_null(h);
	assert_int_equal(nr_handles(), 0);
	assert_int_equal(InstallMultipleProtocolInterfaces(&bad, &g1, &if1, NULL),
			 EFI_INVALID_PARAMETER);

	h = install(&g3, &if3);
	assert_int_equal(InstallMultipleProtocolInterfaces(&h, &g1, &if1, &g2, &if2, &g3, &if1,
							   NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(HandleProtocol(h, &g1, &p), EFI_UNSUPPORTED);
	assert_int_equal(HandleProtocol(h, &g2, &p), EFI_UNSUPPORTED);

	stub_alloc_budget = 1;                       /* g1 fits, g2 does not */
	assert_int_equal(InstallMultipleProtocolInterfaces(&h, &g1, &if1, &g2, &if2, NULL),
			 EFI_OUT_OF_RESOURCES);
	stub_alloc_budget = -1;
	assert_int_equal(HandleProtocol(h, &g1, &p), EFI_UNSUPPORTED);
	assert_int_equal(nr_signalled, 0);
	assert_int_equal(LocateHandle(ByRegisterNotify, NULL, reg, &(UINTN){ 8 }, &bad),
			 EFI_NOT_FOUND);
	uninstall(h, &g3, &if3);
}

/* Registrations hear of the new protocols only once all of them are on the handle. */
static void test_multiple_install_notifies_after(void **state)
{
	EFI_HANDLE h = install(&g3, &if3);
	EFI_EVENT e1 = new_event(), e2 = new_event();
	void *r1, *r2;

	assert_int_equal(RegisterProtocolNotify(&g1, e1, &r1), EFI_SUCCESS);
	assert_int_equal(RegisterProtocolNotify(&g2, e2, &r2), EFI_SUCCESS);
	watch = h;
	assert_int_equal(InstallMultipleProtocolInterfaces(&h, &g1, &if1, &g2, &if2, NULL),
			 EFI_SUCCESS);
	assert_int_equal(nr_signalled, 2);
	assert_ptr_equal(signalled[0], e1);
	assert_ptr_equal(signalled[1], e2);
	assert_int_equal(watch_count[0], 3);
	assert_int_equal(nr_dispatched, 1);
	assert_int_equal(dispatched_after[0], 2);
	assert_int_equal(tpl, TPL_APPLICATION);
	assert_int_equal(UninstallMultipleProtocolInterfaces(h, &g1, &if1, &g2, &if2, &g3, &if3,
							     NULL), EFI_SUCCESS);
}

/* A device path already on a handle may not be installed again (section 7.3.16). */
static void test_multiple_install_device_path(void **state)
{
	static const UINT8 path[] = { 1, 1, 6, 0, 0, 2, 0x7f, 0xff, 4, 0 };
	static const UINT8 other[] = { 1, 1, 6, 0, 1, 2, 0x7f, 0xff, 4, 0 };
	UINT8 copy[sizeof(path)];
	EFI_HANDLE h = NULL, h2 = NULL;

	memcpy(copy, path, sizeof(path));
	assert_int_equal(InstallMultipleProtocolInterfaces(&h, &dp_guid, path, NULL), EFI_SUCCESS);
	assert_int_equal(InstallMultipleProtocolInterfaces(&h2, &g1, &if1, &dp_guid, copy, NULL),
			 EFI_ALREADY_STARTED);
	assert_null(h2);
	assert_int_equal(nr_handles(), 1);
	assert_int_equal(InstallMultipleProtocolInterfaces(&h2, &g1, &if1, &dp_guid, other, NULL),
			 EFI_SUCCESS);
	assert_int_equal(UninstallMultipleProtocolInterfaces(h, &dp_guid, path, NULL), EFI_SUCCESS);
	assert_int_equal(UninstallMultipleProtocolInterfaces(h2, &g1, &if1, &dp_guid, other, NULL),
			 EFI_SUCCESS);
}

static void test_multiple_uninstall_atomic(void **state)
{
	EFI_HANDLE h = NULL, agent = install(&g3, &if3);
	void *p;

	assert_int_equal(InstallMultipleProtocolInterfaces(&h, &g1, &if1, &g2, &if2, NULL),
			 EFI_SUCCESS);
	/* Not installed, wrong interface, listed twice, opened by a driver: nothing goes. */
	assert_int_equal(UninstallMultipleProtocolInterfaces(h, &g1, &if1, &g3, &if3, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(UninstallMultipleProtocolInterfaces(h, &g1, &if1, &g2, &if1, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(UninstallMultipleProtocolInterfaces(h, &g1, &if1, &g2, &if2, &g1, &if1,
							     NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(OpenProtocol(h, &g2, &p, agent, h, DRV), EFI_SUCCESS);
	assert_int_equal(UninstallMultipleProtocolInterfaces(h, &g1, &if1, &g2, &if2, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(HandleProtocol(h, &g1, &p), EFI_SUCCESS);
	assert_int_equal(HandleProtocol(h, &g2, &p), EFI_SUCCESS);
	assert_int_equal(CloseProtocol(h, &g2, agent, h), EFI_SUCCESS);
	/* The same list works once nothing stands in the way. */
	assert_int_equal(UninstallMultipleProtocolInterfaces(h, &g1, &if1, &g2, &if2, NULL),
			 EFI_SUCCESS);
	assert_false(efi_handle_valid(h));
	uninstall(agent, &g3, &if3);
}

/* ---- OpenProtocol, CloseProtocol, OpenProtocolInformation (7.3.8-7.3.10) ---- */
static void test_open_bad_args(void **state)
{
	EFI_HANDLE h = install(&g1, &if1), agent = install(&g2, &if2), ctl = install(&g3, &if3);
	void *p = &p;

	assert_int_equal(OpenProtocol(NULL, &g1, &p, agent, ctl, GET), EFI_INVALID_PARAMETER);
	assert_int_equal(OpenProtocol(garbage, &g1, &p, agent, ctl, GET), EFI_INVALID_PARAMETER);
	assert_int_equal(OpenProtocol((EFI_HANDLE)8, &g1, &p, agent, ctl, GET),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(OpenProtocol(h, NULL, &p, agent, ctl, GET), EFI_INVALID_PARAMETER);
	assert_int_equal(OpenProtocol(h, &g1, NULL, agent, ctl, GET), EFI_INVALID_PARAMETER);
	assert_int_equal(OpenProtocol(h, &g1, NULL, agent, ctl, BH), EFI_INVALID_PARAMETER);
	assert_int_equal(OpenProtocol(h, &g1, NULL, agent, ctl, DRV), EFI_INVALID_PARAMETER);
	const UINT32 bad_attrs[] = { 0, GET | TEST, DRV | CHILD, EXCL | GET, 0x40, ~0u };
	for (size_t i = 0; i < ARRAY_SIZE(bad_attrs); i++)
		assert_int_equal(OpenProtocol(h, &g1, &p, agent, ctl, bad_attrs[i]),
				 EFI_INVALID_PARAMETER);
	/* Who opens (and for which controller) must be a real handle where the spec says. */
	const UINT32 need_agent[] = { CHILD, DRV, DRV | EXCL, EXCL };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(OpenProtocol(h, &g1, &p, NULL, ctl, need_agent[i]),
				 EFI_INVALID_PARAMETER);
		assert_int_equal(OpenProtocol(h, &g1, &p, garbage, ctl, need_agent[i]),
				 EFI_INVALID_PARAMETER);
	}
	const UINT32 need_ctl[] = { CHILD, DRV, DRV | EXCL };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(OpenProtocol(h, &g1, &p, agent, NULL, need_ctl[i]),
				 EFI_INVALID_PARAMETER);
		assert_int_equal(OpenProtocol(h, &g1, &p, agent, garbage, need_ctl[i]),
				 EFI_INVALID_PARAMETER);
	}
	assert_int_equal(OpenProtocol(h, &g1, &p, agent, h, CHILD), EFI_INVALID_PARAMETER);
	assert_ptr_equal(p, &p);                /* untouched by a refused call */
	assert_int_equal(nr_opens(h, &g1), 0);

	/* Unsupported: the interface comes back NULL (except for TEST, which has none). */
	assert_int_equal(OpenProtocol(h, &g2, &p, agent, ctl, GET), EFI_UNSUPPORTED);
	assert_null(p);
	assert_int_equal(OpenProtocol(h, &g2, NULL, agent, ctl, TEST), EFI_UNSUPPORTED);
	assert_int_equal(OpenProtocol(h, &g1, NULL, agent, ctl, TEST), EFI_SUCCESS);
	/* No agent, nothing to record. */
	assert_int_equal(OpenProtocol(h, &g1, &p, NULL, NULL, GET), EFI_SUCCESS);
	assert_ptr_equal(p, &if1);
	assert_int_equal(nr_opens(h, &g1), 1);
	assert_int_equal(CloseProtocol(h, &g1, agent, ctl), EFI_SUCCESS);
	uninstall(h, &g1, &if1);
	uninstall(agent, &g2, &if2);
	uninstall(ctl, &g3, &if3);
}

#define S       EFI_SUCCESS
#define AS      EFI_ALREADY_STARTED
#define AD      EFI_ACCESS_DENIED

static EFI_HANDLE h_opened, agent_a, agent_b, controller;

/* Agent A holds g1 on h_opened (held 0: nobody does), then A or B opens it with attr. */
static EFI_STATUS open_after(UINT32 held, bool by_b, UINT32 attr)
{
	EFI_STATUS s;
	void *p = &p;

	if (held)
		assert_int_equal(OpenProtocol(h_opened, &g1, &p, agent_a, controller, held),
				 EFI_SUCCESS);
	p = &p;
	s = OpenProtocol(h_opened, &g1, &p, by_b ? agent_b : agent_a, controller, attr);
	if (attr == TEST)
		assert_ptr_equal(p, &p);
	else if (s != AD)
		assert_ptr_equal(p, &if1);
	CloseProtocol(h_opened, &g1, agent_a, controller);
	CloseProtocol(h_opened, &g1, agent_b, controller);
	assert_int_equal(nr_opens(h_opened, &g1), 0);
	return s;
}

/* Section 7.3.8's rules. No driver can be disconnected, so an EXCLUSIVE open never
 * displaces a BY_DRIVER one. */
static void test_open_conflicts(void **state)
{
	static const UINT32 attrs[] = { BH, GET, TEST, CHILD, DRV, DRV | EXCL, EXCL };
	static const struct {
		UINT32 held;
		EFI_STATUS by_a[7], by_b[7];
	} m[] = {
		{ 0,          { S, S, S, S, S,  S,  S  }, { S, S, S, S, S,  S,  S  } },
		{ BH,         { S, S, S, S, S,  S,  S  }, { S, S, S, S, S,  S,  S  } },
		{ GET,        { S, S, S, S, S,  S,  S  }, { S, S, S, S, S,  S,  S  } },
		{ TEST,       { S, S, S, S, S,  S,  S  }, { S, S, S, S, S,  S,  S  } },
		{ CHILD,      { S, S, S, S, S,  S,  S  }, { S, S, S, S, S,  S,  S  } },
		{ DRV,        { S, S, S, S, AS, AD, AD }, { S, S, S, S, AD, AD, AD } },
		{ DRV | EXCL, { S, S, S, S, AD, AS, AD }, { S, S, S, S, AD, AD, AD } },
		{ EXCL,       { S, S, S, S, AD, AD, AD }, { S, S, S, S, AD, AD, AD } },
	};

	h_opened = install(&g1, &if1);
	agent_a = install(&g2, &if2);
	agent_b = install(&g2, &if2);
	controller = install(&g3, &if3);
	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		for (size_t j = 0; j < 7; j++) {
			EFI_STATUS by_a = open_after(m[i].held, false, attrs[j]);
			EFI_STATUS by_b = open_after(m[i].held, true, attrs[j]);

			if (by_a != m[i].by_a[j] || by_b != m[i].by_b[j])
				print_message("held %#x, then opened %#x\n", m[i].held, attrs[j]);
			assert_int_equal(by_a, m[i].by_a[j]);
			assert_int_equal(by_b, m[i].by_b[j]);
		}
	}
	uninstall(h_opened, &g1, &if1);
	uninstall(agent_a, &g2, &if2);
	uninstall(agent_b, &g2, &if2);
	uninstall(controller, &g3, &if3);
}

static void test_open_information(void **state)
{
	EFI_HANDLE h = install(&g1, &if1), a = install(&g2, &if2), b = install(&g2, &if2);
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	UINTN n = 99;
	void *p;

	assert_int_equal(OpenProtocolInformation(h, &g1, &e, &n), EFI_SUCCESS);
	assert_int_equal(n, 0);
	FreePool(e);
	/* The same open again counts up; HandleProtocol records nothing. */
	assert_int_equal(OpenProtocol(h, &g1, &p, a, NULL, GET), EFI_SUCCESS);
	assert_int_equal(OpenProtocol(h, &g1, &p, a, NULL, GET), EFI_SUCCESS);
	assert_int_equal(HandleProtocol(h, &g1, &p), EFI_SUCCESS);
	assert_int_equal(OpenProtocol(h, &g1, &p, b, h, DRV), EFI_SUCCESS);
	assert_int_equal(OpenProtocol(h, &g1, &p, a, b, CHILD), EFI_SUCCESS);
	assert_int_equal(OpenProtocolInformation(h, &g1, &e, &n), EFI_SUCCESS);
	assert_int_equal(n, 3);
	bool seen[3] = { false };
	for (UINTN i = 0; i < n; i++) {
		if (e[i].Attributes == GET) {
			assert_ptr_equal(e[i].AgentHandle, a);
			assert_null(e[i].ControllerHandle);
			assert_int_equal(e[i].OpenCount, 2);
			seen[0] = true;
		} else if (e[i].Attributes == DRV) {
			assert_ptr_equal(e[i].AgentHandle, b);
			assert_ptr_equal(e[i].ControllerHandle, h);
			assert_int_equal(e[i].OpenCount, 1);
			seen[1] = true;
		} else {
			assert_int_equal(e[i].Attributes, CHILD);
			assert_ptr_equal(e[i].AgentHandle, a);
			assert_ptr_equal(e[i].ControllerHandle, b);
			seen[2] = true;
		}
	}
	assert_true(seen[0] && seen[1] && seen[2]);
	FreePool(e);

	assert_int_equal(OpenProtocolInformation(h, &g3, &e, &n), EFI_NOT_FOUND);
	assert_int_equal(OpenProtocolInformation(garbage, &g1, &e, &n), EFI_INVALID_PARAMETER);
	assert_int_equal(OpenProtocolInformation(h, NULL, &e, &n), EFI_INVALID_PARAMETER);
	assert_int_equal(OpenProtocolInformation(h, &g1, NULL, &n), EFI_INVALID_PARAMETER);
	assert_int_equal(OpenProtocolInformation(h, &g1, &e, NULL), EFI_INVALID_PARAMETER);

	/* CloseProtocol drops every entry of that agent for that controller, whatever its count. */
	assert_int_equal(CloseProtocol(h, &g1, a, NULL), EFI_SUCCESS);
	assert_int_equal(nr_opens(h, &g1), 2);
	assert_int_equal(CloseProtocol(h, &g1, a, NULL), EFI_NOT_FOUND);
	assert_int_equal(CloseProtocol(h, &g1, b, NULL), EFI_NOT_FOUND);
	assert_int_equal(CloseProtocol(h, &g1, b, h), EFI_SUCCESS);
	assert_int_equal(CloseProtocol(h, &g1, a, b), EFI_SUCCESS);
	assert_int_equal(nr_opens(h, &g1), 0);
	uninstall(h, &g1, &if1);
	uninstall(a, &g2, &if2);
	uninstall(b, &g2, &if2);
}

static void test_close_bad_args(void **state)
{
	EFI_HANDLE h = install(&g1, &if1), a = install(&g2, &if2);
	void *p;

	assert_int_equal(OpenProtocol(h, &g1, &p, a, h, DRV), EFI_SUCCESS);
	assert_int_equal(CloseProtocol(NULL, &g1, a, h), EFI_INVALID_PARAMETER);
	assert_int_equal(CloseProtocol(garbage, &g1, a, h), EFI_INVALID_PARAMETER);
	assert_int_equal(CloseProtocol(h, NULL, a, h), EFI_INVALID_PARAMETER);
	assert_int_equal(CloseProtocol(h, &g1, NULL, h), EFI_INVALID_PARAMETER);
	assert_int_equal(CloseProtocol(h, &g1, garbage, h), EFI_INVALID_PARAMETER);
	assert_int_equal(CloseProtocol(h, &g1, a, garbage), EFI_INVALID_PARAMETER);
	assert_int_equal(CloseProtocol(h, &g3, a, h), EFI_NOT_FOUND);
	assert_int_equal(CloseProtocol(h, &g1, h, h), EFI_NOT_FOUND);
	assert_int_equal(nr_opens(h, &g1), 1);
	assert_int_equal(CloseProtocol(h, &g1, a, h), EFI_SUCCESS);
	uninstall(h, &g1, &if1);
	uninstall(a, &g2, &if2);
}

/* Readers' opens go with the interface; drivers, children and exclusive users hold it. */
static void test_uninstall_opened(void **state)
{
	static const UINT32 holds[] = { DRV, DRV | EXCL, EXCL, CHILD };
	EFI_HANDLE h = install(&g1, &if1), a = install(&g2, &if2), ctl = install(&g3, &if3);
	void *p;

	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(OpenProtocol(h, &g1, &p, a, ctl, holds[i]), EFI_SUCCESS);
		assert_int_equal(UninstallProtocolInterface(h, &g1, &if1), EFI_ACCESS_DENIED);
		assert_int_equal(ReinstallProtocolInterface(h, &g1, &if1, &if2), EFI_ACCESS_DENIED);
		assert_int_equal(HandleProtocol(h, &g1, &p), EFI_SUCCESS);
		assert_ptr_equal(p, &if1);
		assert_int_equal(CloseProtocol(h, &g1, a, ctl), EFI_SUCCESS);
	}
	assert_int_equal(OpenProtocol(h, &g1, &p, a, ctl, GET), EFI_SUCCESS);
	assert_int_equal(OpenProtocol(h, &g1, NULL, a, NULL, TEST), EFI_SUCCESS);
	assert_int_equal(ReinstallProtocolInterface(h, &g1, &if1, &if2), EFI_SUCCESS);
	assert_int_equal(nr_opens(h, &g1), 0);
	assert_int_equal(OpenProtocol(h, &g1, &p, a, ctl, BH), EFI_SUCCESS);
	uninstall(h, &g1, &if2);
	assert_false(efi_handle_valid(h));
	uninstall(a, &g2, &if2);
	uninstall(ctl, &g3, &if3);
}

/* ---- ProtocolsPerHandle, LocateHandle, LocateHandleBuffer (7.3.13, 7.3.5, 7.3.14) ---- */
static void test_protocols_per_handle(void **state)
{
	EFI_HANDLE h = install(&g2, &if2);
	EFI_GUID **guids;
	UINTN n;

	assert_int_equal(InstallMultipleProtocolInterfaces(&h, &g1, &if1, NULL), EFI_SUCCESS);
	assert_int_equal(ProtocolsPerHandle(h, &guids, &n), EFI_SUCCESS);
	assert_int_equal(n, 2);
	assert_true(efi_guid_eq(guids[0], &g2));
	assert_true(efi_guid_eq(guids[1], &g1));
	FreePool(guids);
	assert_int_equal(ProtocolsPerHandle(garbage, &guids, &n), EFI_INVALID_PARAMETER);
	assert_int_equal(ProtocolsPerHandle(NULL, &guids, &n), EFI_INVALID_PARAMETER);
	assert_int_equal(ProtocolsPerHandle(h, NULL, &n), EFI_INVALID_PARAMETER);
	assert_int_equal(ProtocolsPerHandle(h, &guids, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(UninstallMultipleProtocolInterfaces(h, &g1, &if1, &g2, &if2, NULL),
			 EFI_SUCCESS);
}

static void test_locate_handle(void **state)
{
	EFI_HANDLE h1 = install(&g1, &if1), h2 = install(&g2, &if2), h3 = install(&g1, &if3);
	EFI_HANDLE buf[4] = { NULL };
	UINTN size = 0;

	/* All handles, in creation order. */
	assert_int_equal(LocateHandle(AllHandles, NULL, NULL, &size, buf), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 3 * sizeof(EFI_HANDLE));
	assert_null(buf[0]);
	size = 2 * sizeof(EFI_HANDLE);
	assert_int_equal(LocateHandle(AllHandles, NULL, NULL, &size, buf), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 3 * sizeof(EFI_HANDLE));
	assert_int_equal(LocateHandle(AllHandles, NULL, NULL, &size, NULL), EFI_INVALID_PARAMETER);
	size = sizeof(buf);
	assert_int_equal(LocateHandle(AllHandles, &g3, NULL, &size, buf), EFI_SUCCESS);
	assert_int_equal(size, 3 * sizeof(EFI_HANDLE));
	assert_ptr_equal(buf[0], h1);
	assert_ptr_equal(buf[1], h2);
	assert_ptr_equal(buf[2], h3);

	size = sizeof(buf);
	assert_int_equal(LocateHandle(ByProtocol, &g1, NULL, &size, buf), EFI_SUCCESS);
	assert_int_equal(size, 2 * sizeof(EFI_HANDLE));
	assert_ptr_equal(buf[0], h1);
	assert_ptr_equal(buf[1], h3);
	size = sizeof(buf);
	assert_int_equal(LocateHandle(ByProtocol, &g3, NULL, &size, buf), EFI_NOT_FOUND);
	assert_int_equal(LocateHandle(ByProtocol, NULL, NULL, &size, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(LocateHandle(ByProtocol, &g1, NULL, NULL, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(LocateHandle(ByRegisterNotify, NULL, NULL, &size, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(LocateHandle(ByRegisterNotify, NULL, garbage, &size, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(LocateHandle((EFI_LOCATE_SEARCH_TYPE)3, &g1, NULL, &size, buf),
			 EFI_INVALID_PARAMETER);
	uninstall(h1, &g1, &if1);
	uninstall(h2, &g2, &if2);
	uninstall(h3, &g1, &if3);
	size = sizeof(buf);
	assert_int_equal(LocateHandle(AllHandles, NULL, NULL, &size, buf), EFI_NOT_FOUND);
}

static void test_locate_handle_buffer(void **state)
{
	EFI_HANDLE h1 = install(&g1, &if1), h2 = install(&g2, &if2);
	EFI_HANDLE *buf = (EFI_HANDLE *)garbage;
	UINTN n = 99;

	assert_int_equal(LocateHandleBuffer(AllHandles, NULL, NULL, &n, &buf), EFI_SUCCESS);
	assert_int_equal(n, 2);
	assert_ptr_equal(buf[0], h1);
	assert_ptr_equal(buf[1], h2);
	FreePool(buf);
	assert_int_equal(LocateHandleBuffer(ByProtocol, &g2, NULL, &n, &buf), EFI_SUCCESS);
	assert_int_equal(n, 1);
	assert_ptr_equal(buf[0], h2);
	FreePool(buf);
	assert_int_equal(LocateHandleBuffer(ByProtocol, &g3, NULL, &n, &buf), EFI_NOT_FOUND);
	assert_int_equal(n, 0);
	assert_null(buf);
	assert_int_equal(LocateHandleBuffer(ByProtocol, NULL, NULL, &n, &buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(LocateHandleBuffer(AllHandles, NULL, NULL, NULL, &buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(LocateHandleBuffer(AllHandles, NULL, NULL, &n, NULL),
			 EFI_INVALID_PARAMETER);
	uninstall(h1, &g1, &if1);
	uninstall(h2, &g2, &if2);
}

/* ---- RegisterProtocolNotify and its uses (7.3.4, 7.3.5, 7.3.15) ---- */
static void test_register_notify(void **state)
{
	EFI_HANDLE before = install(&g1, &if1), h1, h2, other, got;
	EFI_EVENT ev = new_event();
	UINTN size;
	void *reg;

	assert_int_equal(RegisterProtocolNotify(NULL, ev, &reg), EFI_INVALID_PARAMETER);
	assert_int_equal(RegisterProtocolNotify(&g1, NULL, &reg), EFI_INVALID_PARAMETER);
	assert_int_equal(RegisterProtocolNotify(&g1, ev, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(RegisterProtocolNotify(&g1, ev, &reg), EFI_SUCCESS);
	size = sizeof(got);
	assert_int_equal(LocateHandle(ByRegisterNotify, NULL, reg, &size, &got), EFI_NOT_FOUND);

	h1 = install(&g1, &if2);
	other = install(&g2, &if2);
	h2 = install(&g1, &if3);
	assert_int_equal(nr_signalled, 2);
	assert_ptr_equal(signalled[0], ev);
	assert_ptr_equal(signalled[1], ev);
	assert_int_equal(tpl, TPL_APPLICATION);

	/* One handle a call, oldest first; a short buffer does not lose it. */
	size = 0;
	assert_int_equal(LocateHandle(ByRegisterNotify, &g2, reg, &size, &got),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, sizeof(EFI_HANDLE));
	assert_int_equal(LocateHandle(ByRegisterNotify, NULL, reg, &size, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(LocateHandle(ByRegisterNotify, NULL, reg, &size, &got), EFI_SUCCESS);
	assert_ptr_equal(got, h1);
	size = 4 * sizeof(got);
	assert_int_equal(LocateHandle(ByRegisterNotify, NULL, reg, &size, &got), EFI_SUCCESS);
	assert_int_equal(size, sizeof(got));
	assert_ptr_equal(got, h2);
	assert_int_equal(LocateHandle(ByRegisterNotify, NULL, reg, &size, &got), EFI_NOT_FOUND);

	/* A reinstall counts as new; an uninstalled one is simply not there any more. */
	assert_int_equal(ReinstallProtocolInterface(before, &g1, &if1, &if1), EFI_SUCCESS);
	assert_int_equal(nr_signalled, 3);
	EFI_HANDLE *buf;
	UINTN n;
	assert_int_equal(LocateHandleBuffer(ByRegisterNotify, NULL, reg, &n, &buf), EFI_SUCCESS);
	assert_int_equal(n, 1);
	assert_ptr_equal(buf[0], before);
	FreePool(buf);
	got = install(&g1, &if1);
	uninstall(got, &g1, &if1);
	assert_int_equal(LocateHandleBuffer(ByRegisterNotify, NULL, reg, &n, &buf), EFI_NOT_FOUND);

	uninstall(before, &g1, &if1);
	uninstall(h1, &g1, &if2);
	uninstall(h2, &g1, &if3);
	uninstall(other, &g2, &if2);
	assert_int_equal(nr_signalled, 4);
}

static void test_locate_protocol(void **state)
{
	EFI_HANDLE h1 = install(&g1, &if1), h2, h3;
	EFI_HANDLE got;
	void *reg, *p = &p;

	assert_int_equal(LocateProtocol(&g2, NULL, &p), EFI_NOT_FOUND);
	assert_null(p);
	assert_int_equal(LocateProtocol(NULL, NULL, &p), EFI_INVALID_PARAMETER);
	assert_int_equal(LocateProtocol(&g1, NULL, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(RegisterProtocolNotify(&g1, new_event(), &reg), EFI_SUCCESS);
	assert_int_equal(LocateProtocol(&g1, garbage, &p), EFI_INVALID_PARAMETER);
	assert_int_equal(LocateProtocol(&g1, reg, &p), EFI_NOT_FOUND);

	h2 = install(&g1, &if2);
	h3 = install(&g1, &if3);
	assert_int_equal(LocateProtocol(&g1, NULL, &p), EFI_SUCCESS);
	assert_ptr_equal(p, &if1);
	/* The registration's place is shared with LocateHandle(ByRegisterNotify). */
	assert_int_equal(LocateProtocol(&g1, reg, &p), EFI_SUCCESS);
	assert_ptr_equal(p, &if2);
	assert_int_equal(LocateHandle(ByRegisterNotify, NULL, reg, &(UINTN){ sizeof(got) }, &got),
			 EFI_SUCCESS);
	assert_ptr_equal(got, h3);
	assert_int_equal(LocateProtocol(&g1, reg, &p), EFI_NOT_FOUND);
	uninstall(h1, &g1, &if1);
	uninstall(h2, &g1, &if2);
	uninstall(h3, &g1, &if3);
}

/* CloseEvent ends the event's registrations (it calls efi_protocol_event_closed). */
static void test_notify_closed_event(void **state)
{
	struct fake_event *ev = new_event();
	EFI_HANDLE h, got;
	void *reg;

	assert_int_equal(RegisterProtocolNotify(&g1, ev, &reg), EFI_SUCCESS);
	ev->live = false;
	efi_protocol_event_closed(ev);
	h = install(&g1, &if1);
	assert_int_equal(nr_signalled, 0);
	assert_int_equal(LocateHandle(ByRegisterNotify, NULL, reg, &(UINTN){ sizeof(got) }, &got),
			 EFI_INVALID_PARAMETER);
	uninstall(h, &g1, &if1);
}

/* A path of valid nodes that never ends is refused, not followed off into memory. */
static void test_devpath_without_end(void **state)
{
	UINTN n = 0x10004 / 4;
	EFI_DEVICE_PATH *p = calloc(n, 4);

	for (UINTN i = 0; i < n; i++)
		((UINT8 *)p)[4 * i + 2] = 4;    /* type 0, subtype 0, length 4 */
	assert_int_equal(efi_devpath_size(p), 0);
	free(p);
}

/* ---- device paths (7.3.7) ---- */
#define ACPI_ROOT       2, 1, 12, 0, 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0   /* PciRoot(0) */
#define PCI(dev, fn)    1, 1, 6, 0, fn, dev                               /* Pci(dev,fn) */
#define FILE_A          4, 4, 8, 0, 'a', 0, 0, 0                          /* File "a" */
#define END_INSTANCE    0x7f, 0x01, 4, 0
#define END             0x7f, 0xff, 4, 0

static const UINT8 root_path[] = { ACPI_ROOT, END };
static const UINT8 pci_path[] = { ACPI_ROOT, PCI(2, 0), END };

static void test_devpath_size(void **state)
{
	static const UINT8 two_instances[] = { ACPI_ROOT, END_INSTANCE, PCI(1, 0), END };
	static const UINT8 short_node[] = { 1, 1, 2, 0, END };
	static const UINT8 zero_node[] = { 1, 1, 0, 0, END };
	static const UINT8 end_only[] = { END };

	assert_int_equal(efi_devpath_size((const void *)end_only), 4);
	assert_int_equal(efi_devpath_size((const void *)root_path), 16);
	assert_int_equal(efi_devpath_size((const void *)pci_path), 22);
	assert_int_equal(efi_devpath_size((const void *)two_instances), 26);
	assert_int_equal(efi_devpath_size((const void *)short_node), 0);
	assert_int_equal(efi_devpath_size((const void *)zero_node), 0);
	assert_int_equal(efi_devpath_size(NULL), 0);
}

static void test_locate_device_path(void **state)
{
	static const UINT8 file_path[] = { ACPI_ROOT, PCI(2, 0), FILE_A, END };
	static const UINT8 other_fn[] = { ACPI_ROOT, PCI(2, 1), FILE_A, END };
	static const UINT8 multi[] = { ACPI_ROOT, END_INSTANCE, PCI(2, 0), END };
	static const UINT8 bad[] = { ACPI_ROOT, 1, 1, 0, 0, END };
	EFI_HANDLE root = NULL, pci = NULL, two = NULL, dev = NULL;
	EFI_DEVICE_PATH *path;

	assert_int_equal(InstallMultipleProtocolInterfaces(&pci, &dp_guid, pci_path, &g1, &if1,
							   &g2, &if2, NULL), EFI_SUCCESS);
	assert_int_equal(InstallMultipleProtocolInterfaces(&root, &dp_guid, root_path, &g1, &if1,
							   NULL), EFI_SUCCESS);
	assert_int_equal(InstallMultipleProtocolInterfaces(&two, &dp_guid, multi, &g1, &if1, NULL),
			 EFI_SUCCESS);
	/* g2 only without a device path: never a candidate. */
	EFI_HANDLE lone = install(&g2, &if2);

	/* The longest prefix wins; the path moves past it. */
	path = (EFI_DEVICE_PATH *)file_path;
	assert_int_equal(LocateDevicePath(&g1, &path, &dev), EFI_SUCCESS);
	assert_ptr_equal(dev, pci);
	assert_ptr_equal(path, file_path + 12 + 6);
	/* Only handles with the protocol count. */
	assert_int_equal(InstallProtocolInterface(&root, &g3, NATIVE, &if3), EFI_SUCCESS);
	path = (EFI_DEVICE_PATH *)file_path;
	assert_int_equal(LocateDevicePath(&g3, &path, &dev), EFI_SUCCESS);
	assert_ptr_equal(dev, root);
	assert_ptr_equal(path, file_path + 12);
	/* A different PCI function shares only the root. */
	path = (EFI_DEVICE_PATH *)other_fn;
	assert_int_equal(LocateDevicePath(&g1, &path, &dev), EFI_SUCCESS);
	assert_ptr_equal(dev, root);
	assert_ptr_equal(path, other_fn + 12);
	path = (EFI_DEVICE_PATH *)other_fn;
	assert_int_equal(LocateDevicePath(&g2, &path, &dev), EFI_NOT_FOUND);
	assert_ptr_equal(path, other_fn);
	/* A whole match leaves the end node. */
	path = (EFI_DEVICE_PATH *)pci_path;
	assert_int_equal(LocateDevicePath(&g2, &path, &dev), EFI_SUCCESS);
	assert_ptr_equal(dev, pci);
	assert_ptr_equal(path, pci_path + 18);
	/* Only the first instance of a multi-instance path is searched. */
	path = (EFI_DEVICE_PATH *)multi;
	assert_int_equal(LocateDevicePath(&g1, &path, &dev), EFI_SUCCESS);
	assert_ptr_equal(dev, root);
	assert_ptr_equal(path, multi + 12);

	path = (EFI_DEVICE_PATH *)file_path;
	assert_int_equal(LocateDevicePath(&g1, &path, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(LocateDevicePath(NULL, &path, &dev), EFI_INVALID_PARAMETER);
	assert_int_equal(LocateDevicePath(&g1, NULL, &dev), EFI_INVALID_PARAMETER);
	path = NULL;
	assert_int_equal(LocateDevicePath(&g1, &path, &dev), EFI_INVALID_PARAMETER);
	path = (EFI_DEVICE_PATH *)bad;
	assert_int_equal(LocateDevicePath(&g1, &path, &dev), EFI_INVALID_PARAMETER);

	assert_int_equal(UninstallMultipleProtocolInterfaces(root, &dp_guid, root_path, &g1, &if1,
							     &g3, &if3, NULL), EFI_SUCCESS);
	assert_int_equal(UninstallMultipleProtocolInterfaces(pci, &dp_guid, pci_path, &g1, &if1,
							     &g2, &if2, NULL), EFI_SUCCESS);
	assert_int_equal(UninstallMultipleProtocolInterfaces(two, &dp_guid, multi, &g1, &if1, NULL),
			 EFI_SUCCESS);
	uninstall(lone, &g2, &if2);
}

/* Buffers for the caller come from the pool; none left is OUT_OF_RESOURCES, nothing half
 * done. */
static void test_out_of_pool(void **state)
{
	EFI_HANDLE h = install(&g1, &if1), *handles = (EFI_HANDLE *)garbage;
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	EFI_GUID **guids;
	UINTN n = 99;

	stub_pool_empty = true;
	assert_int_equal(ProtocolsPerHandle(h, &guids, &n), EFI_OUT_OF_RESOURCES);
	assert_int_equal(OpenProtocolInformation(h, &g1, &e, &n), EFI_OUT_OF_RESOURCES);
	assert_int_equal(LocateHandleBuffer(AllHandles, NULL, NULL, &n, &handles),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(n, 0);
	assert_null(handles);
	stub_pool_empty = false;
	uninstall(h, &g1, &if1);
}

/* Applications pass anything as a handle: none of it may be dereferenced. */
static void test_bad_handles(void **state)
{
	const EFI_HANDLE bad[] = { NULL, (EFI_HANDLE)1, (EFI_HANDLE)0xdead0000, garbage,
				   (EFI_HANDLE)&garbage[1] };
	EFI_HANDLE h = install(&g1, &if1), stale = install(&g1, &if2);
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	EFI_GUID **guids;
	void *p;
	UINTN n;

	uninstall(stale, &g1, &if2);
	for (size_t i = 0; i <= ARRAY_SIZE(bad); i++) {
		EFI_HANDLE b = i < ARRAY_SIZE(bad) ? bad[i] : stale;

		assert_false(efi_handle_valid(b));
		assert_int_equal(HandleProtocol(b, &g1, &p), EFI_INVALID_PARAMETER);
		assert_int_equal(OpenProtocol(b, &g1, &p, h, h, GET), EFI_INVALID_PARAMETER);
		assert_int_equal(OpenProtocol(h, &g1, &p, b, h, DRV), EFI_INVALID_PARAMETER);
		assert_int_equal(CloseProtocol(b, &g1, h, NULL), EFI_INVALID_PARAMETER);
		assert_int_equal(OpenProtocolInformation(b, &g1, &e, &n), EFI_INVALID_PARAMETER);
		assert_int_equal(ProtocolsPerHandle(b, &guids, &n), EFI_INVALID_PARAMETER);
		assert_int_equal(UninstallProtocolInterface(b, &g1, &if1), EFI_INVALID_PARAMETER);
		assert_int_equal(ReinstallProtocolInterface(b, &g1, &if1, &if1),
				 EFI_INVALID_PARAMETER);
		assert_int_equal(UninstallMultipleProtocolInterfaces(b, &g1, &if1, NULL),
				 EFI_INVALID_PARAMETER);
		if (b) {
			EFI_HANDLE copy = b;

			assert_int_equal(InstallProtocolInterface(&copy, &g2, NATIVE, &if2),
					 EFI_INVALID_PARAMETER);
			assert_int_equal(InstallMultipleProtocolInterfaces(&copy, &g2, &if2, NULL),
					 EFI_INVALID_PARAMETER);
		}
	}
	assert_int_equal(nr_handles(), 1);
	uninstall(h, &g1, &if1);
}

#define T(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_install_uninstall),
		T(test_install_null_interface),
		T(test_install_bad_args),
		T(test_install_out_of_memory),
		T(test_uninstall_bad_args),
		T(test_reinstall),
		T(test_multiple),
		T(test_multiple_install_atomic),
		T(test_multiple_install_notifies_after),
		T(test_multiple_install_device_path),
		T(test_multiple_uninstall_atomic),
		T(test_open_bad_args),
		T(test_open_conflicts),
		T(test_open_information),
		T(test_close_bad_args),
		T(test_uninstall_opened),
		T(test_protocols_per_handle),
		T(test_locate_handle),
		T(test_locate_handle_buffer),
		T(test_register_notify),
		T(test_locate_protocol),
		T(test_notify_closed_event),
		T(test_devpath_without_end),
		T(test_devpath_size),
		T(test_locate_device_path),
		T(test_out_of_pool),
		T(test_bad_handles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
