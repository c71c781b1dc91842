/* The handle and protocol database (UEFI 2.10 section 7.3). */
#include "selftest.h"

static EFI_GUID g1 = SELFTEST_GUID(1), g2 = SELFTEST_GUID(2), g3 = SELFTEST_GUID(3),
		g4 = SELFTEST_GUID(4), agent_guid = SELFTEST_GUID(5);
static EFI_GUID *const test_guids[] = { &g1, &g2, &g3, &g4, &agent_guid };
static UINT64 a, b, c;                  /* interfaces: only their addresses matter */

/* Teardown for every case here: close what is open on our GUIDs, then uninstall them,
 * whatever state a failed case left behind. */
static enum result cleanup(void)
{
	for (UINTN i = 0; i < sizeof(test_guids) / sizeof(test_guids[0]); i++) {
		EFI_GUID *g = test_guids[i];
		EFI_HANDLE *hs;
		UINTN n;

		if (BS->LocateHandleBuffer(ByProtocol, g, NULL, &n, &hs))
			continue;
		for (UINTN k = 0; k < n; k++) {
			EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
			UINTN ne;
			void *iface;

			if (!BS->OpenProtocolInformation(hs[k], g, &e, &ne)) {
				for (UINTN j = 0; j < ne; j++)
					BS->CloseProtocol(hs[k], g, e[j].AgentHandle,
							  e[j].ControllerHandle);
				BS->FreePool(e);
			}
			if (!BS->HandleProtocol(hs[k], g, &iface))
				BS->UninstallProtocolInterface(hs[k], g, iface);
		}
		BS->FreePool(hs);
	}
	return PASS;
}

static enum result install_uninstall(void)
{
	EFI_HANDLE h = NULL;
	void *p;

	EXPECT(BS->InstallProtocolInterface(&h, &g1, EFI_NATIVE_INTERFACE, &a), EFI_SUCCESS);
	CHECK(h != NULL);
	EXPECT(BS->HandleProtocol(h, &g1, &p), EFI_SUCCESS);
	CHECK(p == &a);
	EXPECT(BS->InstallProtocolInterface(&h, &g1, EFI_NATIVE_INTERFACE, &b),
	       EFI_INVALID_PARAMETER);
	EXPECT(BS->HandleProtocol(h, &g2, &p), EFI_UNSUPPORTED);
	EXPECT(BS->UninstallProtocolInterface(h, &g1, &b), EFI_NOT_FOUND);
	EXPECT(BS->UninstallProtocolInterface(h, &g1, &a), EFI_SUCCESS);
	/* The last protocol gone, the handle is gone too (UninstallProtocolInterface). */
	EXPECT(BS->HandleProtocol(h, &g1, &p), EFI_INVALID_PARAMETER);
	EXPECT(BS->InstallProtocolInterface(NULL, &g1, EFI_NATIVE_INTERFACE, &a),
	       EFI_INVALID_PARAMETER);
	h = NULL;
	EXPECT(BS->InstallProtocolInterface(&h, NULL, EFI_NATIVE_INTERFACE, &a),
	       EFI_INVALID_PARAMETER);
	return PASS;
}

/* Garbage handles are refused, never dereferenced blindly. */
static enum result bad_handles(void)
{
	UINT64 junk[8] = { 0 };
	void *p;

	EXPECT(BS->HandleProtocol(NULL, &g1, &p), EFI_INVALID_PARAMETER);
	EXPECT(BS->HandleProtocol((EFI_HANDLE)junk, &g1, &p), EFI_INVALID_PARAMETER);
	EXPECT(BS->UninstallProtocolInterface((EFI_HANDLE)junk, &g1, &a), EFI_INVALID_PARAMETER);
	EXPECT(BS->OpenProtocol((EFI_HANDLE)junk, &g1, &p, self, NULL,
				EFI_OPEN_PROTOCOL_GET_PROTOCOL), EFI_INVALID_PARAMETER);
	EXPECT(BS->HandleProtocol(self, NULL, &p), EFI_INVALID_PARAMETER);
	EXPECT(BS->HandleProtocol(self, &gEfiLoadedImageProtocolGuid, NULL), EFI_INVALID_PARAMETER);
	return PASS;
}

