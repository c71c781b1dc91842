/* Host tests for the flash store behind the NV variables (runtime/varstore.c through
 * runtime/variables.c) on a simulated NOR flash (nor_sim.h): blank banks are formatted,
 * values survive a restart, and a power cut after any single program or erase step of
 * a long random run of sets, appends and deletes leaves every variable with its old or
 * its new value. Small sectors (4 KiB) make the log fill and compact often. */
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
#include "nor_sim.h"

#define NV_BS_RT (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | \
		  EFI_VARIABLE_RUNTIME_ACCESS)
#define APPEND   EFI_VARIABLE_APPEND_WRITE
#define SECTOR   4096
#define BANK     (4 * SECTOR)
#define NAMES    8
#define MAXVAL   1400

static EFI_GUID vendor[2] = {
	{ 0xaaaaaaaa, 0xaaaa, 0xaaaa, { 1, 2, 3, 4, 5, 6, 7, 8 } },
	{ 0xbbbbbbbb, 0xbbbb, 0xbbbb, { 1, 2, 3, 4, 5, 6, 7, 8 } },
};

static void violation(uint32_t off, uint32_t old, uint32_t word)
{
	fail_msg("program at %#x of %#x over %#x would set bits", off, word, old);
}

static int load(void)
{
	struct vs_flash f = nor_flash();
	long cut = nor.cut;
	int s;

	nor.cut = -1;
	nor.dead = 0;
	s = rt_variables_load(&f);
	nor.cut = cut;
	return s;
}

/* ---- the model: what each variable must hold ---- */

struct value {
	bool exists;
	UINT32 size;
	UINT8 data[MAXVAL];
};

static CHAR16 *name_of(int i)
{
	static CHAR16 names[NAMES][16];

	for (int k = 0; k < 6; k++)
		names[i][k] = u"Var000"[k];
	names[i][5] = '0' + i;
	names[i][6] = 0;
	return names[i];
}

static EFI_GUID *guid_of(int i)
{
	return &vendor[i & 1];
}

static void read_back(int i, struct value *v)
{
	UINTN size = MAXVAL;
	UINT32 attr;
	EFI_STATUS s = rt_GetVariable(name_of(i), guid_of(i), &attr, &size, v->data);

	v->exists = s == EFI_SUCCESS;
	v->size = v->exists ? size : 0;
	if (s != EFI_NOT_FOUND) {
		assert_int_equal(s, EFI_SUCCESS);
		assert_int_equal(attr, NV_BS_RT);
	}
}

static bool same(const struct value *a, const struct value *b)
{
	return a->exists == b->exists && a->size == b->size && !memcmp(a->data, b->data, a->size);
}

static int count_variables(void)
{
	CHAR16 name[64] = { 0 };
	EFI_GUID guid;
	int n = 0;

	for (;;) {
		UINTN size = sizeof(name);

		if (rt_GetNextVariableName(&size, name, &guid))
			return n;
		n++;
	}
}

/* The store holds model exactly, but variable i may hold old or new instead. */
static void check(const struct value *model, int i, const struct value *old,
		  const struct value *new, struct value *seen)
{
	int n = 0;

	for (int k = 0; k < NAMES; k++) {
		struct value v;

		read_back(k, &v);
		n += v.exists;
		if (k == i) {
			if (!same(&v, old) && !same(&v, new))
				fail_msg("variable %d is neither old nor new", k);
			*seen = v;
		} else if (!same(&v, &model[k])) {
			fail_msg("variable %d changed", k);
		}
	}
	assert_int_equal(count_variables(), n);
}

/* ---- one random operation ---- */

struct op {
	int var, kind;          /* 0 set, 1 append, 2 delete */
	UINT32 size;
	UINT8 data[MAXVAL];
};

static void random_op(struct op *op)
{
	op->var = rand() % NAMES;
	op->kind = rand() % 10 < 6 ? 0 : rand() % 4 ? 1 : 2;
	op->size = rand() % 4 ? 1 + rand() % 120 : 1 + rand() % 1000;
	for (UINT32 k = 0; k < op->size; k++)
		op->data[k] = rand();
}

static EFI_STATUS run(const struct op *op)
{
	UINT32 attr = NV_BS_RT | (op->kind == 1 ? APPEND : 0);

	return rt_SetVariable(name_of(op->var), guid_of(op->var), op->kind == 2 ? 0 : attr,
			      op->kind == 2 ? 0 : op->size, (void *)op->data);
}

