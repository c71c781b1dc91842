/*
 * Events, timers and task priority levels (UEFI 2.10 section 7.1). There are no
 * interrupts: timers fire when efi_timer_poll() runs (from Stall, CheckEvent, WaitForEvent,
 * RestoreTPL back to TPL_APPLICATION, and wherever the core waits), and notify functions
 * run when the TPL drops below theirs. An EFI_EVENT is a pointer to a struct event, only
 * dereferenced once found in the event list.
 */
#include "log.h"
#include "efi/core.h"
#ifndef HOST_TEST
#include "sysreg.h"
#include "timer.h"
#endif

struct event {
	struct event *next;             /* all events, in creation order */
	struct event *queue_next;       /* pending notifications */
	UINT32 type;
	EFI_TPL tpl;
	EFI_EVENT_NOTIFY fn;
	VOID *ctx;
	bool signaled, queued, grouped;
	EFI_GUID group;
	EFI_TIMER_DELAY timer;          /* TimerCancel: not armed */
	UINT64 trigger, period;         /* 100 ns units */
};

void (*efi_event_close_hook)(EFI_EVENT event);
static struct event *events;
static struct event *queue;             /* by TPL, highest first, then in signal order */
static EFI_TPL cur_tpl = TPL_APPLICATION;

#ifndef HOST_TEST
UINT64 efi_now(void)
{
	return counter_scale(read_sysreg(cntpct_el0), read_sysreg(cntfrq_el0), 10000000);
}
#endif