static enum result reinstall(void)
{
	EFI_HANDLE h = NULL;
	void *p;

	EXPECT(BS->InstallProtocolInterface(&h, &g1, EFI_NATIVE_INTERFACE, &a), EFI_SUCCESS);
	EXPECT(BS->ReinstallProtocolInterface(h, &g1, &a, &b), EFI_SUCCESS);
	EXPECT(BS->HandleProtocol(h, &g1, &p), EFI_SUCCESS);
	CHECK(p == &b);
	EXPECT(BS->ReinstallProtocolInterface(h, &g1, &a, &c), EFI_NOT_FOUND);
	EXPECT(BS->ReinstallProtocolInterface(h, &g2, &a, &c), EFI_NOT_FOUND);
	EXPECT(BS->UninstallProtocolInterface(h, &g1, &b), EFI_SUCCESS);
	return PASS;
}

static BOOLEAN has_guid(EFI_GUID **list, UINTN n, const EFI_GUID *g)
{
	for (UINTN i = 0; i < n; i++)
		if (guid_eq(list[i], g))
			return TRUE;
	return FALSE;
}

/* Install and uninstall several at once, all or nothing (section 7.3). */
static enum result multiple(void)
{
	EFI_HANDLE h = NULL;
	EFI_GUID **list;
	UINTN n;
	void *p;

	EXPECT(BS->InstallMultipleProtocolInterfaces(&h, &g1, &a, &g2, &b, NULL), EFI_SUCCESS);
	EXPECT(BS->ProtocolsPerHandle(h, &list, &n), EFI_SUCCESS);
	CHECK(n == 2 && has_guid(list, n, &g1) && has_guid(list, n, &g2));
	BS->FreePool(list);
	EXPECT(BS->InstallMultipleProtocolInterfaces(&h, &g3, &c, &g1, &a, NULL),
	       EFI_INVALID_PARAMETER);
	EXPECT(BS->HandleProtocol(h, &g3, &p), EFI_UNSUPPORTED);
	EXPECT(BS->UninstallMultipleProtocolInterfaces(h, &g1, &a, &g2, &c, NULL),
	       EFI_INVALID_PARAMETER);
	EXPECT(BS->HandleProtocol(h, &g1, &p), EFI_SUCCESS);
	EXPECT(BS->HandleProtocol(h, &g2, &p), EFI_SUCCESS);
	EXPECT(BS->UninstallMultipleProtocolInterfaces(h, &g1, &a, &g2, &b, NULL), EFI_SUCCESS);
	EXPECT(BS->HandleProtocol(h, &g1, &p), EFI_INVALID_PARAMETER);
	return PASS;
}

static enum result protocols_per_handle(void)
{
	EFI_GUID **list;
	UINTN n;

	EXPECT(BS->ProtocolsPerHandle(self, &list, &n), EFI_SUCCESS);
	CHECK(has_guid(list, n, &gEfiLoadedImageProtocolGuid));
	BS->FreePool(list);
	EXPECT(BS->ProtocolsPerHandle(NULL, &list, &n), EFI_INVALID_PARAMETER);
	EXPECT(BS->ProtocolsPerHandle(self, NULL, &n), EFI_INVALID_PARAMETER);
	return PASS;
}

static BOOLEAN has_handle(EFI_HANDLE *list, UINTN n, EFI_HANDLE h)
{
	for (UINTN i = 0; i < n; i++)
		if (list[i] == h)
			return TRUE;
	return FALSE;
}

static enum result locate(void)
{
	EFI_HANDLE h1 = NULL, h2 = NULL, *list, one;
	UINTN n, size = 0;
	void *p;