/* What the operation should make of old, if the store has the room. */
static void expect(const struct op *op, const struct value *old, struct value *new)
{
	*new = *old;
	if (op->kind == 2) {
		new->exists = false;
		new->size = 0;
	} else if (op->kind == 1 && old->exists && old->size + op->size <= MAXVAL) {
		memcpy(new->data + old->size, op->data, op->size);
		new->size += op->size;
	} else if (op->kind == 1 && old->exists) {
		new->size = MAXVAL + 1;         /* too big for the model: the test skips it */
	} else {
		new->exists = true;
		new->size = op->size;
		memcpy(new->data, op->data, op->size);
	}
}

/* Bytes a compacted log needs for the model with variable i as v. */
static UINT32 live_bytes(const struct value *model, int i, const struct value *v)
{
	UINT32 n = 0;

	for (int k = 0; k < NAMES; k++) {
		const struct value *x = k == i ? v : &model[k];

		if (x->exists)
			n += vs_record_size(14, x->size);
	}
	return n;
}

static void test_power_cut_everywhere(void **state)
{
	static struct value model[NAMES], old, new, seen;
	static struct op op;
	static uint8_t snapshot[BANK];
	long cuts = 0, compactions = 0, full = 0;

	srand(12);
	nor.violation = violation;
	nor_init(BANK, SECTOR, 0);
	assert_int_equal(load(), VS_FORMATTED);
	for (int n = 0; n < 250; n++) {
		EFI_STATUS s;
		long steps;

		random_op(&op);
		old = model[op.var];
		expect(&op, &old, &new);
		if (new.size > MAXVAL)
			continue;
		memcpy(snapshot, nor.mem, BANK);
		/* Uncut, to count the steps and check the status. */
		nor.steps = 0;
		s = run(&op);
		steps = nor.steps;
		compactions += steps > 400;
		if (op.kind == 2 && !old.exists) {
			assert_int_equal(s, EFI_NOT_FOUND);
		} else if (live_bytes(model, op.var, &new) > SECTOR - 16) {
			assert_int_equal(s, EFI_OUT_OF_RESOURCES);     /* full after compaction */
			full++;
			new = old;
		} else {
			assert_int_equal(s, EFI_SUCCESS);
		}
		assert_int_equal(load(), VS_OK);
		check(model, op.var, &new, &new, &seen);
		/* Cut after each of its steps, restart, look. */
		for (long c = 0; c < steps; c++, cuts++) {
			memcpy(nor.mem, snapshot, BANK);
			assert_int_equal(load(), VS_OK);
			nor.steps = 0;
			nor.cut = c;
			assert_int_not_equal(run(&op), EFI_SUCCESS);
			nor.cut = -1;
			assert_int_equal(load(), VS_OK);
			check(model, op.var, &old, &new, &seen);
		}
		/* Go on from a cut now and then, so later steps meet torn records. */
		if (steps && rand() % 3 == 0) {
			memcpy(nor.mem, snapshot, BANK);
			assert_int_equal(load(), VS_OK);
			nor.steps = 0;
			nor.cut = rand() % steps;
			run(&op);
			nor.cut = -1;
			assert_int_equal(load(), VS_OK);
			check(model, op.var, &old, &new, &seen);
			new = seen;
		} else if (steps) {
			memcpy(nor.mem, snapshot, BANK);
			assert_int_equal(load(), VS_OK);
			run(&op);
			assert_int_equal(load(), VS_OK);
		}
		model[op.var] = new;
	}
	print_message("%ld power cuts, %ld compactions, %ld out of space\n", cuts, compactions, full);
	assert_true(cuts > 10000 && compactions > 10 && full > 0);
}

/* All zeros (Debian's AAVMF_VARS.fd), all ones, garbage: formatted, then usable. */
static void test_blank_formats(void **state)
{
	static const int fills[] = { 0x00, 0xff, -1 };

	nor.violation = violation;
	for (int i = 0; i < 3; i++) {
		struct value v;

		nor_init(BANK, SECTOR, fills[i]);
		if (fills[i] < 0)
			for (size_t k = 0; k < BANK; k++)
				nor.mem[k] = rand();
		assert_int_equal(load(), VS_FORMATTED);
		assert_int_equal(count_variables(), 0);
		assert_int_equal(rt_SetVariable(name_of(1), guid_of(1), NV_BS_RT, 5, "hello"),
				 EFI_SUCCESS);
		assert_int_equal(load(), VS_OK);
		read_back(1, &v);
		assert_true(v.exists && v.size == 5 && !memcmp(v.data, "hello", 5));
	}
}

