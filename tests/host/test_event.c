/* Host unit tests for efi/event.c, with the UEFI 2.10 spec (section 7.1) as the oracle.
 * The clock is fake: tests set it, or let every reading advance it by a step. */
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

#define APP     TPL_APPLICATION
#define CB      TPL_CALLBACK
#define NTF     TPL_NOTIFY
#define HIGH    TPL_HIGH_LEVEL

static EFI_GUID group_a = { 0xaaaaaaaa, 0xaaaa, 0xaaaa, { 1, 2, 3, 4, 5, 6, 7, 8 } };
static EFI_GUID exit_bs = EFI_EVENT_GROUP_EXIT_BOOT_SERVICES_GUID;
static EFI_GUID va_change = EFI_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE_GUID;
static int garbage[16];

/* ---- notify functions that say when they ran, at which TPL, and may act ---- */
struct ctx {
	int id;
	int calls;
	void (*action)(struct ctx *c, EFI_EVENT self);
	EFI_EVENT other;                /* for the action */
	int signal_on_call;             /* a waiting event signals itself on this call */
};

static struct {
	int id;
	EFI_TPL tpl;
} ran[64];
static int nr_ran;

static EFI_TPL current_tpl(void)
{
	EFI_TPL t = RaiseTPL(HIGH);

	RestoreTPL(t);
	return t;
}

static void EFIAPI note(EFI_EVENT event, VOID *context)
{
	struct ctx *c = context;

	assert_true(nr_ran < 64);
	ran[nr_ran].id = c->id;
	ran[nr_ran++].tpl = current_tpl();
	c->calls++;
	if (c->action)
		c->action(c, event);
	if (c->signal_on_call && c->calls == c->signal_on_call)
		assert_int_equal(SignalEvent(event), EFI_SUCCESS);
}

