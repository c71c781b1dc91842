/* The firmware's allocators and clock for host tests: the C library's heap, and a clock
 * that moves only when a test says so. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "stubs.h"

int stub_alloc_budget = -1;
bool stub_pool_empty;
UINT64 stub_clock_now, stub_clock_step;

/* Defined by efi/event.c where a test links it. */
__attribute__((weak)) void (*efi_event_close_hook)(EFI_EVENT event);

void *efi_alloc(UINTN size)
{
	if (stub_alloc_budget == 0)
		return NULL;
	if (stub_alloc_budget > 0)
		stub_alloc_budget--;
	return calloc(1, size);
}

void efi_free(void *p)
{
	free(p);
}

EFI_STATUS EFIAPI AllocatePool(EFI_MEMORY_TYPE type, UINTN size, VOID **buf)
{
	assert_int_equal(type, EfiBootServicesData);
	*buf = stub_pool_empty ? NULL : malloc(size);
	return *buf ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
}

EFI_STATUS EFIAPI FreePool(VOID *buf)
{
	free(buf);
	return EFI_SUCCESS;
}

void *efi_pool(UINTN size)
{
	void *p;

	return AllocatePool(EfiBootServicesData, size, &p) ? NULL : p;
}

UINT64 efi_now(void)
{
	UINT64 t = stub_clock_now;

	stub_clock_now += stub_clock_step;
	return t;
}

/* Weak: tests that watch events or the TPL define their own. */
__attribute__((weak)) EFI_STATUS EFIAPI SignalEvent(EFI_EVENT event)
{
	return EFI_SUCCESS;
}

__attribute__((weak)) EFI_TPL EFIAPI RaiseTPL(EFI_TPL tpl)
{
	return TPL_APPLICATION;
}

__attribute__((weak)) VOID EFIAPI RestoreTPL(EFI_TPL tpl)
{
}

/* The log goes to stderr, where a failing test shows it. */
__attribute__((weak)) void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
