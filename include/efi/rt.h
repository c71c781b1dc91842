/*
 * The variable services (UEFI 2.10 section 8.2), runtime code in efi/rt/variables.c:
 * one volatile store in the runtime blob's data, which keeps working after
 * ExitBootServices and SetVirtualAddressMap.
 */
#ifndef EFILITE_EFI_RT_H
#define EFILITE_EFI_RT_H

#include "efitypes.h"

EFI_STATUS EFIAPI rt_GetVariable(CHAR16 *name, EFI_GUID *guid, UINT32 *attr, UINTN *size,
				 VOID *data);
EFI_STATUS EFIAPI rt_GetNextVariableName(UINTN *size, CHAR16 *name, EFI_GUID *guid);
EFI_STATUS EFIAPI rt_SetVariable(CHAR16 *name, EFI_GUID *guid, UINT32 attr, UINTN size,
				 VOID *data);
EFI_STATUS EFIAPI rt_QueryVariableInfo(UINT32 attr, UINT64 *max_storage, UINT64 *remaining,
				       UINT64 *max_size);

/* At ExitBootServices: variables without EFI_VARIABLE_RUNTIME_ACCESS disappear. */
void rt_variables_exit_boot_services(void);

/* Firmware-side, at boot: create or replace a variable that SetVariable then refuses
 * with EFI_WRITE_PROTECTED (SecureBoot, SetupMode, OsIndicationsSupported ...). attr
 * may hold only NON_VOLATILE, BOOTSERVICE_ACCESS and RUNTIME_ACCESS. */
EFI_STATUS rt_variable_set_readonly(const CHAR16 *name, const EFI_GUID *guid, UINT32 attr,
				    UINTN size, const void *data);

/* Boot time, before any variable is set: the store becomes the NV variables of the
 * log in this flash (efi/rt/varstore.h), which SetVariable then writes through to.
 * Returns VS_OK, VS_FORMATTED (it was blank), or VS_ERROR: no writable flash (a
 * read-only drive ...): what it held is loaded, but changes stay in RAM. */
struct vs_flash;
int rt_variables_load(const struct vs_flash *flash);
/* In SetVirtualAddressMap: convert the flash's address with convert (ConvertPointer). */
void rt_variables_virtual(EFI_STATUS (*convert)(UINTN debug, VOID **address));
/* The flash rt_variables_load took (NULL without one), for the memory map. */
const struct vs_flash *rt_variables_flash(void);

#endif
