/* Host unit tests for runtime/variables.c, with UEFI 2.10 section 8.2 as the oracle (and
 * EDK2's variable driver where the spec leaves a status open). The store is the one
 * static store of the file under test: every boot-time test leaves it as it found it,
 * and the runtime tests come last, after ExitBootServices. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "runtime.h"
#include "util.h"

#define NV        EFI_VARIABLE_NON_VOLATILE
#define BS        EFI_VARIABLE_BOOTSERVICE_ACCESS
#define RT        EFI_VARIABLE_RUNTIME_ACCESS
#define APPEND    EFI_VARIABLE_APPEND_WRITE
#define NV_BS_RT  (NV | BS | RT)
#define STORE     (32 * 1024)
#define HEADER    32                    /* a record's header, as QueryVariableInfo counts */

static EFI_GUID vendor_a = { 0xaaaaaaaa, 0xaaaa, 0xaaaa, { 1, 2, 3, 4, 5, 6, 7, 8 } };
static EFI_GUID vendor_b = { 0xbbbbbbbb, 0xbbbb, 0xbbbb, { 1, 2, 3, 4, 5, 6, 7, 8 } };
static EFI_GUID global = EFI_GLOBAL_VARIABLE;
static UINT8 zero;

/* ---- helpers ---- */

static EFI_STATUS set(CHAR16 *name, EFI_GUID *guid, UINT32 attr, const char *value)
{
	return rt_SetVariable(name, guid, attr, strlen(value), (void *)value);
}

/* The variable's value, as a string, and its attributes; asserts it exists. */
static const char *get(CHAR16 *name, EFI_GUID *guid, UINT32 *attr)
{
	static char buf[STORE];
	UINTN size = sizeof(buf) - 1;

	assert_int_equal(rt_GetVariable(name, guid, attr, &size, buf), EFI_SUCCESS);
	buf[size] = 0;
	return buf;
}

static bool exists(CHAR16 *name, EFI_GUID *guid)
{
	UINTN size = 0;

	return rt_GetVariable(name, guid, NULL, &size, NULL) == EFI_BUFFER_TOO_SMALL;
}

static UINT64 remaining(void)
{
	UINT64 max_storage, left, max_size;

	assert_int_equal(rt_QueryVariableInfo(NV_BS_RT, &max_storage, &left, &max_size),
			 EFI_SUCCESS);
	return left;
}

static UINTN strlen16(const CHAR16 *s)
{
	UINTN n = 0;

	while (s[n])
		n++;
	return n;
}

static UINTN record(UINTN name_chars, UINTN data_size)
{
	return (HEADER + (name_chars + 1) * 2 + data_size + 7) & ~7ul;
}

/* Delete every variable SetVariable may delete: the tests' own. */
static int clear(void **state)
{
	CHAR16 name[STORE / 2];
	EFI_GUID guid;
	UINTN size;

	name[0] = 0;
	for (;;) {
		size = sizeof(name);
		EFI_STATUS s = rt_GetNextVariableName(&size, name, &guid);

		if (s == EFI_NOT_FOUND)
			return 0;
		assert_int_equal(s, EFI_SUCCESS);
		if (rt_SetVariable(name, &guid, 0, 0, NULL) == EFI_SUCCESS)
			name[0] = 0;            /* the walk's place is gone: start again */
	}
}

/* The platform's read-only variables, as the firmware makes them at boot. */
static int platform_variables(void **state)
{
	assert_int_equal(rt_variable_set_readonly(u"SecureBoot", &global, BS | RT, 1, &zero),
			 EFI_SUCCESS);
	assert_int_equal(rt_variable_set_readonly(u"PlatformLangCodes", &global, BS | RT, 6,
						  "en-US"), EFI_SUCCESS);
	return 0;
}

/* ---- GetVariable and SetVariable ---- */