	EXPECT(BS->InstallProtocolInterface(&h1, &g3, EFI_NATIVE_INTERFACE, &a), EFI_SUCCESS);
	EXPECT(BS->InstallProtocolInterface(&h2, &g3, EFI_NATIVE_INTERFACE, &b), EFI_SUCCESS);
	EXPECT(BS->LocateHandleBuffer(ByProtocol, &g3, NULL, &n, &list), EFI_SUCCESS);
	CHECK(n == 2 && has_handle(list, n, h1) && has_handle(list, n, h2));
	BS->FreePool(list);
	EXPECT(BS->LocateHandleBuffer(AllHandles, NULL, NULL, &n, &list), EFI_SUCCESS);
	CHECK(n > 3 && has_handle(list, n, h1) && has_handle(list, n, h2) &&
	      has_handle(list, n, self));
	BS->FreePool(list);
	EXPECT(BS->LocateHandleBuffer(ByProtocol, &g4, NULL, &n, &list), EFI_NOT_FOUND);
	EXPECT(BS->LocateHandleBuffer(ByProtocol, NULL, NULL, &n, &list), EFI_INVALID_PARAMETER);
	EXPECT(BS->LocateHandle(ByProtocol, &g3, NULL, &size, NULL), EFI_BUFFER_TOO_SMALL);
	CHECK(size == 2 * sizeof(EFI_HANDLE));
	size = sizeof(one);
	EXPECT(BS->LocateHandle(ByProtocol, &g3, NULL, &size, &one), EFI_BUFFER_TOO_SMALL);
	EXPECT(BS->LocateProtocol(&g3, NULL, &p), EFI_SUCCESS);
	CHECK(p == &a || p == &b);
	EXPECT(BS->LocateProtocol(&g4, NULL, &p), EFI_NOT_FOUND);
	return PASS;
}

/* With no driver to bind, connecting finds nothing and disconnecting has nothing to do
 * (ConnectController, DisconnectController). */
static enum result connect(void)
{
	EFI_HANDLE h = NULL;
	UINT64 junk[8] = { 0 };

	EXPECT(BS->InstallProtocolInterface(&h, &g2, EFI_NATIVE_INTERFACE, &a), EFI_SUCCESS);
	EXPECT(BS->ConnectController(h, NULL, NULL, TRUE), EFI_NOT_FOUND);
	EXPECT(BS->DisconnectController(h, NULL, NULL), EFI_SUCCESS);
	EXPECT(BS->ConnectController((EFI_HANDLE)junk, NULL, NULL, FALSE), EFI_INVALID_PARAMETER);
	EXPECT(BS->DisconnectController((EFI_HANDLE)junk, NULL, NULL), EFI_INVALID_PARAMETER);
	return PASS;
}

/* ---- OpenProtocol and its attributes (section 7.3) ---- */

static EFI_HANDLE agent_a, agent_b, controller;

static enum result open_setup(void)
{
	agent_a = agent_b = controller = NULL;
	if (BS->InstallProtocolInterface(&agent_a, &agent_guid, EFI_NATIVE_INTERFACE, &a) ||
	    BS->InstallProtocolInterface(&agent_b, &agent_guid, EFI_NATIVE_INTERFACE, &b) ||
	    BS->InstallProtocolInterface(&controller, &g1, EFI_NATIVE_INTERFACE, &c))
		return fail(L"cannot install the agents and the controller");
	return PASS;
}

static EFI_STATUS open_g1(EFI_HANDLE agent, EFI_HANDLE ctl, UINT32 attributes)
{
	void *p = NULL;

	return BS->OpenProtocol(controller, &g1, &p, agent, ctl, attributes);
}

static const EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *find_open(
	const EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e, UINTN n, EFI_HANDLE agent, UINT32 attr)
{
	for (UINTN i = 0; i < n; i++)
		if (e[i].AgentHandle == agent && e[i].Attributes == attr)
			return &e[i];
	return NULL;
}

static enum result open_simple(void)
{
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	const EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *o;
	void *p = NULL;
	UINTN n;

