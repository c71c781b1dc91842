/* Runtime services before ExitBootServices: time and variables (UEFI 2.10 section 8). */
#include "selftest.h"

#define BS_RT   (EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)
#define NV_BS_RT (EFI_VARIABLE_NON_VOLATILE | BS_RT)

static EFI_GUID var_guid = SELFTEST_GUID(0x50);
static CHAR16 *const names[] = { L"SelftestA", L"SelftestB" };

static BOOLEAN time_valid(const EFI_TIME *t)
{
	return t->Year >= 1900 && t->Year <= 9999 && t->Month >= 1 && t->Month <= 12 &&
	       t->Day >= 1 && t->Day <= 31 && t->Hour < 24 && t->Minute < 60 &&
	       t->Second < 60 && t->Nanosecond < 1000000000 &&
	       (t->TimeZone == EFI_UNSPECIFIED_TIMEZONE ||
		(t->TimeZone >= -1440 && t->TimeZone <= 1440));
}

static enum result get_time(void)
{
	EFI_TIME_CAPABILITIES cap = { 0 };
	EFI_TIME t;

	EXPECT(RT->GetTime(&t, &cap), EFI_SUCCESS);
	if (!time_valid(&t))
		return fail(L"GetTime gave %d-%d-%d %d:%d:%d", (UINTN)t.Year, (UINTN)t.Month,
			    (UINTN)t.Day, (UINTN)t.Hour, (UINTN)t.Minute, (UINTN)t.Second);
	CHECK(cap.Resolution > 0);
	EXPECT(RT->GetTime(NULL, NULL), EFI_INVALID_PARAMETER);
	return PASS;
}

/* Set the time it is (to change nothing), and refuse a time that cannot be. */
static enum result set_time(void)
{
	EFI_TIME t;

	EXPECT(RT->GetTime(&t, NULL), EFI_SUCCESS);
	EXPECT(RT->SetTime(&t), EFI_SUCCESS);
	t.Month = 13;
	EXPECT(RT->SetTime(&t), EFI_INVALID_PARAMETER);
	return PASS;
}

static enum result delete_vars(void)
{
	for (UINTN i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		RT->SetVariable(names[i], &var_guid, 0, 0, NULL);
	return PASS;
}

/* Set, read back with its attributes, overwrite, delete (section 8.2). */
static enum result variable_with(UINT32 attr)
{
	UINT8 data[4] = { 1, 2, 3, 4 }, back[8];
	UINTN size = 0;
	UINT32 got = 0;

	EXPECT(RT->SetVariable(names[0], &var_guid, attr, sizeof(data), data), EFI_SUCCESS);
	EXPECT(RT->GetVariable(names[0], &var_guid, &got, &size, back), EFI_BUFFER_TOO_SMALL);
	CHECK(size == sizeof(data));
	size = sizeof(back);
	EXPECT(RT->GetVariable(names[0], &var_guid, &got, &size, back), EFI_SUCCESS);
	CHECK(size == sizeof(data) && !CompareMem(back, data, sizeof(data)) && got == attr);
	data[0] = 9;
	EXPECT(RT->SetVariable(names[0], &var_guid, attr, 1, data), EFI_SUCCESS);
	size = sizeof(back);
	EXPECT(RT->GetVariable(names[0], &var_guid, NULL, &size, back), EFI_SUCCESS);
	CHECK(size == 1 && back[0] == 9);
	EXPECT(RT->SetVariable(names[0], &var_guid, attr, 0, NULL), EFI_SUCCESS);
	EXPECT(RT->GetVariable(names[0], &var_guid, NULL, &size, back), EFI_NOT_FOUND);
	return PASS;
}

static enum result variable_nv(void)
{
	return variable_with(NV_BS_RT);
}

static enum result variable_volatile(void)
{
	if (variable_with(BS_RT))
		return FAIL;
	return variable_with(EFI_VARIABLE_BOOTSERVICE_ACCESS);
}

static enum result variable_invalid(void)
{
	UINT8 data = 1;
	UINTN size = 1;

	EXPECT(RT->SetVariable(names[0], &var_guid, EFI_VARIABLE_RUNTIME_ACCESS, 1, &data),
	       EFI_INVALID_PARAMETER);
	EXPECT(RT->SetVariable(L"", &var_guid, BS_RT, 1, &data), EFI_INVALID_PARAMETER);
	EXPECT(RT->SetVariable(names[0], &var_guid, BS_RT, 0, NULL), EFI_NOT_FOUND);
	EXPECT(RT->GetVariable(NULL, &var_guid, NULL, &size, &data), EFI_INVALID_PARAMETER);
	EXPECT(RT->GetVariable(names[0], NULL, NULL, &size, &data), EFI_INVALID_PARAMETER);
	EXPECT(RT->GetVariable(names[0], &var_guid, NULL, NULL, &data), EFI_INVALID_PARAMETER);
	return PASS;
}

/* Walk every variable: ours are each met once, then EFI_NOT_FOUND (section 8.2). */
static enum result next_variable_name(void)
{
	CHAR16 *name;
	UINTN cap = sizeof(CHAR16), size, seen[2] = { 0 };
	EFI_STATUS s = EFI_ABORTED;
	EFI_GUID guid;
	UINT8 data = 7;

	for (UINTN i = 0; i < 2; i++)
		EXPECT(RT->SetVariable(names[i], &var_guid, BS_RT, 1, &data), EFI_SUCCESS);
	EXPECT(BS->AllocatePool(EfiLoaderData, cap, (void **)&name), EFI_SUCCESS);
	name[0] = 0;
	for (UINTN n = 0; n < 10000; n++) {
		size = cap;
		s = RT->GetNextVariableName(&size, name, &guid);
		if (s == EFI_BUFFER_TOO_SMALL) {
			CHAR16 *bigger;

			if (size <= cap || BS->AllocatePool(EfiLoaderData, size, (void **)&bigger))
				break;
			CopyMem(bigger, name, cap);
			BS->FreePool(name);
			name = bigger;
			cap = size;
			continue;
		}
		if (s)
			break;
		for (UINTN i = 0; i < 2; i++)
			if (guid_eq(&guid, &var_guid) && !StrCmp(name, names[i]))
				seen[i]++;
	}
	BS->FreePool(name);
	if (s != EFI_NOT_FOUND || seen[0] != 1 || seen[1] != 1)
		return fail(L"walk ended with %r, our variables seen %d and %d times", s,
			    seen[0], seen[1]);
	return PASS;
}

static enum result query_info(void)
{
	UINT64 max = 0, left = 0, biggest = 0;

	EXPECT(RT->QueryVariableInfo(NV_BS_RT, &max, &left, &biggest), EFI_SUCCESS);
	CHECK(max && left <= max && biggest);
	return PASS;
}

const struct selftest runtime_tests[] = {
	{ L"rt.get_time", NULL, get_time },
	{ L"rt.set_time", NULL, set_time },
	{ L"rt.variable_nv", NULL, variable_nv, delete_vars },
	{ L"rt.variable_volatile", NULL, variable_volatile, delete_vars },
	{ L"rt.variable_invalid", NULL, variable_invalid, delete_vars },
	{ L"rt.next_variable_name", NULL, next_variable_name, delete_vars },
	{ L"rt.query_variable_info", NULL, query_info },
	{ NULL }
};