static void test_set_get(void **state)
{
	UINT32 attr = 0;

	assert_int_equal(set(u"Foo", &vendor_a, NV_BS_RT, "hello"), EFI_SUCCESS);
	assert_int_equal(set(u"Foo", &vendor_b, BS, "other vendor"), EFI_SUCCESS);
	assert_int_equal(set(u"Bar", &vendor_a, BS | RT, "bar"), EFI_SUCCESS);
	assert_string_equal(get(u"Foo", &vendor_a, &attr), "hello");
	assert_int_equal(attr, NV_BS_RT);
	assert_string_equal(get(u"Foo", &vendor_b, &attr), "other vendor");
	assert_int_equal(attr, BS);
	assert_string_equal(get(u"Bar", &vendor_a, NULL), "bar");

	/* Replacing with longer and shorter values leaves the neighbours alone. */
	assert_int_equal(set(u"Foo", &vendor_a, NV_BS_RT, "a much longer value"), EFI_SUCCESS);
	assert_string_equal(get(u"Foo", &vendor_a, NULL), "a much longer value");
	assert_int_equal(set(u"Foo", &vendor_a, NV_BS_RT, "x"), EFI_SUCCESS);
	assert_string_equal(get(u"Foo", &vendor_a, NULL), "x");
	assert_string_equal(get(u"Foo", &vendor_b, NULL), "other vendor");
	assert_string_equal(get(u"Bar", &vendor_a, NULL), "bar");
}

static void test_get_statuses(void **state)
{
	char buf[8];
	UINT32 attr = 0;
	UINTN size = sizeof(buf);

	assert_int_equal(set(u"Foo", &vendor_a, BS | RT, "hello"), EFI_SUCCESS);
	assert_int_equal(rt_GetVariable(NULL, &vendor_a, NULL, &size, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_GetVariable(u"Foo", NULL, NULL, &size, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_GetVariable(u"Foo", &vendor_a, NULL, NULL, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_GetVariable(u"Foo", &vendor_a, NULL, &size, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_GetVariable(u"Foo", &vendor_b, NULL, &size, buf), EFI_NOT_FOUND);
	assert_int_equal(rt_GetVariable(u"", &vendor_a, NULL, &size, buf), EFI_NOT_FOUND);
	/* Names match whole, never as a prefix either way. */
	assert_int_equal(rt_GetVariable(u"Fo", &vendor_a, NULL, &size, buf), EFI_NOT_FOUND);
	assert_int_equal(rt_GetVariable(u"Fooo", &vendor_a, NULL, &size, buf), EFI_NOT_FOUND);

	/* Too small: the size needed, and the attributes too (UEFI 2.8 and later). */
	size = 4;
	assert_int_equal(rt_GetVariable(u"Foo", &vendor_a, &attr, &size, buf), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 5);
	assert_int_equal(attr, BS | RT);
	size = 0;
	assert_int_equal(rt_GetVariable(u"Foo", &vendor_a, NULL, &size, NULL), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 5);
	size = sizeof(buf);
	assert_int_equal(rt_GetVariable(u"Foo", &vendor_a, NULL, &size, buf), EFI_SUCCESS);
	assert_int_equal(size, 5);
	assert_memory_equal(buf, "hello", 5);
}

static void test_set_invalid(void **state)
{
	static const struct { UINT32 attr; EFI_STATUS status; } bad[] = {
		{ RT, EFI_INVALID_PARAMETER },                  /* runtime implies boot services */
		{ NV | RT, EFI_INVALID_PARAMETER },
		{ NV, EFI_INVALID_PARAMETER },                  /* no access at all */
		{ NV | APPEND, EFI_INVALID_PARAMETER },
		{ BS | 0x80, EFI_INVALID_PARAMETER },           /* a reserved bit */
		{ BS | 0x80000000, EFI_INVALID_PARAMETER },
		{ NV_BS_RT | EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS, EFI_INVALID_PARAMETER },
		{ NV_BS_RT | EFI_VARIABLE_HARDWARE_ERROR_RECORD, EFI_INVALID_PARAMETER },
		/* Deprecated: UNSUPPORTED, before any other check (UEFI 2.10, EDK2). */
		{ NV_BS_RT | EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS, EFI_UNSUPPORTED },
		{ RT | EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS, EFI_UNSUPPORTED },
	};

	assert_int_equal(set(NULL, &vendor_a, BS, "x"), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"", &vendor_a, BS, "x"), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"Foo", NULL, BS, "x"), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_SetVariable(u"Foo", &vendor_a, BS, 1, NULL), EFI_INVALID_PARAMETER);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(set(u"Foo", &vendor_a, bad[i].attr, "x"), bad[i].status);
		assert_false(exists(u"Foo", &vendor_a));
	}
	/* The same refusals for a variable that exists, which stays as it was. */
	assert_int_equal(set(u"Foo", &vendor_a, NV_BS_RT, "keep"), EFI_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(set(u"Foo", &vendor_a, bad[i].attr, "x"), bad[i].status);
	assert_string_equal(get(u"Foo", &vendor_a, NULL), "keep");
}

static void test_delete(void **state)
{
	assert_int_equal(set(u"Foo", &vendor_a, BS, "x"), EFI_SUCCESS);
	assert_int_equal(rt_SetVariable(u"Foo", &vendor_a, BS, 0, NULL), EFI_SUCCESS);
	assert_false(exists(u"Foo", &vendor_a));
	assert_int_equal(rt_SetVariable(u"Foo", &vendor_a, BS, 0, NULL), EFI_NOT_FOUND);

	/* No access attributes delete too, data or not. */
	assert_int_equal(set(u"Foo", &vendor_a, NV_BS_RT, "x"), EFI_SUCCESS);
	assert_int_equal(set(u"Foo", &vendor_a, 0, "ignored"), EFI_SUCCESS);
	assert_false(exists(u"Foo", &vendor_a));
	assert_int_equal(set(u"Foo", &vendor_a, 0, "ignored"), EFI_NOT_FOUND);
	assert_false(exists(u"Foo", &vendor_a));

	/* Deleting with other attributes than the variable's is a change of attributes. */
	assert_int_equal(set(u"Foo", &vendor_a, NV_BS_RT, "x"), EFI_SUCCESS);
	assert_int_equal(rt_SetVariable(u"Foo", &vendor_a, BS, 0, NULL), EFI_INVALID_PARAMETER);
	assert_true(exists(u"Foo", &vendor_a));
	assert_int_equal(rt_SetVariable(u"Foo", &vendor_a, NV_BS_RT, 0, NULL), EFI_SUCCESS);
	assert_false(exists(u"Foo", &vendor_a));
}

static void test_attributes_fixed(void **state)
{
	UINT32 attr;

	assert_int_equal(set(u"Foo", &vendor_a, BS | RT, "old"), EFI_SUCCESS);
	assert_int_equal(set(u"Foo", &vendor_a, NV_BS_RT, "new"), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"Foo", &vendor_a, BS, "new"), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"Foo", &vendor_a, APPEND, "new"), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"Foo", &vendor_a, NV_BS_RT | APPEND, "new"), EFI_INVALID_PARAMETER);
	assert_string_equal(get(u"Foo", &vendor_a, &attr), "old");
	assert_int_equal(attr, BS | RT);
}