	EXPECT(BS->OpenProtocol(controller, &g1, &p, agent_a, NULL,
				EFI_OPEN_PROTOCOL_GET_PROTOCOL), EFI_SUCCESS);
	CHECK(p == &c);
	EXPECT(BS->OpenProtocol(controller, &g1, NULL, agent_a, NULL,
				EFI_OPEN_PROTOCOL_TEST_PROTOCOL), EFI_SUCCESS);
	EXPECT(BS->OpenProtocol(controller, &g2, NULL, agent_a, NULL,
				EFI_OPEN_PROTOCOL_TEST_PROTOCOL), EFI_UNSUPPORTED);
	EXPECT(open_g1(agent_a, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL), EFI_SUCCESS);
	EXPECT(BS->OpenProtocolInformation(controller, &g1, &e, &n), EFI_SUCCESS);
	o = find_open(e, n, agent_a, EFI_OPEN_PROTOCOL_GET_PROTOCOL);
	if (!o || o->OpenCount != 2 || o->ControllerHandle)
		return fail(L"GET_PROTOCOL by agent A twice: %d entries, count %d", n,
			    o ? (UINTN)o->OpenCount : 0);
	BS->FreePool(e);
	EXPECT(BS->CloseProtocol(controller, &g1, agent_a, NULL), EFI_SUCCESS);
	EXPECT(BS->CloseProtocol(controller, &g1, agent_a, NULL), EFI_NOT_FOUND);
	EXPECT(BS->OpenProtocol(controller, &g1, NULL, agent_a, NULL,
				EFI_OPEN_PROTOCOL_GET_PROTOCOL), EFI_INVALID_PARAMETER);
	EXPECT(open_g1(agent_a, NULL, 0), EFI_INVALID_PARAMETER);
	EXPECT(open_g1(NULL, controller, EFI_OPEN_PROTOCOL_BY_DRIVER), EFI_INVALID_PARAMETER);
	EXPECT(open_g1(agent_a, controller, EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER),
	       EFI_INVALID_PARAMETER);      /* a handle cannot be its own child */
	return PASS;
}

/* BY_DRIVER and EXCLUSIVE claim the interface; nobody can take it from an agent that is
 * no driver, since DisconnectController cannot stop it. GET_PROTOCOL never conflicts. */
static enum result open_exclusive(void)
{
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *e;
	const EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *o;
	UINTN n;

	EXPECT(open_g1(agent_a, controller, EFI_OPEN_PROTOCOL_BY_DRIVER), EFI_SUCCESS);
	EXPECT(open_g1(agent_a, controller, EFI_OPEN_PROTOCOL_BY_DRIVER), EFI_ALREADY_STARTED);
	EXPECT(open_g1(agent_b, controller, EFI_OPEN_PROTOCOL_BY_DRIVER), EFI_ACCESS_DENIED);
	EXPECT(open_g1(agent_b, controller,
		       EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE), EFI_ACCESS_DENIED);
	EXPECT(open_g1(agent_b, NULL, EFI_OPEN_PROTOCOL_EXCLUSIVE), EFI_ACCESS_DENIED);
	EXPECT(open_g1(agent_b, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL), EFI_SUCCESS);
	EXPECT(BS->UninstallProtocolInterface(controller, &g1, &c), EFI_ACCESS_DENIED);
	EXPECT(BS->OpenProtocolInformation(controller, &g1, &e, &n), EFI_SUCCESS);
	o = find_open(e, n, agent_a, EFI_OPEN_PROTOCOL_BY_DRIVER);
	if (n != 2 || !o || o->ControllerHandle != controller || o->OpenCount != 1)
		return fail(L"%d open entries, A's BY_DRIVER count %d", n,
			    o ? (UINTN)o->OpenCount : 0);
	BS->FreePool(e);
	EXPECT(BS->CloseProtocol(controller, &g1, agent_a, controller), EFI_SUCCESS);
	/* Now B may hold it exclusively, and A is kept out. */
	EXPECT(open_g1(agent_b, NULL, EFI_OPEN_PROTOCOL_EXCLUSIVE), EFI_SUCCESS);
	EXPECT(open_g1(agent_a, controller, EFI_OPEN_PROTOCOL_BY_DRIVER), EFI_ACCESS_DENIED);
	EXPECT(open_g1(agent_a, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL), EFI_SUCCESS);
	EXPECT(BS->CloseProtocol(controller, &g1, agent_b, NULL), EFI_SUCCESS);
	EXPECT(BS->CloseProtocol(controller, &g1, agent_a, NULL), EFI_SUCCESS);
	EXPECT(BS->UninstallProtocolInterface(controller, &g1, &c), EFI_SUCCESS);
	return PASS;
}

