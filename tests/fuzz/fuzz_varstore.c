/* libFuzzer target for the start-up scan of runtime/varstore.c (through rt_variables_load
 * of runtime/variables.c) on arbitrary flash contents. The first byte picks how the
 * input becomes the bank: as raw contents, or as byte patches (2-byte offset, value) to
 * a valid store holding a few variables. Whatever the bank holds, the load must not
 * crash or hang, the variables it yields must read back, a SetVariable afterwards must
 * never program a bit from 0 to 1 (nor_sim aborts) and its value must survive a restart. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "runtime.h"
#include "../host/nor_sim.h"

#define SECTOR 1024
#define BANK   (VS_SECTORS * SECTOR)
#define NV_BS_RT (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | \
		  EFI_VARIABLE_RUNTIME_ACCESS)

static EFI_GUID vendor = { 0x12345678, 0x1234, 0x1234, { 1, 2, 3, 4, 5, 6, 7, 8 } };
static uint8_t valid[BANK];

static void violation(uint32_t off, uint32_t old, uint32_t word)
{
	abort();
}

static int load(void)
{
	struct vs_flash f = nor_flash();

	return rt_variables_load(&f);
}

/* A store that has been through sets, appends, deletes and one compaction. */
static void make_valid(void)
{
	static uint8_t data[300];

	nor_init(BANK, SECTOR, 0);
	load();
	for (int i = 0; i < 40; i++) {
		CHAR16 name[] = { 'V', 'a', 'r', 'A' + i % 6, 0 };

		memset(data, i, sizeof(data));
		rt_SetVariable(name, &vendor, NV_BS_RT | (i % 5 == 1 ? EFI_VARIABLE_APPEND_WRITE : 0),
			       i % 7 == 3 ? 0 : 10 + i * 7 % 120, data);
	}
	memcpy(valid, nor.mem, BANK);
}

/* Every variable the load found reads back in full. */
static int walk(void)
{
	static uint8_t buf[64 * 1024];
	CHAR16 name[1024] = { 0 };
	EFI_GUID guid;
	int n = 0;

	for (;;) {
		UINTN size = sizeof(name), dsize = sizeof(buf);

		if (rt_GetNextVariableName(&size, name, &guid))
			return n;
		if (rt_GetVariable(name, &guid, NULL, &dsize, buf))
			abort();
		n++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static const CHAR16 probe[] = u"FuzzProbe";
	uint8_t value[100], back[100];
	UINTN bsize = sizeof(back);

	if (!size)
		return 0;
	nor.violation = violation;
	if (!valid[0])
		make_valid();
	nor_init(BANK, SECTOR, 0xff);
	if (in[0] & 1) {
		memcpy(nor.mem, valid, BANK);
		for (size_t i = 1; i + 3 <= size; i += 3)
			nor.mem[(in[i] | in[i + 1] << 8) % BANK] = in[i + 2];
	} else {
		memcpy(nor.mem, in + 1, size - 1 < BANK ? size - 1 : BANK);
	}
	if (load() == VS_ERROR)
		abort();                /* a writable bank is always usable */
	walk();
	memset(value, in[0], sizeof(value));
	if (rt_SetVariable((CHAR16 *)probe, &vendor, NV_BS_RT, sizeof(value), value) ==
	    EFI_SUCCESS) {
		if (load() != VS_OK)
			abort();
		if (rt_GetVariable((CHAR16 *)probe, &vendor, NULL, &bsize, back) ||
		    memcmp(back, value, sizeof(value)))
			abort();
	}
	return 0;
}