static UINT64 add_sat(UINT64 a, UINT64 b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static struct event *find_event(EFI_EVENT event)
{
	for (struct event *e = events; e; e = e->next)
		if (e == event)
			return e;
	return NULL;
}

static void queue_notify(struct event *e)
{
	struct event **pp = &queue;

	if (e->queued)
		return;
	while (*pp && (*pp)->tpl >= e->tpl)
		pp = &(*pp)->queue_next;
	e->queue_next = *pp;
	*pp = e;
	e->queued = true;
}

/* The signal functions run at TPL_HIGH_LEVEL: notify functions wait for RestoreTPL. A
 * notify-signal event's signalled state is its pending notification. */
static void signal(struct event *e)
{
	if (e->type & EVT_NOTIFY_SIGNAL)
		queue_notify(e);
	else
		e->signaled = true;
}

static void signal_group(const EFI_GUID *group)
{
	for (struct event *e = events; e; e = e->next)
		if (e->grouped && efi_guid_eq(&e->group, group))
			signal(e);
}

/* Signalling one event of a group signals them all (section 7.1.4). */
static void signal_event(struct event *e)
{
	if (e->grouped)
		signal_group(&e->group);
	else
		signal(e);
}

static void fire_timers(void)
{
	UINT64 now = efi_now();

	for (struct event *e = events; e; e = e->next) {
		if (e->timer == TimerCancel || e->trigger > now)
			continue;
		if (e->timer == TimerRelative) {
			e->timer = TimerCancel;
		} else {
			e->trigger = add_sat(e->trigger, e->period);
			/* One that fell behind fires once, not once per period missed. */
			if (e->trigger <= now)
				e->trigger = add_sat(now, e->period);
		}
		signal_event(e);
	}
}

/* A lower TPL is a caller bug the spec leaves undefined: stay where we are. */
EFI_TPL EFIAPI RaiseTPL(EFI_TPL tpl)
{
	EFI_TPL old = cur_tpl;

	if (tpl < old || tpl > TPL_HIGH_LEVEL) {
		debug("RaiseTPL(%lu) at TPL %lu\n", tpl, old);
		tpl = tpl < old ? old : TPL_HIGH_LEVEL;
	}
	cur_tpl = tpl;
	return old;
}

/*
 * Runs the pending notify functions above tpl, highest TPL first, each at its own TPL.
 * Timers are polled only on the way back to TPL_APPLICATION: polling in every nested
 * RestoreTPL would let a zero-period timer whose notify function calls boot services
 * re-queue itself forever.
 */
VOID EFIAPI RestoreTPL(EFI_TPL tpl)
{
	if (tpl > cur_tpl || tpl < TPL_APPLICATION) {
		debug("RestoreTPL(%lu) at TPL %lu\n", tpl, cur_tpl);
		tpl = tpl > cur_tpl ? cur_tpl : TPL_APPLICATION;
	}
	cur_tpl = TPL_HIGH_LEVEL;
	if (tpl == TPL_APPLICATION)
		fire_timers();
	while (queue && queue->tpl > tpl) {
		struct event *e = queue;

		queue = e->queue_next;
		e->queued = false;
		cur_tpl = e->tpl;
		e->fn(e, e->ctx);               /* may close e */
		cur_tpl = TPL_HIGH_LEVEL;
	}
	cur_tpl = tpl;
}

void efi_timer_poll(void)
{
	EFI_TPL old = RaiseTPL(TPL_HIGH_LEVEL);

	fire_timers();
	RestoreTPL(old);
}

/* Any mix of TIMER, RUNTIME and one notify kind, or one of the two types that stand for
 * an event group (section 7.1.1). */
static bool type_valid(UINT32 type)
{
	const UINT32 both = EVT_NOTIFY_WAIT | EVT_NOTIFY_SIGNAL;

	if (type == EVT_SIGNAL_EXIT_BOOT_SERVICES || type == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE)
		return true;
	return !(type & ~(EVT_TIMER | EVT_RUNTIME | both)) && (type & both) != both;
}

EFI_STATUS EFIAPI CreateEventEx(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn,
				const VOID *ctx, const EFI_GUID *group, EFI_EVENT *event)
{
	static const EFI_GUID va_change = EFI_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE_GUID;
	struct event *e, **tail = &events;

	if (!event || !type_valid(type))
		return EFI_INVALID_PARAMETER;
	if ((type & (EVT_NOTIFY_WAIT | EVT_NOTIFY_SIGNAL)) &&
	    (!fn || tpl <= TPL_APPLICATION || tpl >= TPL_HIGH_LEVEL))
		return EFI_INVALID_PARAMETER;
	/* The old way to join these two groups; CreateEventEx names the group instead. */
	if (type == EVT_SIGNAL_EXIT_BOOT_SERVICES || type == EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE) {
		if (group)
			return EFI_INVALID_PARAMETER;
		group = type == EVT_SIGNAL_EXIT_BOOT_SERVICES ? &efi_exit_boot_services_guid : &va_change;
	}
	e = efi_alloc(sizeof(*e));      /* zeroed: not queued, not signalled, TimerCancel */
	if (!e)
		return EFI_OUT_OF_RESOURCES;
	e->type = type;
	e->tpl = tpl;
	e->fn = fn;
	e->ctx = (VOID *)ctx;
	if (group) {
		e->grouped = true;
		e->group = *group;
	}
	while (*tail)
		tail = &(*tail)->next;
	*tail = e;
	*event = e;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI CreateEvent(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn, VOID *ctx,
			      EFI_EVENT *event)
{
	return CreateEventEx(type, tpl, fn, ctx, NULL, event);
}

/* Also valid from the event's own notify function: RestoreTPL no longer holds it. */
EFI_STATUS EFIAPI CloseEvent(EFI_EVENT event)
{
	struct event *e = find_event(event), **pp;

	if (!e)
		return EFI_INVALID_PARAMETER;
	if (efi_event_close_hook)
		efi_event_close_hook(event);
	for (pp = &queue; *pp; pp = &(*pp)->queue_next) {
		if (*pp == e) {
			*pp = e->queue_next;
			break;
		}
	}
	for (pp = &events; *pp != e; pp = &(*pp)->next)
		;
	*pp = e->next;
	efi_free(e);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI SignalEvent(EFI_EVENT event)
{
	struct event *e = find_event(event);
	EFI_TPL old;

	if (!e)
		return EFI_INVALID_PARAMETER;
	old = RaiseTPL(TPL_HIGH_LEVEL);
	signal_event(e);
	RestoreTPL(old);
	return EFI_SUCCESS;
}

void efi_signal_group(const EFI_GUID *group)
{
	EFI_TPL old = RaiseTPL(TPL_HIGH_LEVEL);

	signal_group(group);
	RestoreTPL(old);
}

/* CheckEvent without the timer poll (section 7.1.6): a waiting event's notify function
 * runs first, and may signal it. */
static EFI_STATUS check(EFI_EVENT event)
{
	struct event *e = find_event(event);

	if (!e || (e->type & EVT_NOTIFY_SIGNAL))
		return EFI_INVALID_PARAMETER;
	if (!e->signaled && (e->type & EVT_NOTIFY_WAIT)) {
		EFI_TPL old = RaiseTPL(TPL_HIGH_LEVEL);

		queue_notify(e);
		RestoreTPL(old);
		if (!find_event(event))         /* the notify function closed it */
			return EFI_INVALID_PARAMETER;
	}
	if (!e->signaled)
		return EFI_NOT_READY;
	e->signaled = false;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI CheckEvent(EFI_EVENT event)
{
	efi_timer_poll();
	return check(event);
}

/* Busy-polls: there is no interrupt to sleep until. */
EFI_STATUS EFIAPI WaitForEvent(UINTN count, EFI_EVENT *event, UINTN *index)
{
	if (!count || !event || !index)
		return EFI_INVALID_PARAMETER;
	if (cur_tpl != TPL_APPLICATION)
		return EFI_UNSUPPORTED;
	for (;;) {
		efi_timer_poll();
		for (UINTN i = 0; i < count; i++) {
			EFI_STATUS s = check(event[i]);

			if (s != EFI_NOT_READY) {
				*index = i;
				return s;
			}
		}
	}
}

/* Arming again replaces the previous setting (section 7.1.7). */
EFI_STATUS EFIAPI SetTimer(EFI_EVENT event, EFI_TIMER_DELAY type, UINT64 time)
{
	struct event *e = find_event(event);

	if (!e || !(e->type & EVT_TIMER) || (UINT32)type > TimerRelative)
		return EFI_INVALID_PARAMETER;
	e->timer = type;
	e->period = time;
	e->trigger = add_sat(efi_now(), time);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI Stall(UINTN us)
{
	UINT64 end = add_sat(efi_now(), us < UINT64_MAX / 10 ? us * 10 : UINT64_MAX);

	while (efi_now() < end)
		efi_timer_poll();
	return EFI_SUCCESS;
}
