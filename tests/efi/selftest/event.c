/* Events, timers and task priority levels (UEFI 2.10 section 7.1). */
#include "selftest.h"

#define MS              10000ULL        /* SetTimer's 100 ns units */
/* The least a timer of us microseconds may take. A tick-driven firmware (EDK2) fires up
 * to a tick early, and its clock runs fast while it catches up ticks that a loaded host
 * delayed; a quarter still catches a wrong unit. */
#define SOONEST(us)     ((us) / 4)

static EFI_EVENT ev[4];                 /* every case's events, closed by close_all() */
static struct probe {                   /* what a notify function saw */
	UINTN calls;
	EFI_TPL tpl;
	EFI_STATUS status;              /* of what it did, if anything */
} probe[4];
static UINTN order[4], norder;          /* which probes ran, in order */

static enum result close_all(void)
{
	for (UINTN i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		if (ev[i])
			BS->CloseEvent(ev[i]);
		ev[i] = NULL;
	}
	return PASS;
}

static enum result reset(void)
{
	SetMem(probe, sizeof(probe), 0);
	norder = 0;
	return PASS;
}

static VOID EFIAPI record(EFI_EVENT e, VOID *ctx)
{
	struct probe *p = ctx;

	p->calls++;
	p->tpl = current_tpl();
	if (norder < sizeof(order) / sizeof(order[0]))
		order[norder++] = p - probe;
}

static VOID EFIAPI close_self(EFI_EVENT e, VOID *ctx)
{
	struct probe *p = ctx;

	p->calls++;
	p->status = BS->CloseEvent(e);
	for (UINTN i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		if (ev[i] == e)
			ev[i] = NULL;
}

/* A wait notify function: signals its event from the second call on. */
static VOID EFIAPI signal_late(EFI_EVENT e, VOID *ctx)
{
	struct probe *p = ctx;

	if (++p->calls >= 2)
		p->status = BS->SignalEvent(e);
}

/* Stall until the probe has seen n calls, for a second at most: under a loaded host a
 * fixed wait would see fewer periods than it should. */
static BOOLEAN wait_calls(const struct probe *p, UINTN n)
{
	UINT64 start = now_us();

	while (p->calls < n && now_us() - start < 1000000)
		BS->Stall(1000);
	return p->calls >= n;
}

static EFI_STATUS notify_event(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn, UINTN i)
{
	return BS->CreateEvent(type, tpl, fn, &probe[i], &ev[i]);
}

static enum result create_invalid(void)
{
	static EFI_GUID group = SELFTEST_GUID(0x10);
	UINT64 junk[8] = { 0 };
	EFI_EVENT e;

	EXPECT(BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, NULL, NULL, &e),
	       EFI_INVALID_PARAMETER);
	EXPECT(BS->CreateEvent(EVT_NOTIFY_SIGNAL | EVT_NOTIFY_WAIT, TPL_CALLBACK, record, NULL,
			       &e), EFI_INVALID_PARAMETER);
	EXPECT(BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_APPLICATION, record, NULL, &e),
	       EFI_INVALID_PARAMETER);
	EXPECT(BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_HIGH_LEVEL, record, NULL, &e),
	       EFI_INVALID_PARAMETER);
	EXPECT(BS->CreateEvent(EVT_TIMER, TPL_CALLBACK, NULL, NULL, NULL), EFI_INVALID_PARAMETER);
	EXPECT(BS->CreateEventEx(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_CALLBACK, record, NULL,
				 &group, &e), EFI_INVALID_PARAMETER);
	EXPECT(BS->SignalEvent((EFI_EVENT)junk), EFI_INVALID_PARAMETER);
	EXPECT(BS->CloseEvent((EFI_EVENT)junk), EFI_INVALID_PARAMETER);
	EXPECT(BS->SignalEvent(NULL), EFI_INVALID_PARAMETER);
	return PASS;
}

/* Notify functions run at their own TPL, at once if it is above the caller's, else when
 * the caller's TPL drops below it; higher TPLs first; once however often signaled. */
static enum result notify_tpl(void)
{
	UINTN early0, early1;
	EFI_TPL old;