/* Garbage after the log: the next write compacts instead of programming over it. */
static void test_dirty_tail(void **state)
{
	struct value v;

	nor.violation = violation;
	nor_init(BANK, SECTOR, 0xff);
	assert_int_equal(load(), VS_FORMATTED);
	assert_int_equal(rt_SetVariable(name_of(2), guid_of(2), NV_BS_RT, 3, "abc"), EFI_SUCCESS);
	nor.mem[SECTOR - 100] = 0x12;
	assert_int_equal(load(), VS_OK);
	assert_int_equal(rt_SetVariable(name_of(3), guid_of(3), NV_BS_RT, 3, "def"), EFI_SUCCESS);
	assert_int_equal(load(), VS_OK);
	read_back(2, &v);
	assert_true(v.exists && v.size == 3 && !memcmp(v.data, "abc", 3));
	read_back(3, &v);
	assert_true(v.exists && v.size == 3 && !memcmp(v.data, "def", 3));
}

/* Volatile variables never reach the flash; the same value again writes nothing. */
static void test_volatile_and_unchanged(void **state)
{
	UINT32 bs = EFI_VARIABLE_BOOTSERVICE_ACCESS;

	nor_init(BANK, SECTOR, 0xff);
	assert_int_equal(load(), VS_FORMATTED);
	nor.steps = 0;
	assert_int_equal(rt_SetVariable(name_of(4), guid_of(4), bs, 3, "abc"), EFI_SUCCESS);
	assert_int_equal(nor.steps, 0);
	assert_int_equal(rt_SetVariable(name_of(5), guid_of(5), NV_BS_RT, 3, "abc"), EFI_SUCCESS);
	assert_int_not_equal(nor.steps, 0);
	nor.steps = 0;
	assert_int_equal(rt_SetVariable(name_of(5), guid_of(5), NV_BS_RT, 3, "abc"), EFI_SUCCESS);
	assert_int_equal(nor.steps, 0);
	assert_int_equal(load(), VS_OK);
	assert_int_equal(count_variables(), 1);
}

/* A read-only drive: load says so, and the store is RAM only. */
static void test_readonly_bank(void **state)
{
	struct value v;

	nor_init(BANK, SECTOR, 0xff);
	assert_int_equal(load(), VS_FORMATTED);
	assert_int_equal(rt_SetVariable(name_of(4), guid_of(4), NV_BS_RT, 3, "old"), EFI_SUCCESS);
	nor.readonly = 1;
	assert_int_equal(load(), VS_ERROR);
	read_back(4, &v);                       /* what the flash held is there */
	assert_true(v.exists && v.size == 3 && !memcmp(v.data, "old", 3));
	assert_int_equal(rt_SetVariable(name_of(5), guid_of(5), NV_BS_RT, 3, "abc"), EFI_SUCCESS);
	assert_null(rt_variables_flash());
	nor_init(BANK, SECTOR, 0);
	nor.readonly = 1;
	assert_int_equal(load(), VS_ERROR);
}

/* QueryVariableInfo counts the flash for NV variables: what a compacted log holds. */
static void test_query_flash(void **state)
{
	static UINT8 big[SECTOR];
	UINT64 max, left, size, left2;

	nor_init(BANK, SECTOR, 0xff);
	assert_int_equal(load(), VS_FORMATTED);
	assert_int_equal(rt_QueryVariableInfo(NV_BS_RT, &max, &left, &size), EFI_SUCCESS);
	assert_int_equal(max, SECTOR - 16);
	assert_int_equal(left, SECTOR - 16);
	assert_int_equal(rt_SetVariable(name_of(1), guid_of(1), NV_BS_RT, 100, big),
			 EFI_SUCCESS);
	assert_int_equal(rt_QueryVariableInfo(NV_BS_RT, &max, &left2, &size), EFI_SUCCESS);
	assert_int_equal(left - left2, vs_record_size(14, 100));
	/* The largest variable it announces fits; one byte more does not. */
	assert_int_equal(rt_SetVariable(name_of(2), guid_of(2), NV_BS_RT, size - 14 + 1, big),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(rt_SetVariable(name_of(2), guid_of(2), NV_BS_RT, size - 14, big),
			 EFI_SUCCESS);
	assert_int_equal(rt_QueryVariableInfo(NV_BS_RT, &max, &left, &size), EFI_SUCCESS);
	assert_int_equal(left, 0);
	assert_int_equal(load(), VS_OK);
	assert_int_equal(count_variables(), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blank_formats),
		cmocka_unit_test(test_dirty_tail),
		cmocka_unit_test(test_volatile_and_unchanged),
		cmocka_unit_test(test_readonly_bank),
		cmocka_unit_test(test_query_flash),
		cmocka_unit_test(test_power_cut_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