static void test_append(void **state)
{
	UINT32 attr;

	assert_int_equal(set(u"Foo", &vendor_a, NV_BS_RT, "abc"), EFI_SUCCESS);
	assert_int_equal(set(u"Bar", &vendor_a, BS, "neighbour"), EFI_SUCCESS);
	assert_int_equal(set(u"Foo", &vendor_a, NV_BS_RT | APPEND, "def"), EFI_SUCCESS);
	assert_string_equal(get(u"Foo", &vendor_a, &attr), "abcdef");
	assert_int_equal(attr, NV_BS_RT);               /* APPEND_WRITE is no attribute */
	assert_int_equal(rt_SetVariable(u"Foo", &vendor_a, NV_BS_RT | APPEND, 0, NULL), EFI_SUCCESS);
	assert_string_equal(get(u"Foo", &vendor_a, NULL), "abcdef");
	assert_string_equal(get(u"Bar", &vendor_a, NULL), "neighbour");

	/* Appending creates; appending nothing to nothing creates nothing. */
	assert_int_equal(set(u"New", &vendor_a, BS | APPEND, "first"), EFI_SUCCESS);
	assert_string_equal(get(u"New", &vendor_a, &attr), "first");
	assert_int_equal(attr, BS);
	assert_int_equal(rt_SetVariable(u"None", &vendor_a, BS | APPEND, 0, NULL), EFI_SUCCESS);
	assert_false(exists(u"None", &vendor_a));
	/* Without access attributes an append is no delete, and creates nothing. */
	assert_int_equal(set(u"None", &vendor_a, APPEND, "x"), EFI_NOT_FOUND);
	assert_false(exists(u"None", &vendor_a));
}