	EXPECT(notify_event(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, record, 0), EFI_SUCCESS);
	EXPECT(notify_event(EVT_NOTIFY_SIGNAL, TPL_NOTIFY, record, 1), EFI_SUCCESS);
	EXPECT(BS->SignalEvent(ev[0]), EFI_SUCCESS);
	CHECK(probe[0].calls == 1 && probe[0].tpl == TPL_CALLBACK);
	EXPECT(BS->SignalEvent(ev[1]), EFI_SUCCESS);
	CHECK(probe[1].calls == 1 && probe[1].tpl == TPL_NOTIFY);

	reset();
	old = BS->RaiseTPL(TPL_CALLBACK);
	BS->SignalEvent(ev[0]);
	BS->SignalEvent(ev[0]);
	BS->SignalEvent(ev[1]);
	early0 = probe[0].calls;
	early1 = probe[1].calls;
	BS->RestoreTPL(old);
	if (early0 != 0 || early1 != 1)
		return fail(L"at TPL_CALLBACK: the CALLBACK notify ran %d times, NOTIFY %d",
			    early0, early1);
	CHECK(probe[0].calls == 1);

	reset();
	old = BS->RaiseTPL(TPL_NOTIFY);
	BS->SignalEvent(ev[0]);
	BS->SignalEvent(ev[1]);
	CHECK(probe[0].calls == 0 && probe[1].calls == 0);
	BS->RestoreTPL(old);
	CHECK(norder == 2 && order[0] == 1 && order[1] == 0);
	return PASS;
}

static enum result tpl_nesting(void)
{
	CHECK(current_tpl() == TPL_APPLICATION);
	CHECK(BS->RaiseTPL(TPL_CALLBACK) == TPL_APPLICATION);
	CHECK(BS->RaiseTPL(TPL_NOTIFY) == TPL_CALLBACK);
	CHECK(BS->RaiseTPL(TPL_HIGH_LEVEL) == TPL_NOTIFY);
	BS->RestoreTPL(TPL_NOTIFY);
	CHECK(current_tpl() == TPL_NOTIFY);
	BS->RestoreTPL(TPL_CALLBACK);
	BS->RestoreTPL(TPL_APPLICATION);
	CHECK(current_tpl() == TPL_APPLICATION);
	return PASS;
}

/* What section 7.1 allows at TPL_NOTIFY works; WaitForEvent wants TPL_APPLICATION. */
static enum result tpl_services(void)
{
	EFI_TPL old;
	EFI_STATUS s1, s2, s3, s4;
	UINTN index;
	void *p = NULL;

	EXPECT(BS->CreateEvent(0, 0, NULL, NULL, &ev[0]), EFI_SUCCESS);
	old = BS->RaiseTPL(TPL_NOTIFY);
	s1 = BS->AllocatePool(EfiLoaderData, 64, &p);
	s2 = p ? BS->FreePool(p) : EFI_ABORTED;
	s3 = BS->SignalEvent(ev[0]);
	s4 = BS->WaitForEvent(1, &ev[0], &index);
	BS->RestoreTPL(old);
	if (s1 || s2 || s3 || s4 != EFI_UNSUPPORTED)
		return fail(L"at TPL_NOTIFY: AllocatePool %r, FreePool %r, SignalEvent %r, "
			    L"WaitForEvent %r", s1, s2, s3, s4);
	return PASS;
}

/* Signaling one event of a group signals them all (CreateEventEx, section 7.1). */
static enum result group(void)
{
	static EFI_GUID g = SELFTEST_GUID(0x11), other = SELFTEST_GUID(0x12);

	EXPECT(BS->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, record, &probe[0], &g, &ev[0]),
	       EFI_SUCCESS);
	EXPECT(BS->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, record, &probe[1], &g, &ev[1]),
	       EFI_SUCCESS);
	EXPECT(BS->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, record, &probe[2], &other,
				 &ev[2]), EFI_SUCCESS);
	EXPECT(BS->CreateEventEx(0, 0, NULL, NULL, &g, &ev[3]), EFI_SUCCESS);
	EXPECT(BS->SignalEvent(ev[1]), EFI_SUCCESS);
	CHECK(probe[0].calls == 1 && probe[1].calls == 1 && probe[2].calls == 0);
	EXPECT(BS->CheckEvent(ev[3]), EFI_SUCCESS);
	EXPECT(BS->CloseEvent(ev[1]), EFI_SUCCESS);
	ev[1] = NULL;
	EXPECT(BS->SignalEvent(ev[0]), EFI_SUCCESS);
	CHECK(probe[0].calls == 2 && probe[1].calls == 1 && probe[2].calls == 0);
	return PASS;
}

