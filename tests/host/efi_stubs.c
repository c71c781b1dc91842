/* What efi/protocol.c and the protocols built on it use from efi/memory.c, efi/event.c
 * and the console, for host tests that install protocols into the real database.
 * Pool buffers come from malloc, so ASan reports any result a test forgets to free. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "efi/core.h"
#include "efi_stubs.h"

bool stub_pool_empty;

void *efi_alloc(UINTN size)
{
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

EFI_STATUS EFIAPI SignalEvent(EFI_EVENT event)
{
	return EFI_SUCCESS;
}

EFI_TPL EFIAPI RaiseTPL(EFI_TPL tpl)
{
	return TPL_APPLICATION;
}

VOID EFIAPI RestoreTPL(EFI_TPL tpl)
{
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *efi_status_str(EFI_STATUS status)
{
	return "EFI_STATUS";
}
