/*
 * The runtime blob: everything the OS may still use after ExitBootServices. efi/rt/
 * is linked at RT_LINK_BASE (an address only the linker uses) and copied at boot to an
 * EfiRuntimeServicesCode region with its data RT_DATA_OFFSET bytes above it, in an
 * EfiRuntimeServicesData region; all its references are PC-relative, so the copy runs
 * wherever it lands, and after SetVirtualAddressMap wherever the OS maps it.
 */
#ifndef EFILITE_EFI_RUNTIME_H
#define EFILITE_EFI_RUNTIME_H

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

/* efi/runtime.c (boot time): copy the blob to its regions and fill rt_state. */
struct platform;
void efi_runtime_init(const struct platform *p);
/* Install EFI_RT_PROPERTIES_TABLE and the Memory Attributes Table. */
void efi_runtime_tables(void);
/* The blob's copy of a symbol of efi/rt/ (its link address turned into a RAM one). */
void *rt_ptr(const void *link_address);
#define rt_state() ((struct rt_state *)rt_ptr(&rt))
/* Call a function of the blob from boot-time code: through its copy, never in place. */
#define RT_CALL(fn) ((__typeof__(&fn))rt_ptr(fn))
extern struct rt_state rt;

/* efi/rt/runtime.c */
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
#endif
#endif