static enum result check_event(void)
{
	EXPECT(BS->CreateEvent(0, 0, NULL, NULL, &ev[0]), EFI_SUCCESS);
	EXPECT(BS->CheckEvent(ev[0]), EFI_NOT_READY);
	EXPECT(BS->SignalEvent(ev[0]), EFI_SUCCESS);
	EXPECT(BS->CheckEvent(ev[0]), EFI_SUCCESS);
	EXPECT(BS->CheckEvent(ev[0]), EFI_NOT_READY);      /* checking cleared it */
	EXPECT(notify_event(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, record, 1), EFI_SUCCESS);
	EXPECT(BS->CheckEvent(ev[1]), EFI_INVALID_PARAMETER);
	/* A wait event's notify function runs when it is checked, and may signal it. */
	EXPECT(notify_event(EVT_NOTIFY_WAIT, TPL_CALLBACK, signal_late, 2), EFI_SUCCESS);
	EXPECT(BS->CheckEvent(ev[2]), EFI_NOT_READY);
	CHECK(probe[2].calls == 1);
	EXPECT(BS->CheckEvent(ev[2]), EFI_SUCCESS);
	CHECK(probe[2].calls == 2 && probe[2].status == EFI_SUCCESS);
	return PASS;
}

/* WaitForEvent on ev[i] alone; how long it took, in microseconds. */
static UINT64 wait_one(UINTN i, UINTN *index, EFI_STATUS *s)
{
	UINT64 start = now_us();

	*s = BS->WaitForEvent(1, &ev[i], index);
	return now_us() - start;
}

static enum result timer_relative(void)
{
	EFI_STATUS s;
	UINTN index;
	UINT64 took;

	EXPECT(BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &ev[0]), EFI_SUCCESS);
	EXPECT(BS->SetTimer(ev[0], TimerRelative, 50 * MS), EFI_SUCCESS);
	EXPECT(BS->CheckEvent(ev[0]), EFI_NOT_READY);
	took = wait_one(0, &index, &s);
	if (s || index != 0 || took < SOONEST(50000) || took > 1000000)
		return fail(L"WaitForEvent %r after %d us", s, took);
	/* Relative fires once. */
	EXPECT(BS->Stall(70000), EFI_SUCCESS);
	EXPECT(BS->CheckEvent(ev[0]), EFI_NOT_READY);
	/* Cancelled, it never fires. */
	EXPECT(BS->SetTimer(ev[0], TimerRelative, 10 * MS), EFI_SUCCESS);
	EXPECT(BS->SetTimer(ev[0], TimerCancel, 0), EFI_SUCCESS);
	EXPECT(BS->Stall(30000), EFI_SUCCESS);
	EXPECT(BS->CheckEvent(ev[0]), EFI_NOT_READY);
	EXPECT(BS->CreateEvent(0, 0, NULL, NULL, &ev[1]), EFI_SUCCESS);
	EXPECT(BS->SetTimer(ev[1], TimerRelative, MS), EFI_INVALID_PARAMETER);
	return PASS;
}

static enum result timer_periodic(void)
{
	EFI_STATUS s;
	UINTN index, calls;
	UINT64 took = 0, start;

	EXPECT(BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &ev[0]), EFI_SUCCESS);
	EXPECT(BS->SetTimer(ev[0], TimerPeriodic, 20 * MS), EFI_SUCCESS);
	for (int i = 0; i < 3; i++) {
		took += wait_one(0, &index, &s);
		if (s)
			return fail(L"WaitForEvent %r", s);
	}
	if (took < SOONEST(60000) || took > 1000000)
		return fail(L"3 periods of 20 ms took %d us", took);
	/* The notify kind: five calls take at least four periods. */
	EXPECT(notify_event(EVT_TIMER | EVT_NOTIFY_SIGNAL, TPL_CALLBACK, record, 1), EFI_SUCCESS);
	start = now_us();
	EXPECT(BS->SetTimer(ev[1], TimerPeriodic, 10 * MS), EFI_SUCCESS);
	if (!wait_calls(&probe[1], 5))
		return fail(L"a 10 ms periodic timer fired %d times in a second", probe[1].calls);
	took = now_us() - start;
	EXPECT(BS->SetTimer(ev[1], TimerCancel, 0), EFI_SUCCESS);
	if (took < SOONEST(40000))
		return fail(L"5 calls of a 10 ms periodic timer in %d us", took);
	calls = probe[1].calls;
	EXPECT(BS->Stall(30000), EFI_SUCCESS);
	CHECK(probe[1].calls == calls);
	return PASS;
}