static void test_names(void **state)
{
	CHAR16 name[301];

	for (int i = 0; i < 300; i++)
		name[i] = 'A' + i % 26;
	name[300] = 0;
	assert_int_equal(set(name, &vendor_a, BS, "long"), EFI_SUCCESS);
	assert_string_equal(get(name, &vendor_a, NULL), "long");
	name[299] = 0;
	assert_false(exists(name, &vendor_a));

	/* Characters beyond Latin-1: compared as whole UCS-2 characters. */
	assert_int_equal(set(u"A\u0100", &vendor_a, BS, "wide"), EFI_SUCCESS);
	assert_false(exists(u"A", &vendor_a));
	assert_false(exists(u"A\u0101", &vendor_a));
	assert_false(exists(u"A\u0200", &vendor_a));
	assert_string_equal(get(u"A\u0100", &vendor_a, NULL), "wide");
}

/* ---- read-only platform variables ---- */

static void test_readonly(void **state)
{
	UINT32 attr;
	UINT8 one = 1;

	assert_int_equal(get(u"SecureBoot", &global, &attr)[0], 0);
	assert_int_equal(attr, BS | RT);
	assert_int_equal(rt_SetVariable(u"SecureBoot", &global, BS | RT, 1, &one), EFI_WRITE_PROTECTED);
	assert_int_equal(rt_SetVariable(u"SecureBoot", &global, NV_BS_RT, 1, &one), EFI_WRITE_PROTECTED);
	assert_int_equal(rt_SetVariable(u"SecureBoot", &global, BS | RT | APPEND, 1, &one),
			 EFI_WRITE_PROTECTED);
	assert_int_equal(rt_SetVariable(u"SecureBoot", &global, BS | RT, 0, NULL), EFI_WRITE_PROTECTED);
	assert_int_equal(rt_SetVariable(u"SecureBoot", &global, 0, 0, NULL), EFI_WRITE_PROTECTED);
	assert_int_equal(get(u"SecureBoot", &global, NULL)[0], 0);
	/* Only the name and GUID together are protected. */
	assert_int_equal(rt_SetVariable(u"SecureBoot", &vendor_a, BS, 1, &one), EFI_SUCCESS);

	/* The firmware replaces its own, attributes included. */
	assert_int_equal(rt_variable_set_readonly(u"PlatformLangCodes", &global, NV | BS | RT, 9,
						  "en;fr-FR"), EFI_SUCCESS);
	assert_string_equal(get(u"PlatformLangCodes", &global, &attr), "en;fr-FR");
	assert_int_equal(attr, NV_BS_RT);
	assert_int_equal(rt_variable_set_readonly(u"PlatformLangCodes", &global, BS | RT, 6,
						  "en-US"), EFI_SUCCESS);
	assert_string_equal(get(u"PlatformLangCodes", &global, &attr), "en-US");
	assert_int_equal(attr, BS | RT);
	assert_int_equal(set(u"PlatformLangCodes", &global, BS | RT, "de"), EFI_WRITE_PROTECTED);

	assert_int_equal(rt_variable_set_readonly(NULL, &global, BS, 1, &one), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_variable_set_readonly(u"", &global, BS, 1, &one), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_variable_set_readonly(u"X", NULL, BS, 1, &one), EFI_INVALID_PARAMETER);
	/* size 0 deletes one of the firmware's own, and nothing the OS made */
	assert_int_equal(rt_variable_set_readonly(u"X", &global, BS, 0, NULL), EFI_SUCCESS);
	assert_int_equal(rt_variable_set_readonly(u"Gone", &global, BS, 1, &one), EFI_SUCCESS);
	assert_int_equal(rt_variable_set_readonly(u"Gone", &global, 0, 0, NULL), EFI_SUCCESS);
	assert_false(exists(u"Gone", &global));
	assert_int_equal(set(u"Mine", &global, BS | RT, "x"), EFI_SUCCESS);
	assert_int_equal(rt_variable_set_readonly(u"Mine", &global, 0, 0, NULL),
			 EFI_WRITE_PROTECTED);
	assert_string_equal(get(u"Mine", &global, &attr), "x");
	assert_int_equal(rt_SetVariable(u"Mine", &global, 0, 0, NULL), EFI_SUCCESS);
	assert_int_equal(rt_variable_set_readonly(u"X", &global, BS, 1, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_variable_set_readonly(u"X", &global, RT, 1, &one), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_variable_set_readonly(u"X", &global, BS | APPEND, 1, &one),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(rt_variable_set_readonly(u"X", &global, BS | EFI_VARIABLE_HARDWARE_ERROR_RECORD,
						  1, &one), EFI_INVALID_PARAMETER);
	assert_false(exists(u"X", &global));
}

/* ---- GetNextVariableName ---- */

struct seen { CHAR16 *name; EFI_GUID *guid; int count; };

/* Walk all variables, counting each in seen[]; returns how many calls it took. */
static int walk(struct seen *seen, int n)
{
	CHAR16 name[64] = { 0 };
	EFI_GUID guid = vendor_b;       /* ignored with an empty name */
	int calls = 0;

	for (;;) {
		UINTN size = sizeof(name);
		EFI_STATUS s = rt_GetNextVariableName(&size, name, &guid);

		if (s == EFI_NOT_FOUND)
			return calls;
		assert_int_equal(s, EFI_SUCCESS);
		assert_int_equal(size, (strlen16(name) + 1) * 2);
		calls++;
		for (int i = 0; i < n; i++)
			if (!memcmp(&guid, seen[i].guid, sizeof(guid)) &&
			    strlen16(seen[i].name) == strlen16(name) &&
			    !memcmp(name, seen[i].name, size))
				seen[i].count++;
	}
}

static void test_enumerate(void **state)
{
	struct seen seen[] = {
		{ u"SecureBoot", &global, 0 }, { u"PlatformLangCodes", &global, 0 },
		{ u"Foo", &vendor_a, 0 }, { u"Foo", &vendor_b, 0 }, { u"Bar", &vendor_a, 0 },
		{ u"Boot0001", &global, 0 }, { u"A", &vendor_b, 0 },
	};
	int n = ARRAY_SIZE(seen);

	for (int i = 2; i < n; i++)
		assert_int_equal(set(seen[i].name, seen[i].guid, i % 2 ? BS : NV_BS_RT, "v"),
				 EFI_SUCCESS);
	assert_int_equal(walk(seen, n), n);
	for (int i = 0; i < n; i++)
		assert_int_equal(seen[i].count, 1);

	/* A deleted variable drops out, the others stay, each once. */
	assert_int_equal(rt_SetVariable(u"Foo", &vendor_a, 0, 0, NULL), EFI_SUCCESS);
	for (int i = 0; i < n; i++)
		seen[i].count = 0;
	assert_int_equal(walk(seen, n), n - 1);
	for (int i = 0; i < n; i++)
		assert_int_equal(seen[i].count, i == 2 ? 0 : 1);
}

static void test_next_statuses(void **state)
{
	CHAR16 name[32] = { 0 };
	EFI_GUID guid;
	UINTN size = sizeof(name);

	assert_int_equal(rt_GetNextVariableName(NULL, name, &guid), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_GetNextVariableName(&size, NULL, &guid), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_GetNextVariableName(&size, name, NULL), EFI_INVALID_PARAMETER);

	/* The NUL must lie within *size. */
	assert_int_equal(set(u"Foo", &vendor_a, BS, "x"), EFI_SUCCESS);
	assert_int_equal(set(u"LongerName", &vendor_a, BS, "x"), EFI_SUCCESS);
	size = 0;
	assert_int_equal(rt_GetNextVariableName(&size, name, &guid), EFI_INVALID_PARAMETER);
	size = 1;
	assert_int_equal(rt_GetNextVariableName(&size, name, &guid), EFI_INVALID_PARAMETER);
	memcpy(name, u"Foo", 8);
	guid = vendor_a;
	size = 6;
	assert_int_equal(rt_GetNextVariableName(&size, name, &guid), EFI_INVALID_PARAMETER);

	/* Too small: the size needed; the buffer and GUID untouched. */
	size = 8;
	assert_int_equal(rt_GetNextVariableName(&size, name, &guid), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 22);
	assert_memory_equal(name, u"Foo", 8);
	assert_memory_equal(&guid, &vendor_a, sizeof(guid));
	assert_int_equal(rt_GetNextVariableName(&size, name, &guid), EFI_SUCCESS);
	assert_int_equal(size, 22);
	assert_memory_equal(name, u"LongerName", 22);
	size = sizeof(name);
	assert_int_equal(rt_GetNextVariableName(&size, name, &guid), EFI_NOT_FOUND);

	/* Continuing from something that is not a variable. */
	memcpy(name, u"Nope", 10);
	size = sizeof(name);
	assert_int_equal(rt_GetNextVariableName(&size, name, &guid), EFI_INVALID_PARAMETER);
	memcpy(name, u"Foo", 8);
	guid = vendor_b;
	assert_int_equal(rt_GetNextVariableName(&size, name, &guid), EFI_INVALID_PARAMETER);
}

/* ---- space: QueryVariableInfo and a full store ---- */

static void test_query(void **state)
{
	UINT64 max_storage, left, max_size;
	static const UINT32 good[] = { BS, BS | RT, NV | BS, NV_BS_RT, NV_BS_RT | APPEND };
	static const struct { UINT32 attr; EFI_STATUS status; } bad[] = {
		{ 0, EFI_INVALID_PARAMETER },
		{ NV, EFI_INVALID_PARAMETER },
		{ RT, EFI_INVALID_PARAMETER },
		{ NV | RT, EFI_INVALID_PARAMETER },
		{ BS | 0x80, EFI_UNSUPPORTED },
		{ NV_BS_RT | EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS, EFI_UNSUPPORTED },
		{ NV_BS_RT | EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS, EFI_UNSUPPORTED },
		{ NV_BS_RT | EFI_VARIABLE_HARDWARE_ERROR_RECORD, EFI_UNSUPPORTED },
	};

	assert_int_equal(rt_QueryVariableInfo(BS, NULL, &left, &max_size), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_QueryVariableInfo(BS, &max_storage, NULL, &max_size), EFI_INVALID_PARAMETER);
	assert_int_equal(rt_QueryVariableInfo(BS, &max_storage, &left, NULL), EFI_INVALID_PARAMETER);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(rt_QueryVariableInfo(bad[i].attr, &max_storage, &left, &max_size),
				 bad[i].status);
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(rt_QueryVariableInfo(good[i], &max_storage, &left, &max_size),
				 EFI_SUCCESS);
		assert_int_equal(max_storage, STORE);
		assert_true(left < STORE);      /* the platform variables */
		assert_int_equal(max_size, left - HEADER);
	}

	/* Every record costs exactly what the numbers say. */
	left = remaining();
	assert_int_equal(set(u"Foo", &vendor_a, BS, "12345"), EFI_SUCCESS);
	assert_int_equal(remaining(), left - record(3, 5));
	assert_int_equal(set(u"Foo", &vendor_a, BS | APPEND, "6789012345"), EFI_SUCCESS);
	assert_int_equal(remaining(), left - record(3, 15));
	assert_int_equal(set(u"Foo", &vendor_a, 0, ""), EFI_SUCCESS);
	assert_int_equal(remaining(), left);
}

static void test_store_full(void **state)
{
	static UINT8 big[STORE];
	UINT64 max_storage, left, max_size, start = remaining();
	CHAR16 name[] = u"Fill00";
	int n = 0;
	EFI_STATUS s;

	/* A variable of exactly the largest size fits, one byte more does not. */
	assert_int_equal(rt_QueryVariableInfo(BS, &max_storage, &left, &max_size), EFI_SUCCESS);
	assert_int_equal(rt_SetVariable(u"Big", &vendor_a, BS, max_size - 8 + 1, big),
			 EFI_OUT_OF_RESOURCES);
	assert_false(exists(u"Big", &vendor_a));
	assert_int_equal(rt_SetVariable(u"Big", &vendor_a, BS, max_size - 8, big), EFI_SUCCESS);
	assert_int_equal(remaining(), 0);
	assert_int_equal(rt_QueryVariableInfo(BS, &max_storage, &left, &max_size), EFI_SUCCESS);
	assert_int_equal(max_size, 0);
	assert_int_equal(set(u"Foo", &vendor_a, BS, "x"), EFI_OUT_OF_RESOURCES);
	assert_int_equal(rt_SetVariable(u"Big", &vendor_a, BS, 0, NULL), EFI_SUCCESS);
	assert_int_equal(remaining(), start);

	/* Sizes that would wrap around are refused, not stored. */
	assert_int_equal(rt_SetVariable(u"Huge", &vendor_a, BS, SIZE_MAX, big), EFI_OUT_OF_RESOURCES);
	assert_int_equal(rt_SetVariable(u"Huge", &vendor_a, BS, SIZE_MAX - 40, big),
			 EFI_OUT_OF_RESOURCES);

	/* Fill with 1 KiB variables; the one that does not fit changes nothing. */
	do {
		name[4] = '0' + n / 10;
		name[5] = '0' + n % 10;
		s = rt_SetVariable(name, &vendor_a, NV_BS_RT, 1024, big);
	} while (s == EFI_SUCCESS && ++n < 100);
	assert_int_equal(s, EFI_OUT_OF_RESOURCES);
	assert_int_equal(n, start / record(6, 1024));
	assert_false(exists(name, &vendor_a));
	assert_int_equal(remaining(), start - n * record(6, 1024));

	/* Growing or appending past the end fails and keeps the old value. */
	assert_int_equal(rt_SetVariable(u"Fill00", &vendor_a, NV_BS_RT, 4096, big),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(rt_SetVariable(u"Fill00", &vendor_a, NV_BS_RT | APPEND, 2048, big),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(set(u"Fill00", &vendor_a, NV_BS_RT, "small"), EFI_SUCCESS);
	assert_string_equal(get(u"Fill00", &vendor_a, NULL), "small");
	assert_string_equal(get(u"SecureBoot", &global, NULL), "");
}

/* ---- after ExitBootServices ---- */

static int exit_boot_services(void **state)
{
	UINT8 one = 1;

	platform_variables(state);
	assert_int_equal(set(u"BsOnly", &vendor_a, BS, "bs"), EFI_SUCCESS);
	assert_int_equal(set(u"NvBs", &vendor_a, NV | BS, "nvbs"), EFI_SUCCESS);
	assert_int_equal(set(u"RtVolatile", &vendor_a, BS | RT, "rt"), EFI_SUCCESS);
	assert_int_equal(set(u"RtNv", &vendor_a, NV_BS_RT, "rtnv"), EFI_SUCCESS);
	assert_int_equal(rt_variable_set_readonly(u"Hidden", &global, BS, 1, &one), EFI_SUCCESS);
	rt_variables_exit_boot_services();
	return 0;
}

static void test_runtime_visibility(void **state)
{
	struct seen seen[] = {
		{ u"SecureBoot", &global, 0 }, { u"PlatformLangCodes", &global, 0 },
		{ u"RtVolatile", &vendor_a, 0 }, { u"RtNv", &vendor_a, 0 },
		{ u"BsOnly", &vendor_a, 0 }, { u"NvBs", &vendor_a, 0 }, { u"Hidden", &global, 0 },
	};
	CHAR16 name[16];
	EFI_GUID guid = vendor_a;
	UINTN size = sizeof(name);
	char buf[8];

	assert_int_equal(rt_GetVariable(u"BsOnly", &vendor_a, NULL, &size, buf), EFI_NOT_FOUND);
	assert_int_equal(rt_GetVariable(u"NvBs", &vendor_a, NULL, &size, buf), EFI_NOT_FOUND);
	assert_int_equal(rt_GetVariable(u"Hidden", &global, NULL, &size, buf), EFI_NOT_FOUND);
	assert_string_equal(get(u"RtVolatile", &vendor_a, NULL), "rt");
	assert_string_equal(get(u"RtNv", &vendor_a, NULL), "rtnv");

	assert_int_equal(walk(seen, 7), 4);
	for (int i = 0; i < 7; i++)
		assert_int_equal(seen[i].count, i < 4);
	memcpy(name, u"BsOnly", 14);
	assert_int_equal(rt_GetNextVariableName(&size, name, &guid), EFI_INVALID_PARAMETER);
}

static void test_runtime_set(void **state)
{
	UINT32 attr;

	/* Hidden variables are not gone: they cannot be changed, deleted or shadowed. */
	assert_int_equal(set(u"BsOnly", &vendor_a, BS, "x"), EFI_WRITE_PROTECTED);
	assert_int_equal(set(u"BsOnly", &vendor_a, NV_BS_RT, "x"), EFI_WRITE_PROTECTED);
	assert_int_equal(set(u"BsOnly", &vendor_a, 0, ""), EFI_WRITE_PROTECTED);
	assert_int_equal(set(u"NvBs", &vendor_a, NV | BS, "x"), EFI_WRITE_PROTECTED);
	/* Runtime variables that are not NV are read-only now. */
	assert_int_equal(set(u"RtVolatile", &vendor_a, BS | RT, "x"), EFI_WRITE_PROTECTED);
	assert_int_equal(set(u"RtVolatile", &vendor_a, BS | RT | APPEND, "x"), EFI_WRITE_PROTECTED);
	assert_int_equal(set(u"RtVolatile", &vendor_a, 0, ""), EFI_WRITE_PROTECTED);
	assert_string_equal(get(u"RtVolatile", &vendor_a, NULL), "rt");
	assert_int_equal(set(u"RtVolatile", &vendor_a, NV_BS_RT, "x"), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"SecureBoot", &global, BS | RT, "x"), EFI_WRITE_PROTECTED);

	/* Only NV runtime variables can be created. */
	assert_int_equal(set(u"New", &vendor_a, BS, "x"), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"New", &vendor_a, NV | BS, "x"), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"New", &vendor_a, BS | RT, "x"), EFI_INVALID_PARAMETER);
	assert_false(exists(u"New", &vendor_a));
	assert_int_equal(set(u"New", &vendor_a, NV_BS_RT, "efivarfs"), EFI_SUCCESS);
	assert_string_equal(get(u"New", &vendor_a, &attr), "efivarfs");
	assert_int_equal(attr, NV_BS_RT);

	/* ... and updated, appended to and deleted. */
	assert_int_equal(set(u"RtNv", &vendor_a, NV_BS_RT, "updated"), EFI_SUCCESS);
	assert_int_equal(set(u"RtNv", &vendor_a, NV_BS_RT | APPEND, "+more"), EFI_SUCCESS);
	assert_string_equal(get(u"RtNv", &vendor_a, NULL), "updated+more");
	assert_int_equal(set(u"RtNv", &vendor_a, BS | RT, "x"), EFI_INVALID_PARAMETER);
	assert_int_equal(set(u"RtNv", &vendor_a, 0, ""), EFI_SUCCESS);
	assert_false(exists(u"RtNv", &vendor_a));
	assert_int_equal(set(u"New", &vendor_a, NV_BS_RT, ""), EFI_SUCCESS);
	assert_false(exists(u"New", &vendor_a));
}

