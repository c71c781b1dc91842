/* GetTime and SetTime (runtime/services.c) on a fake PL031: the calendar maths between
 * the RTC's seconds since 1970 and EFI_TIME, at the dates where such code goes wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "runtime.h"

static uint32_t pl031[4];               /* DR at 0x0, MR, LR at 0x8 */

/* services.c's SetVirtualAddressMap reaches into the variable store; this test has none. */
const struct vs_flash *rt_variables_flash(void) { return NULL; }
void rt_variables_virtual(EFI_STATUS (*convert)(UINTN debug, VOID **address)) { (void)convert; }

static int setup(void **state)
{
	rt.rtc = (UINT64)(uintptr_t)pl031;
	return 0;
}

static EFI_TIME at(uint32_t secs)
{
	EFI_TIME t;

	pl031[0] = secs;
	assert_int_equal(rt_GetTime(&t, NULL), EFI_SUCCESS);
	return t;
}

/* Every field against the C library's own UTC calendar. */
static void check(uint32_t secs)
{
	time_t tt = secs;
	struct tm tm;
	EFI_TIME t = at(secs);

	gmtime_r(&tt, &tm);
	assert_int_equal(t.Year, tm.tm_year + 1900);
	assert_int_equal(t.Month, tm.tm_mon + 1);
	assert_int_equal(t.Day, tm.tm_mday);
	assert_int_equal(t.Hour, tm.tm_hour);
	assert_int_equal(t.Minute, tm.tm_min);
	assert_int_equal(t.Second, tm.tm_sec);
	assert_int_equal(t.TimeZone, EFI_UNSPECIFIED_TIMEZONE);
	/* and back: SetTime loads the same count */
	pl031[2] = 0;
	assert_int_equal(rt_SetTime(&t), EFI_SUCCESS);
	assert_int_equal(pl031[2], secs);
}

static void test_calendar(void **state)
{
	static const uint32_t dates[] = {
		0,                      /* 1970-01-01 00:00:00 */
		951782399, 951782400,   /* 2000-02-28 23:59:59, 2000-02-29 (400-year leap) */
		951868800,              /* 2000-03-01 */
		1078012800,             /* 2004-02-29 */
		2147483647, 2147483648u, /* the 32-bit signed edge, 2038-01-19 */
		4107542399u,            /* 2100-02-28 23:59:59 (2100 is not a leap year) */
		4107542400u,            /* 2100-03-01 */
		4294967295u,            /* 2106-02-07 06:28:15, the PL031's last second */
	};

	for (unsigned i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
		check(dates[i]);
	for (uint32_t s = 0; s < 4200000000u; s += 86400 * 37 + 3601)
		check(s);
}

static void test_invalid_times(void **state)
{
	EFI_TIME t = at(951782400);             /* 2000-02-29 */

	t.Year = 1900;                          /* not a leap year, and before the RTC */
	assert_int_equal(rt_SetTime(&t), EFI_INVALID_PARAMETER);
	t = at(951782400);
	t.Year = 2100;
	assert_int_equal(rt_SetTime(&t), EFI_INVALID_PARAMETER);     /* 2100-02-29 */
	t = at(0);
	t.Month = 13;
	assert_int_equal(rt_SetTime(&t), EFI_INVALID_PARAMETER);
	t = at(4294967295u);                    /* 2106-02-07 06:28:15, the last second */
	t.Second++;                             /* past what 32 bits of seconds hold */
	assert_int_equal(rt_SetTime(&t), EFI_INVALID_PARAMETER);
	t = at(0);
	t.Year = 2107;
	assert_int_equal(rt_SetTime(&t), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_GetTime(NULL, NULL), EFI_INVALID_PARAMETER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_calendar, setup),
		cmocka_unit_test_setup(test_invalid_times, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