/* A due timer's notify function waits while the TPL is at or above its own. */
static enum result timer_tpl(void)
{
	EFI_TPL old;
	UINTN early;

	EXPECT(notify_event(EVT_TIMER | EVT_NOTIFY_SIGNAL, TPL_CALLBACK, record, 0), EFI_SUCCESS);
	old = BS->RaiseTPL(TPL_CALLBACK);
	BS->SetTimer(ev[0], TimerRelative, 5 * MS);
	BS->Stall(30000);
	early = probe[0].calls;
	BS->RestoreTPL(old);
	if (early)
		return fail(L"ran at TPL_CALLBACK");
	CHECK(wait_calls(&probe[0], 1) && probe[0].calls == 1 && probe[0].tpl == TPL_CALLBACK);
	return PASS;
}

static enum result wait_many(void)
{
	UINTN index;

	EXPECT(BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &ev[0]), EFI_SUCCESS);
	EXPECT(BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &ev[1]), EFI_SUCCESS);
	EXPECT(BS->CreateEvent(0, 0, NULL, NULL, &ev[2]), EFI_SUCCESS);
	EXPECT(BS->SetTimer(ev[0], TimerRelative, 3000 * MS), EFI_SUCCESS);
	EXPECT(BS->SetTimer(ev[1], TimerRelative, 20 * MS), EFI_SUCCESS);
	EXPECT(BS->WaitForEvent(3, ev, &index), EFI_SUCCESS);
	CHECK(index == 1);
	EXPECT(BS->SignalEvent(ev[2]), EFI_SUCCESS);
	EXPECT(BS->WaitForEvent(3, ev, &index), EFI_SUCCESS);
	CHECK(index == 2);
	EXPECT(BS->WaitForEvent(0, ev, &index), EFI_INVALID_PARAMETER);
	EXPECT(notify_event(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, record, 3), EFI_SUCCESS);
	EXPECT(BS->WaitForEvent(1, &ev[3], &index), EFI_INVALID_PARAMETER);
	CHECK(index == 0);
	return PASS;
}

static enum result close_in_notify(void)
{
	EXPECT(notify_event(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, close_self, 0), EFI_SUCCESS);
	EXPECT(BS->SignalEvent(ev[0]), EFI_SUCCESS);
	CHECK(probe[0].calls == 1 && probe[0].status == EFI_SUCCESS);
	/* A periodic timer that closes itself fires once. */
	EXPECT(notify_event(EVT_TIMER | EVT_NOTIFY_SIGNAL, TPL_NOTIFY, close_self, 1),
	       EFI_SUCCESS);
	EXPECT(BS->SetTimer(ev[1], TimerPeriodic, 5 * MS), EFI_SUCCESS);
	CHECK(wait_calls(&probe[1], 1));
	EXPECT(BS->Stall(30000), EFI_SUCCESS);
	CHECK(probe[1].calls == 1 && probe[1].status == EFI_SUCCESS);
	return PASS;
}

const struct selftest event_tests[] = {
	{ L"event.create_invalid", NULL, create_invalid },
	{ L"event.notify_tpl", reset, notify_tpl, close_all },
	{ L"event.group", reset, group, close_all },
	{ L"event.check", reset, check_event, close_all },
	{ L"event.timer_relative", reset, timer_relative, close_all },
	{ L"event.timer_periodic", reset, timer_periodic, close_all },
	{ L"event.timer_tpl", reset, timer_tpl, close_all },
	{ L"event.wait_many", reset, wait_many, close_all },
	{ L"event.close_in_notify", reset, close_in_notify, close_all },
	{ L"tpl.nesting", NULL, tpl_nesting },
	{ L"tpl.services", NULL, tpl_services, close_all },
	{ NULL }
};
