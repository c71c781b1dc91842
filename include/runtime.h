/*
 * The runtime blob (runtime/): everything the OS may still use after ExitBootServices.
 * runtime/ is linked at RT_LINK_BASE (an address only the linker uses) and copied at
 * boot (efi/runtime_setup.c) to an EfiRuntimeServicesCode region with its data
 * RT_DATA_OFFSET bytes above it, in an EfiRuntimeServicesData region; all its references
 * are PC-relative, so the copy runs wherever it lands, and after SetVirtualAddressMap
 * wherever the OS maps it.
 */
#ifndef EFILITE_RUNTIME_H
#define EFILITE_RUNTIME_H

#define RT_LINK_BASE   0x20000000       /* inside virt's PCIe window: never accessed */
#define RT_DATA_OFFSET 0x10000          /* code gets 64 KiB, data follows */

#ifndef __ASSEMBLY__
#include "efitypes.h"

#define RT_MAX_CONFIG_TABLES 32

/* All the runtime state, in the blob's data: the firmware sets it up at boot through
 * rt_state(), the runtime code uses it directly. */
struct rt_state {
	EFI_SYSTEM_TABLE st;
	EFI_RUNTIME_SERVICES rs;
	EFI_CONFIGURATION_TABLE config[RT_MAX_CONFIG_TABLES];
	struct { UINT16 version, length; UINT32 supported; } properties;
	CHAR16 vendor[9];
	UINT64 rtc;                     /* PL031 registers, 0 without one */
	UINT32 psci_conduit;            /* enum psci_conduit */
	UINT32 high_count;              /* GetNextHighMonotonicCount */
	BOOLEAN virtual_mode;           /* SetVirtualAddressMap has been called */
	/* The map SetVirtualAddressMap was given, while it runs (for ConvertPointer). */
	EFI_MEMORY_DESCRIPTOR *vmap;
	UINTN vmap_size, vmap_desc_size;
};

/* efi/runtime_setup.c (boot time): copy the blob to its regions and fill rt_state. */
struct platform;
void efi_runtime_init(const struct platform *p);
/* Install EFI_RT_PROPERTIES_TABLE and the Memory Attributes Table. */
void efi_runtime_tables(void);
/* The blob's copy of a symbol of runtime/ (its link address turned into a RAM one). */
void *rt_ptr(const void *link_address);
#define rt_state() ((struct rt_state *)rt_ptr(&rt))
/* Call a function of the blob from boot-time code: through its copy, never in place. */
#define RT_CALL(fn) ((__typeof__(&fn))rt_ptr(fn))
extern struct rt_state rt;

/* runtime/services.c: time, reset, the virtual address switch */
EFI_STATUS EFIAPI rt_GetTime(EFI_TIME *time, EFI_TIME_CAPABILITIES *cap);
EFI_STATUS EFIAPI rt_SetTime(EFI_TIME *time);
EFI_STATUS EFIAPI rt_GetWakeupTime(BOOLEAN *enabled, BOOLEAN *pending, EFI_TIME *time);
EFI_STATUS EFIAPI rt_SetWakeupTime(BOOLEAN enable, EFI_TIME *time);
EFI_STATUS EFIAPI rt_SetVirtualAddressMap(UINTN size, UINTN desc_size, UINT32 version,
					  EFI_MEMORY_DESCRIPTOR *map);
EFI_STATUS EFIAPI rt_ConvertPointer(UINTN debug, VOID **address);
EFI_STATUS EFIAPI rt_GetNextHighMonotonicCount(UINT32 *count);
EFI_STATUS EFIAPI rt_ResetSystem(EFI_RESET_TYPE type, EFI_STATUS status, UINTN size,
				 CHAR16 *data);
EFI_STATUS EFIAPI rt_UpdateCapsule(EFI_CAPSULE_HEADER **capsules, UINTN count,
				   EFI_PHYSICAL_ADDRESS sg_list);
EFI_STATUS EFIAPI rt_QueryCapsuleCapabilities(EFI_CAPSULE_HEADER **capsules, UINTN count,
					      UINT64 *max_size, EFI_RESET_TYPE *type);
UINT32 rt_crc32(const void *data, UINTN size);

/* runtime/variables.c: the variable services (UEFI 2.10 section 8.2) on one store in the
 * blob's data, which keeps working after ExitBootServices and SetVirtualAddressMap. */
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
 * may hold only NON_VOLATILE, BOOTSERVICE_ACCESS and RUNTIME_ACCESS; size 0 deletes it. */
EFI_STATUS rt_variable_set_readonly(const CHAR16 *name, const EFI_GUID *guid, UINT32 attr,
				    UINTN size, const void *data);
/* Boot time, before any variable is set: the store becomes the NV variables of the
 * log in this flash (runtime/varstore.h), which SetVariable then writes through to.
 * Returns VS_OK, VS_FORMATTED (it was blank), or VS_ERROR: no writable flash (a
 * read-only drive ...): what it held is loaded, but changes stay in RAM. */
struct vs_flash;
int rt_variables_load(const struct vs_flash *flash);
/* In SetVirtualAddressMap: convert the flash's address with convert (ConvertPointer). */
void rt_variables_virtual(EFI_STATUS (*convert)(UINTN debug, VOID **address));
/* The flash rt_variables_load took (NULL without one), for the memory map. */
const struct vs_flash *rt_variables_flash(void);
#endif
#endif