static void test_runtime_query(void **state)
{
	UINT64 max_storage, left, max_size;

	assert_int_equal(rt_QueryVariableInfo(BS, &max_storage, &left, &max_size),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(rt_QueryVariableInfo(NV | BS, &max_storage, &left, &max_size),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(rt_QueryVariableInfo(BS | RT, &max_storage, &left, &max_size), EFI_SUCCESS);
	assert_int_equal(rt_QueryVariableInfo(NV_BS_RT, &max_storage, &left, &max_size), EFI_SUCCESS);
	assert_int_equal(max_storage, STORE);
	/* Hidden variables still take their space. */
	assert_int_equal(left, STORE - record(10, 1) - record(17, 6) - record(6, 2) -
			 record(4, 4) - record(10, 2) - record(6, 1));
}

int main(void)
{
	const struct CMUnitTest boot[] = {
		cmocka_unit_test_teardown(test_set_get, clear),
		cmocka_unit_test_teardown(test_get_statuses, clear),
		cmocka_unit_test_teardown(test_set_invalid, clear),
		cmocka_unit_test_teardown(test_delete, clear),
		cmocka_unit_test_teardown(test_attributes_fixed, clear),
		cmocka_unit_test_teardown(test_append, clear),
		cmocka_unit_test_teardown(test_names, clear),
		cmocka_unit_test_teardown(test_readonly, clear),
		cmocka_unit_test_teardown(test_enumerate, clear),
		cmocka_unit_test_teardown(test_next_statuses, clear),
		cmocka_unit_test_teardown(test_query, clear),
		cmocka_unit_test_teardown(test_store_full, clear),
	};
	const struct CMUnitTest runtime[] = {
		cmocka_unit_test(test_runtime_visibility),
		cmocka_unit_test(test_runtime_set),
		cmocka_unit_test(test_runtime_query),
	};
	int failed = cmocka_run_group_tests_name("boot services", boot, platform_variables, NULL);

	failed += cmocka_run_group_tests_name("after ExitBootServices", runtime,
					      exit_boot_services, NULL);
	return failed ? 1 : 0;
}