/* ---- RegisterProtocolNotify (section 7.3) ---- */

static EFI_EVENT notify_event;
static UINTN notified;

static VOID EFIAPI count_notify(EFI_EVENT e, VOID *ctx)
{
	notified++;
}

static enum result notify_teardown(void)
{
	if (notify_event)
		BS->CloseEvent(notify_event);
	notify_event = NULL;
	return cleanup();
}

static enum result register_notify(void)
{
	EFI_HANDLE h1 = NULL, h2 = NULL, h3 = NULL, found;
	UINTN size = sizeof(found);
	void *reg, *p;

	notified = 0;
	EXPECT(BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, count_notify, NULL,
			       &notify_event), EFI_SUCCESS);
	EXPECT(BS->RegisterProtocolNotify(&g4, notify_event, &reg), EFI_SUCCESS);
	CHECK(notified == 0);
	EXPECT(BS->InstallProtocolInterface(&h1, &g4, EFI_NATIVE_INTERFACE, &a), EFI_SUCCESS);
	CHECK(notified == 1);
	EXPECT(BS->LocateHandle(ByRegisterNotify, NULL, reg, &size, &found), EFI_SUCCESS);
	CHECK(found == h1 && size == sizeof(found));
	EXPECT(BS->LocateHandle(ByRegisterNotify, NULL, reg, &size, &found), EFI_NOT_FOUND);
	EXPECT(BS->InstallProtocolInterface(&h2, &g4, EFI_NATIVE_INTERFACE, &b), EFI_SUCCESS);
	CHECK(notified == 2);
	EXPECT(BS->LocateProtocol(&g4, reg, &p), EFI_SUCCESS);
	CHECK(p == &b);
	EXPECT(BS->LocateProtocol(&g4, reg, &p), EFI_NOT_FOUND);
	/* A reinstalled interface counts as new. */
	EXPECT(BS->ReinstallProtocolInterface(h1, &g4, &a, &c), EFI_SUCCESS);
	CHECK(notified == 3);
	EXPECT(BS->LocateHandle(ByRegisterNotify, NULL, reg, &size, &found), EFI_SUCCESS);
	CHECK(found == h1);
	/* Closing the event ends the registration. */
	EXPECT(BS->CloseEvent(notify_event), EFI_SUCCESS);
	notify_event = NULL;
	EXPECT(BS->InstallProtocolInterface(&h3, &g4, EFI_NATIVE_INTERFACE, &a), EFI_SUCCESS);
	CHECK(notified == 3);
	EXPECT(BS->RegisterProtocolNotify(&g4, NULL, &reg), EFI_INVALID_PARAMETER);
	return PASS;
}

const struct selftest protocol_tests[] = {
	{ L"proto.install_uninstall", NULL, install_uninstall, cleanup },
	{ L"proto.bad_handles", NULL, bad_handles },
	{ L"proto.reinstall", NULL, reinstall, cleanup },
	{ L"proto.multiple", NULL, multiple, cleanup },
	{ L"proto.protocols_per_handle", NULL, protocols_per_handle },
	{ L"proto.locate", NULL, locate, cleanup },
	{ L"proto.connect", NULL, connect, cleanup },
	{ L"proto.open_simple", open_setup, open_simple, cleanup },
	{ L"proto.open_exclusive", open_setup, open_exclusive, cleanup },
	{ L"proto.register_notify", NULL, register_notify, notify_teardown },
	{ NULL }
};