static void expect_ran(const int *ids, int n)
{
	assert_int_equal(nr_ran, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(ran[i].id, ids[i]);
}

/* Every event a test creates through this is closed in teardown. */
static EFI_EVENT created[32];
static int nr_created;

static EFI_EVENT create(UINT32 type, EFI_TPL tpl, struct ctx *c, const EFI_GUID *group)
{
	EFI_EVENT e = NULL;

	assert_int_equal(CreateEventEx(type, tpl, c ? note : NULL, c, group, &e), EFI_SUCCESS);
	assert_non_null(e);
	assert_true(nr_created < 32);
	created[nr_created++] = e;
	return e;
}

static int setup(void **state)
{
	nr_ran = 0;
	nr_created = 0;
	stub_clock_now = 1000000;
	stub_clock_step = 0;
	return 0;
}

static int teardown(void **state)
{
	for (int i = 0; i < nr_created; i++)
		CloseEvent(created[i]);
	assert_int_equal(current_tpl(), APP);
	return 0;
}

/* ---- CreateEvent, CreateEventEx, CloseEvent (7.1.1-7.1.3) ---- */
static void test_create_bad_args(void **state)
{
	static const UINT32 bad_types[] = {
		1, 0x100000, EVT_NOTIFY_WAIT | EVT_NOTIFY_SIGNAL, EVT_RUNTIME_CONTEXT,
		EVT_SIGNAL_EXIT_BOOT_SERVICES | EVT_TIMER, EVT_TIMER | 2,
	};
	struct ctx c = { 0 };
	EFI_EVENT e = garbage;

	assert_int_equal(CreateEvent(0, 0, NULL, NULL, NULL), EFI_INVALID_PARAMETER);
	for (size_t i = 0; i < ARRAY_SIZE(bad_types); i++)
		assert_int_equal(CreateEvent(bad_types[i], CB, note, &c, &e),
				 EFI_INVALID_PARAMETER);
	/* A notify function, at a TPL strictly between the application's and HIGH_LEVEL. */
	assert_int_equal(CreateEvent(EVT_NOTIFY_SIGNAL, CB, NULL, &c, &e), EFI_INVALID_PARAMETER);
	assert_int_equal(CreateEvent(EVT_NOTIFY_WAIT, CB, NULL, &c, &e), EFI_INVALID_PARAMETER);
	assert_int_equal(CreateEvent(EVT_NOTIFY_SIGNAL, APP, note, &c, &e), EFI_INVALID_PARAMETER);
	assert_int_equal(CreateEvent(EVT_NOTIFY_WAIT, HIGH, note, &c, &e), EFI_INVALID_PARAMETER);
	assert_int_equal(CreateEvent(EVT_NOTIFY_SIGNAL, 0, note, &c, &e), EFI_INVALID_PARAMETER);
	/* The group shorthands are CreateEvent's; CreateEventEx names the group. */
	assert_int_equal(CreateEventEx(EVT_SIGNAL_EXIT_BOOT_SERVICES, CB, note, &c, &group_a, &e),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(CreateEventEx(EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, CB, note, &c, &exit_bs,
				       &e), EFI_INVALID_PARAMETER);
	assert_ptr_equal(e, garbage);
}

static void test_create_types(void **state)
{
	static const UINT32 types[] = {
		0, EVT_TIMER, EVT_NOTIFY_WAIT, EVT_NOTIFY_SIGNAL, EVT_TIMER | EVT_NOTIFY_WAIT,
		EVT_TIMER | EVT_NOTIFY_SIGNAL, EVT_RUNTIME | EVT_NOTIFY_SIGNAL,
		EVT_SIGNAL_EXIT_BOOT_SERVICES, EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE,
	};
	struct ctx c = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		create(types[i], NTF, &c, NULL);
	/* Without a notify kind the function and TPL are ignored. */
	create(EVT_TIMER, 0, NULL, NULL);
	create(0, 99, NULL, &group_a);
}

static void test_close(void **state)
{
	EFI_EVENT e = NULL;

	assert_int_equal(CreateEvent(0, 0, NULL, NULL, &e), EFI_SUCCESS);
	assert_int_equal(CloseEvent(e), EFI_SUCCESS);
	assert_int_equal(CloseEvent(e), EFI_INVALID_PARAMETER);
	assert_int_equal(SignalEvent(e), EFI_INVALID_PARAMETER);
	assert_int_equal(CheckEvent(e), EFI_INVALID_PARAMETER);
	assert_int_equal(SetTimer(e, TimerRelative, 0), EFI_INVALID_PARAMETER);
	const EFI_EVENT bad[] = { NULL, (EFI_EVENT)1, garbage, (EFI_EVENT)0xdead0000 };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(CloseEvent(bad[i]), EFI_INVALID_PARAMETER);
		assert_int_equal(SignalEvent(bad[i]), EFI_INVALID_PARAMETER);
		assert_int_equal(CheckEvent(bad[i]), EFI_INVALID_PARAMETER);
		assert_int_equal(SetTimer(bad[i], TimerCancel, 0), EFI_INVALID_PARAMETER);
	}
}

/* ---- SignalEvent and the TPL (7.1.4, 7.1.8, 7.1.9) ---- */
static void test_signal_runs_at_event_tpl(void **state)
{
	struct ctx c = { .id = 1 };
	EFI_EVENT e = create(EVT_NOTIFY_SIGNAL, CB, &c, NULL);

	assert_int_equal(SignalEvent(e), EFI_SUCCESS);
	expect_ran((int[]){ 1 }, 1);
	assert_int_equal(ran[0].tpl, CB);
	assert_int_equal(current_tpl(), APP);
	/* Its signal state was cleared as it ran: it can be signalled again. */
	assert_int_equal(SignalEvent(e), EFI_SUCCESS);
	assert_int_equal(c.calls, 2);
}

static void test_signal_deferred_until_tpl_drops(void **state)
{
	struct ctx cb = { .id = 1 }, ntf = { .id = 2 };
	EFI_EVENT ecb = create(EVT_NOTIFY_SIGNAL, CB, &cb, NULL);
	EFI_EVENT entf = create(EVT_NOTIFY_SIGNAL, NTF, &ntf, NULL);

	assert_int_equal(RaiseTPL(NTF), APP);
	assert_int_equal(SignalEvent(ecb), EFI_SUCCESS);
	assert_int_equal(SignalEvent(ecb), EFI_SUCCESS);        /* pending: no second call */
	assert_int_equal(SignalEvent(entf), EFI_SUCCESS);       /* not above NOTIFY */
	assert_int_equal(nr_ran, 0);
	RestoreTPL(CB);
	expect_ran((int[]){ 2 }, 1);
	assert_int_equal(ran[0].tpl, NTF);
	RestoreTPL(APP);
	expect_ran((int[]){ 2, 1 }, 2);
	assert_int_equal(ran[1].tpl, CB);
}

/* Highest TPL first, then in the order signalled. */
static void test_signal_order(void **state)
{
	struct ctx c[6] = { { .id = 0 }, { .id = 1 }, { .id = 2 }, { .id = 3 }, { .id = 4 },
			    { .id = 5 } };
	const EFI_TPL tpls[6] = { CB, NTF, CB, NTF, CB + 1, CB };
	EFI_EVENT e[6];

	for (int i = 0; i < 6; i++)
		e[i] = create(EVT_NOTIFY_SIGNAL, tpls[i], &c[i], NULL);
	EFI_TPL old = RaiseTPL(HIGH);
	for (int i = 5; i >= 0; i--)
		SignalEvent(e[i]);
	RestoreTPL(old);
	expect_ran((int[]){ 3, 1, 4, 5, 2, 0 }, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(ran[i].tpl, tpls[ran[i].id]);
}

static void signal_other(struct ctx *c, EFI_EVENT self)
{
	assert_int_equal(SignalEvent(c->other), EFI_SUCCESS);
}

/* From a notify function: a higher TPL preempts at once, the same TPL waits its turn. */
static void test_signal_from_notify(void **state)
{
	struct ctx high = { .id = 2 }, same = { .id = 3 };
	struct ctx first = { .id = 1, .action = signal_other };
	EFI_EVENT e1 = create(EVT_NOTIFY_SIGNAL, CB, &first, NULL);

	first.other = create(EVT_NOTIFY_SIGNAL, NTF, &high, NULL);
	assert_int_equal(SignalEvent(e1), EFI_SUCCESS);
	expect_ran((int[]){ 1, 2 }, 2);
	assert_int_equal(ran[1].tpl, NTF);

	nr_ran = 0;
	first.other = create(EVT_NOTIFY_SIGNAL, CB, &same, NULL);
	assert_int_equal(SignalEvent(e1), EFI_SUCCESS);
	expect_ran((int[]){ 1, 3 }, 2);

	/* Signalling itself: it runs once more, after this call. */
	nr_ran = 0;
	first.calls = 0;
	first.action = NULL;
	first.signal_on_call = 1;
	assert_int_equal(SignalEvent(e1), EFI_SUCCESS);
	assert_int_equal(first.calls, 2);
}

static void close_self(struct ctx *c, EFI_EVENT self)
{
	assert_int_equal(CloseEvent(self), EFI_SUCCESS);
}

static void close_other(struct ctx *c, EFI_EVENT self)
{
	assert_int_equal(CloseEvent(c->other), EFI_SUCCESS);
}

static void test_close_in_notify(void **state)
{
	struct ctx c = { .id = 1, .action = close_self }, c2 = { .id = 2, .action = close_other };
	struct ctx victim = { .id = 3 };
	EFI_EVENT e = NULL, e2 = NULL;

	assert_int_equal(CreateEvent(EVT_NOTIFY_SIGNAL, CB, note, &c, &e), EFI_SUCCESS);
	assert_int_equal(SignalEvent(e), EFI_SUCCESS);
	assert_int_equal(c.calls, 1);
	assert_int_equal(SignalEvent(e), EFI_INVALID_PARAMETER);

	/* Closing an event whose notification is pending cancels it. */
	assert_int_equal(CreateEvent(EVT_NOTIFY_SIGNAL, NTF, note, &c2, &e2), EFI_SUCCESS);
	assert_int_equal(CreateEvent(EVT_NOTIFY_SIGNAL, CB, note, &victim, &c2.other),
			 EFI_SUCCESS);
	EFI_TPL old = RaiseTPL(HIGH);
	SignalEvent(c2.other);
	SignalEvent(e2);
	RestoreTPL(old);
	expect_ran((int[]){ 1, 2 }, 2);
	assert_int_equal(victim.calls, 0);
	assert_int_equal(CloseEvent(e2), EFI_SUCCESS);
}

/* ---- event groups (7.1.2) ---- */
static void test_groups(void **state)
{
	struct ctx a1 = { .id = 1 }, a2 = { .id = 2 }, lone = { .id = 3 }, ebs = { .id = 4 };
	struct ctx ebs2 = { .id = 5 }, va = { .id = 6 };
	EFI_EVENT e1 = create(EVT_NOTIFY_SIGNAL, CB, &a1, &group_a);
	EFI_EVENT waiter = create(0, 0, NULL, &group_a);

	create(EVT_NOTIFY_SIGNAL, CB, &a2, &group_a);
	create(EVT_NOTIFY_SIGNAL, CB, &lone, NULL);
	create(EVT_SIGNAL_EXIT_BOOT_SERVICES, CB, &ebs, NULL);
	create(EVT_NOTIFY_SIGNAL, CB, &ebs2, &exit_bs);
	create(EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE, NTF, &va, NULL);

	/* Signalling one member signals the group, itself included. */
	assert_int_equal(SignalEvent(e1), EFI_SUCCESS);
	expect_ran((int[]){ 1, 2 }, 2);
	assert_int_equal(CheckEvent(waiter), EFI_SUCCESS);
	assert_int_equal(CheckEvent(waiter), EFI_NOT_READY);

	nr_ran = 0;
	efi_signal_group(&group_a);
	expect_ran((int[]){ 1, 2 }, 2);
	nr_ran = 0;
	efi_signal_group(&exit_bs);
	expect_ran((int[]){ 4, 5 }, 2);
	nr_ran = 0;
	efi_signal_group(&va_change);
	expect_ran((int[]){ 6 }, 1);
	assert_int_equal(lone.calls, 0);
}

/* ---- WaitForEvent and CheckEvent (7.1.5, 7.1.6) ---- */
static void test_check_event(void **state)
{
	struct ctx sig = { .id = 1 }, wait = { .id = 2, .signal_on_call = 3 };
	EFI_EVENT es = create(EVT_NOTIFY_SIGNAL, CB, &sig, NULL);
	EFI_EVENT plain = create(0, 0, NULL, NULL);
	EFI_EVENT ew = create(EVT_NOTIFY_WAIT, CB, &wait, NULL);

	assert_int_equal(CheckEvent(es), EFI_INVALID_PARAMETER);
	assert_int_equal(CheckEvent(plain), EFI_NOT_READY);
	assert_int_equal(SignalEvent(plain), EFI_SUCCESS);
	assert_int_equal(CheckEvent(plain), EFI_SUCCESS);
	assert_int_equal(CheckEvent(plain), EFI_NOT_READY);

	/* A waiting event's notify function runs on each check until it signals. */
	assert_int_equal(CheckEvent(ew), EFI_NOT_READY);
	assert_int_equal(CheckEvent(ew), EFI_NOT_READY);
	assert_int_equal(CheckEvent(ew), EFI_SUCCESS);
	assert_int_equal(wait.calls, 3);
	assert_int_equal(ran[0].tpl, CB);
	/* Signalled already: no need to ask the notify function. */
	assert_int_equal(SignalEvent(ew), EFI_SUCCESS);
	assert_int_equal(CheckEvent(ew), EFI_SUCCESS);
	assert_int_equal(wait.calls, 3);
	/* At or above its TPL the notify function cannot run yet. */
	EFI_TPL old = RaiseTPL(CB);
	assert_int_equal(CheckEvent(ew), EFI_NOT_READY);
	assert_int_equal(wait.calls, 3);
	RestoreTPL(old);
	assert_int_equal(wait.calls, 4);
}

static void test_check_event_closed_by_notify(void **state)
{
	struct ctx c = { .id = 1, .action = close_self };
	EFI_EVENT e = NULL;

	assert_int_equal(CreateEvent(EVT_NOTIFY_WAIT, CB, note, &c, &e), EFI_SUCCESS);
	assert_int_equal(CheckEvent(e), EFI_INVALID_PARAMETER);
	assert_int_equal(c.calls, 1);
}

static void test_wait_for_event(void **state)
{
	struct ctx w1 = { .id = 1 }, w2 = { .id = 2, .signal_on_call = 3 }, sig = { .id = 3 };
	EFI_EVENT plain = create(0, 0, NULL, NULL);
	EFI_EVENT e[3] = { create(EVT_NOTIFY_WAIT, CB, &w1, NULL),
			   create(EVT_NOTIFY_WAIT, CB, &w2, NULL), plain };
	EFI_EVENT es = create(EVT_NOTIFY_SIGNAL, CB, &sig, NULL);
	UINTN index = 99;

	/* The index of the first event signalled, in array order on one pass. */
	assert_int_equal(WaitForEvent(3, e, &index), EFI_SUCCESS);
	assert_int_equal(index, 1);
	assert_int_equal(w1.calls, 3);
	SignalEvent(e[0]);
	SignalEvent(plain);
	assert_int_equal(WaitForEvent(3, e, &index), EFI_SUCCESS);
	assert_int_equal(index, 0);
	assert_int_equal(WaitForEvent(3, e, &index), EFI_SUCCESS);
	assert_int_equal(index, 2);

	EFI_EVENT with_signal[2] = { e[0], es };
	assert_int_equal(WaitForEvent(2, with_signal, &index), EFI_INVALID_PARAMETER);
	assert_int_equal(index, 1);
	EFI_EVENT with_garbage[2] = { e[0], garbage };
	index = 99;
	assert_int_equal(WaitForEvent(2, with_garbage, &index), EFI_INVALID_PARAMETER);
	assert_int_equal(index, 1);
	assert_int_equal(WaitForEvent(0, e, &index), EFI_INVALID_PARAMETER);
	assert_int_equal(WaitForEvent(1, NULL, &index), EFI_INVALID_PARAMETER);
	assert_int_equal(WaitForEvent(1, e, NULL), EFI_INVALID_PARAMETER);

	/* Only the application's TPL may wait. */
	EFI_TPL old = RaiseTPL(CB);
	SignalEvent(plain);
	assert_int_equal(WaitForEvent(1, &plain, &index), EFI_UNSUPPORTED);
	RestoreTPL(old);
	assert_int_equal(WaitForEvent(1, &plain, &index), EFI_SUCCESS);
	assert_int_equal(index, 0);
}

static void test_wait_for_timer(void **state)
{
	EFI_EVENT t = create(EVT_TIMER, 0, NULL, NULL);
	UINTN index = 99;

	stub_clock_step = 7;
	assert_int_equal(SetTimer(t, TimerRelative, 5000), EFI_SUCCESS);
	UINT64 start = stub_clock_now;
	assert_int_equal(WaitForEvent(1, &t, &index), EFI_SUCCESS);
	assert_int_equal(index, 0);
	assert_true(stub_clock_now >= start + 5000);
	assert_true(stub_clock_now < start + 5100);
}

/* ---- SetTimer, timers and Stall (7.1.7, 7.5.2) ---- */
static void test_timer_relative(void **state)
{
	struct ctx c = { .id = 1 };
	EFI_EVENT t = create(EVT_TIMER | EVT_NOTIFY_SIGNAL, CB, &c, NULL);

	assert_int_equal(SetTimer(t, TimerRelative, 100), EFI_SUCCESS);
	stub_clock_now += 99;
	efi_timer_poll();
	assert_int_equal(c.calls, 0);
	stub_clock_now += 1;
	efi_timer_poll();
	assert_int_equal(c.calls, 1);
	assert_int_equal(ran[0].tpl, CB);
	stub_clock_now += 1000;
	efi_timer_poll();
	assert_int_equal(c.calls, 1);

	/* 0: the next poll. Arming again replaces; cancelling disarms. */
	assert_int_equal(SetTimer(t, TimerRelative, 0), EFI_SUCCESS);
	efi_timer_poll();
	assert_int_equal(c.calls, 2);
	assert_int_equal(SetTimer(t, TimerRelative, 100), EFI_SUCCESS);
	assert_int_equal(SetTimer(t, TimerRelative, 200), EFI_SUCCESS);
	stub_clock_now += 150;
	efi_timer_poll();
	assert_int_equal(c.calls, 2);
	assert_int_equal(SetTimer(t, TimerCancel, 0), EFI_SUCCESS);
	stub_clock_now += 1000;
	efi_timer_poll();
	assert_int_equal(c.calls, 2);
	/* A trigger time past the end of the clock never fires. */
	assert_int_equal(SetTimer(t, TimerRelative, UINT64_MAX), EFI_SUCCESS);
	stub_clock_now += 1000000;
	efi_timer_poll();
	assert_int_equal(c.calls, 2);
}

static void test_timer_periodic(void **state)
{
	struct ctx c = { .id = 1 };
	EFI_EVENT t = create(EVT_TIMER | EVT_NOTIFY_SIGNAL, CB, &c, NULL);

	assert_int_equal(SetTimer(t, TimerPeriodic, 100), EFI_SUCCESS);
	for (int i = 1; i <= 3; i++) {
		stub_clock_now += 60;
		efi_timer_poll();
		stub_clock_now += 40;
		efi_timer_poll();
		assert_int_equal(c.calls, i);
	}
	/* Late by many periods: it fires once, then keeps its period from now. */
	stub_clock_now += 1000;
	efi_timer_poll();
	assert_int_equal(c.calls, 4);
	stub_clock_now += 99;
	efi_timer_poll();
	assert_int_equal(c.calls, 4);
	stub_clock_now += 1;
	efi_timer_poll();
	assert_int_equal(c.calls, 5);

	/* Period 0: every poll. */
	assert_int_equal(SetTimer(t, TimerPeriodic, 0), EFI_SUCCESS);
	for (int i = 0; i < 3; i++)
		efi_timer_poll();
	assert_int_equal(c.calls, 8);
}

static void test_timer_bad_args(void **state)
{
	EFI_EVENT plain = create(EVT_NOTIFY_WAIT, CB, &(struct ctx){ 0 }, NULL);
	EFI_EVENT t = create(EVT_TIMER, 0, NULL, NULL);

	assert_int_equal(SetTimer(plain, TimerRelative, 10), EFI_INVALID_PARAMETER);
	assert_int_equal(SetTimer(t, TimerTypeMax, 10), EFI_INVALID_PARAMETER);
	assert_int_equal(SetTimer(t, (EFI_TIMER_DELAY)-1, 10), EFI_INVALID_PARAMETER);
}

/* A timer without a notify function is seen by CheckEvent; one in a group signals it. */
static void test_timer_signal_state_and_group(void **state)
{
	struct ctx member = { .id = 2 };
	EFI_EVENT t = create(EVT_TIMER, 0, NULL, NULL);
	EFI_EVENT tg = create(EVT_TIMER, 0, NULL, &group_a);

	create(EVT_NOTIFY_SIGNAL, CB, &member, &group_a);
	assert_int_equal(SetTimer(t, TimerRelative, 10), EFI_SUCCESS);
	assert_int_equal(CheckEvent(t), EFI_NOT_READY);
	stub_clock_now += 10;
	assert_int_equal(CheckEvent(t), EFI_SUCCESS);     /* CheckEvent polls the timers */
	assert_int_equal(CheckEvent(t), EFI_NOT_READY);

	assert_int_equal(SetTimer(tg, TimerRelative, 0), EFI_SUCCESS);
	efi_timer_poll();
	assert_int_equal(member.calls, 1);
	assert_int_equal(CheckEvent(tg), EFI_SUCCESS);
}

/* A periodic timer may close itself from its notify function. */
static void test_timer_closes_itself(void **state)
{
	struct ctx c = { .id = 1, .action = close_self };
	EFI_EVENT t = NULL;

	assert_int_equal(CreateEvent(EVT_TIMER | EVT_NOTIFY_SIGNAL, NTF, note, &c, &t),
			 EFI_SUCCESS);
	assert_int_equal(SetTimer(t, TimerPeriodic, 0), EFI_SUCCESS);
	efi_timer_poll();
	efi_timer_poll();
	assert_int_equal(c.calls, 1);
}

static void test_stall(void **state)
{
	struct ctx c = { .id = 1 };
	EFI_EVENT t = create(EVT_TIMER | EVT_NOTIFY_SIGNAL, CB, &c, NULL);
	UINT64 start = stub_clock_now;

	stub_clock_step = 3;
	assert_int_equal(SetTimer(t, TimerRelative, 50), EFI_SUCCESS);
	assert_int_equal(Stall(10), EFI_SUCCESS);         /* 100 units of 100 ns */
	assert_true(stub_clock_now >= start + 100);
	assert_true(stub_clock_now < start + 130);
	assert_int_equal(c.calls, 1);                     /* timers fire while stalling */
	start = stub_clock_now;
	assert_int_equal(Stall(0), EFI_SUCCESS);
	assert_true(stub_clock_now - start < 10);
}

/* ---- RaiseTPL and RestoreTPL (7.1.8, 7.1.9) ---- */
static void test_tpl(void **state)
{
	struct ctx c = { .id = 1 };
	EFI_EVENT t = create(EVT_TIMER | EVT_NOTIFY_SIGNAL, CB, &c, NULL);

	assert_int_equal(RaiseTPL(CB), APP);
	assert_int_equal(RaiseTPL(NTF), CB);
	assert_int_equal(RaiseTPL(HIGH), NTF);
	RestoreTPL(NTF);
	RestoreTPL(CB);
	/* Caller bugs are clamped, not obeyed: no lowering by RaiseTPL, no raising by
	 * RestoreTPL, nothing past HIGH_LEVEL or below APPLICATION. */
	assert_int_equal(RaiseTPL(APP), CB);
	assert_int_equal(current_tpl(), CB);
	RestoreTPL(NTF);
	assert_int_equal(current_tpl(), CB);
	assert_int_equal(RaiseTPL(100), CB);
	assert_int_equal(current_tpl(), HIGH);
	RestoreTPL(0);
	assert_int_equal(current_tpl(), APP);

	/* The way back to the application's TPL polls the timers. */
	assert_int_equal(SetTimer(t, TimerRelative, 10), EFI_SUCCESS);
	stub_clock_now += 10;
	EFI_TPL old = RaiseTPL(NTF);
	RestoreTPL(CB);
	assert_int_equal(c.calls, 0);
	RestoreTPL(old);
	assert_int_equal(c.calls, 1);
}

#define T(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_bad_args),
		T(test_create_types),
		T(test_close),
		T(test_signal_runs_at_event_tpl),
		T(test_signal_deferred_until_tpl_drops),
		T(test_signal_order),
		T(test_signal_from_notify),
		T(test_close_in_notify),
		T(test_groups),
		T(test_check_event),
		T(test_check_event_closed_by_notify),
		T(test_wait_for_event),
		T(test_wait_for_timer),
		T(test_timer_relative),
		T(test_timer_periodic),
		T(test_timer_bad_args),
		T(test_timer_signal_state_and_group),
		T(test_timer_closes_itself),
		T(test_stall),
		T(test_tpl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
