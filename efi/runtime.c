/*
 * Runtime services (UEFI 2.10 section 8). None is offered after ExitBootServices yet and
 * EFI_RT_PROPERTIES_TABLE says so. Before it, ResetSystem works, the variable store is
 * present but empty and read-only (so "is Secure Boot on?" has its true answer: there is
 * no SecureBoot variable), and the rest return EFI_UNSUPPORTED, as section 8.1 asks of
 * services a platform does not provide.
 */
#include "efi/core.h"
#include "psci.h"

static EFI_STATUS EFIAPI GetTime(EFI_TIME *time, EFI_TIME_CAPABILITIES *cap)
{
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI SetTime(EFI_TIME *time)
{
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI GetWakeupTime(BOOLEAN *enabled, BOOLEAN *pending, EFI_TIME *time)
{
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI SetWakeupTime(BOOLEAN enable, EFI_TIME *time)
{
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI SetVirtualAddressMap(UINTN size, UINTN desc_size, UINT32 version,
					      EFI_MEMORY_DESCRIPTOR *map)
{
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI ConvertPointer(UINTN debug, VOID **address)
{
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI GetVariable(CHAR16 *name, EFI_GUID *guid, UINT32 *attr,
				     UINTN *size, VOID *data)
{
	if (!name || !guid || !size || (*size && !data))
		return EFI_INVALID_PARAMETER;
	return EFI_NOT_FOUND;
}

static EFI_STATUS EFIAPI GetNextVariableName(UINTN *size, CHAR16 *name, EFI_GUID *guid)
{
	if (!size || !name || !guid)
		return EFI_INVALID_PARAMETER;
	return EFI_NOT_FOUND;
}

static EFI_STATUS EFIAPI SetVariable(CHAR16 *name, EFI_GUID *guid, UINT32 attr, UINTN size,
				     VOID *data)
{
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI GetNextHighMonotonicCount(UINT32 *count)
{
	return EFI_UNSUPPORTED;
}

/* VOID in the spec; gnu-efi's prototype returns EFI_STATUS. It never returns anyway. */
static EFI_STATUS EFIAPI ResetSystem(EFI_RESET_TYPE type, EFI_STATUS status, UINTN size,
				     CHAR16 *data)
{
	if (type == EfiResetShutdown)
		psci_system_off();
	psci_system_reset();
}

static EFI_STATUS EFIAPI UpdateCapsule(EFI_CAPSULE_HEADER **capsules, UINTN count,
				       EFI_PHYSICAL_ADDRESS sg_list)
{
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI QueryCapsuleCapabilities(EFI_CAPSULE_HEADER **capsules, UINTN count,
						  UINT64 *max_size, EFI_RESET_TYPE *type)
{
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI QueryVariableInfo(UINT32 attr, UINT64 *max_storage, UINT64 *remaining,
					   UINT64 *max_size)
{
	return EFI_UNSUPPORTED;
}

EFI_RUNTIME_SERVICES efi_rs = {
	.Hdr = { EFI_RUNTIME_SERVICES_SIGNATURE, EFI_2_100_SYSTEM_TABLE_REVISION,
		 sizeof(EFI_RUNTIME_SERVICES), 0, 0 },
	.GetTime = GetTime,
	.SetTime = SetTime,
	.GetWakeupTime = GetWakeupTime,
	.SetWakeupTime = SetWakeupTime,
	.SetVirtualAddressMap = SetVirtualAddressMap,
	.ConvertPointer = ConvertPointer,
	.GetVariable = GetVariable,
	.GetNextVariableName = GetNextVariableName,
	.SetVariable = SetVariable,
	.GetNextHighMonotonicCount = GetNextHighMonotonicCount,
	.ResetSystem = ResetSystem,
	.UpdateCapsule = UpdateCapsule,
	.QueryCapsuleCapabilities = QueryCapsuleCapabilities,
	.QueryVariableInfo = QueryVariableInfo,
};
