/*
 * The UEFI core's internal interface. Boot services keep the names the UEFI
 * specification gives them, so a reader can look each one up; everything here is
 * called with the standard AAPCS64 convention (EFIAPI is empty on arm64).
 */
#ifndef EFILITE_EFI_CORE_H
#define EFILITE_EFI_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "efitypes.h"

/* GUIDs and constants the spec (or Linux) defines that gnu-efi 3.0.15 lacks. */
#define EFI_2_100_SYSTEM_TABLE_REVISION ((2 << 16) | 100)
#ifndef EFI_MEMORY_RO
#define EFI_MEMORY_RO 0x20000ULL        /* read-only (UEFI 2.5 and later) */
#endif
#define EFI_DEVICE_TREE_GUID \
	{ 0xb1b621d5, 0xf19c, 0x41a5, { 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0 } }
#define EFI_RT_PROPERTIES_TABLE_GUID \
	{ 0xeb66918a, 0x7eef, 0x402a, { 0x84, 0x2e, 0x93, 0x1d, 0x21, 0xc3, 0x8a, 0xe9 } }
#define EFI_LOAD_FILE2_PROTOCOL_GUID \
	{ 0x4006c0c1, 0xfcb3, 0x403e, { 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } }
#define LINUX_EFI_INITRD_MEDIA_GUID \
	{ 0x5568e427, 0x68fc, 0x4f3d, { 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 } }
#define LINUX_EFI_LOADED_IMAGE_FIXED_GUID \
	{ 0xf5a37b6d, 0x3344, 0x42a5, { 0xb6, 0xbb, 0x97, 0x86, 0x48, 0xc1, 0x89, 0x0a } }
#define EFI_MEMORY_ATTRIBUTES_TABLE_GUID \
	{ 0xdcfa911d, 0x26eb, 0x469f, { 0xa2, 0x20, 0x38, 0xb7, 0xdc, 0x46, 0x12, 0x20 } }
#define EFI_EVENT_GROUP_EXIT_BOOT_SERVICES_GUID \
	{ 0x27abf055, 0xb1b8, 0x4c26, { 0x80, 0x48, 0x74, 0x8f, 0x37, 0xba, 0xa2, 0xdf } }
#define EFI_EVENT_GROUP_BEFORE_EXIT_BOOT_SERVICES_GUID \
	{ 0x8be0e274, 0x3970, 0x4b44, { 0x80, 0xc5, 0x1a, 0xb9, 0x50, 0x2f, 0x3b, 0xfc } }
#define EFI_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE_GUID \
	{ 0x13fa7698, 0xc831, 0x49c7, { 0x87, 0xea, 0x8f, 0x43, 0xfc, 0xc2, 0x51, 0x96 } }
#define EFI_EVENT_GROUP_MEMORY_MAP_CHANGE_GUID \
	{ 0x78bee926, 0x692f, 0x48fd, { 0x9e, 0xdb, 0x01, 0x42, 0x2e, 0xf0, 0xd7, 0xab } }
#define EFI_EVENT_GROUP_READY_TO_BOOT_GUID \
	{ 0x7ce88fb3, 0x4bd7, 0x4679, { 0x87, 0xa8, 0xa8, 0xd8, 0xde, 0xe5, 0x0d, 0x2b } }

/* ---- efi/memory.c: memory services, and memory for the core's own records ---- */
void *efi_alloc(UINTN size);            /* zeroed EfiBootServicesData pool; NULL if none */
void efi_free(void *p);
/* A buffer handed to an EFI caller, who frees it with FreePool: AllocatePool's
 * EfiBootServicesData, not zeroed; NULL if none. */
void *efi_pool(UINTN size);
EFI_STATUS EFIAPI AllocatePages(EFI_ALLOCATE_TYPE type, EFI_MEMORY_TYPE mtype,
				UINTN pages, EFI_PHYSICAL_ADDRESS *addr);
EFI_STATUS EFIAPI FreePages(EFI_PHYSICAL_ADDRESS addr, UINTN pages);
EFI_STATUS EFIAPI GetMemoryMap(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key,
			       UINTN *desc_size, UINT32 *desc_version);
EFI_STATUS EFIAPI AllocatePool(EFI_MEMORY_TYPE type, UINTN size, VOID **buf);
EFI_STATUS EFIAPI FreePool(VOID *buf);
/* EfiLoaderCode from AllocatePages becomes flip pages (mm/wx.c) while on. */
void efi_memory_flip_code(bool on);

/* ---- efi/protocol.c: the handle and protocol database ---- */
EFI_STATUS EFIAPI InstallProtocolInterface(EFI_HANDLE *handle, EFI_GUID *protocol,
					   EFI_INTERFACE_TYPE type, VOID *interface);
EFI_STATUS EFIAPI UninstallProtocolInterface(EFI_HANDLE handle, EFI_GUID *protocol,
					     VOID *interface);
EFI_STATUS EFIAPI ReinstallProtocolInterface(EFI_HANDLE handle, EFI_GUID *protocol,
					     VOID *old, VOID *new);
EFI_STATUS EFIAPI InstallMultipleProtocolInterfaces(EFI_HANDLE *handle, ...);
EFI_STATUS EFIAPI UninstallMultipleProtocolInterfaces(EFI_HANDLE handle, ...);
EFI_STATUS EFIAPI HandleProtocol(EFI_HANDLE handle, EFI_GUID *protocol, VOID **interface);
EFI_STATUS EFIAPI OpenProtocol(EFI_HANDLE handle, EFI_GUID *protocol, VOID **interface,
			       EFI_HANDLE agent, EFI_HANDLE controller, UINT32 attributes);
EFI_STATUS EFIAPI CloseProtocol(EFI_HANDLE handle, EFI_GUID *protocol, EFI_HANDLE agent,
				EFI_HANDLE controller);
EFI_STATUS EFIAPI OpenProtocolInformation(EFI_HANDLE handle, EFI_GUID *protocol,
					  EFI_OPEN_PROTOCOL_INFORMATION_ENTRY **entries,
					  UINTN *count);
EFI_STATUS EFIAPI ProtocolsPerHandle(EFI_HANDLE handle, EFI_GUID ***protocols, UINTN *count);
EFI_STATUS EFIAPI RegisterProtocolNotify(EFI_GUID *protocol, EFI_EVENT event,
					 VOID **registration);
EFI_STATUS EFIAPI LocateHandle(EFI_LOCATE_SEARCH_TYPE type, EFI_GUID *protocol,
			       VOID *key, UINTN *size, EFI_HANDLE *buffer);
EFI_STATUS EFIAPI LocateHandleBuffer(EFI_LOCATE_SEARCH_TYPE type, EFI_GUID *protocol,
				     VOID *key, UINTN *count, EFI_HANDLE **buffer);
EFI_STATUS EFIAPI LocateProtocol(EFI_GUID *protocol, VOID *registration, VOID **interface);
EFI_STATUS EFIAPI LocateDevicePath(EFI_GUID *protocol, EFI_DEVICE_PATH **path,
				   EFI_HANDLE *device);
bool efi_handle_valid(EFI_HANDLE handle);
void efi_protocol_event_closed(EFI_EVENT event);   /* drops its RegisterProtocolNotify */
static inline bool efi_guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return !memcmp(a, b, sizeof(*a));
}
/* Device path size including the end node (efi/protocol.c); 0 when malformed. */
UINTN efi_devpath_size(const EFI_DEVICE_PATH *path);

/* ---- efi/event.c: events, timers, task priority ---- */
EFI_STATUS EFIAPI CreateEvent(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn, VOID *ctx,
			      EFI_EVENT *event);
EFI_STATUS EFIAPI CreateEventEx(UINT32 type, EFI_TPL tpl, EFI_EVENT_NOTIFY fn,
				const VOID *ctx, const EFI_GUID *group, EFI_EVENT *event);
EFI_STATUS EFIAPI CloseEvent(EFI_EVENT event);
EFI_STATUS EFIAPI SignalEvent(EFI_EVENT event);
EFI_STATUS EFIAPI WaitForEvent(UINTN count, EFI_EVENT *events, UINTN *index);
EFI_STATUS EFIAPI CheckEvent(EFI_EVENT event);
EFI_STATUS EFIAPI SetTimer(EFI_EVENT event, EFI_TIMER_DELAY type, UINT64 time_100ns);
EFI_TPL EFIAPI RaiseTPL(EFI_TPL tpl);
VOID EFIAPI RestoreTPL(EFI_TPL tpl);
EFI_STATUS EFIAPI Stall(UINTN microseconds);
/* Called by CloseEvent before the event goes: the protocol database sets it to drop
 * the RegisterProtocolNotify registrations made with the event. */
extern void (*efi_event_close_hook)(EFI_EVENT event);
/* Signal every event of a group (ExitBootServices, ReadyToBoot ...). */
void efi_signal_group(const EFI_GUID *group);
/* Fire due timers and run pending notifications; called wherever the core waits. */
void efi_timer_poll(void);
/* 100 ns units since the machine started (the generic counter); a hook on the host. */
UINT64 efi_now(void);

/* ---- efi/simple_text.c: ConIn and ConOut on the PL011 ---- */
extern SIMPLE_TEXT_OUTPUT_INTERFACE efi_conout;
extern SIMPLE_INPUT_INTERFACE efi_conin;
EFI_STATUS efi_simple_text_init(EFI_HANDLE *handle);   /* installs both on a new handle */

/* ---- efi/acpi.c, efi/smbios.c: QEMU's ACPI and SMBIOS tables from fw_cfg ---- */
void efi_acpi_init(void);
void efi_smbios_init(void);

/* ---- efi/global_vars.c: the globally defined variables the OS expects ---- */
void efi_global_vars_init(void);
void efi_global_vars_boot_option(const EFI_DEVICE_PATH *path, const CHAR16 *description);
void efi_boot_current(int number);      /* BootCurrent; -1 deletes it (no Boot#### runs) */
/* An EFI_GLOBAL_VARIABLE in new efi_alloc memory with its size, or NULL (absent). */
void *efi_global_var(const CHAR16 *name, UINTN *size);
void efi_global_var_delete(const CHAR16 *name);          /* logs a failure */

/* ---- efi/var_flash.c: the NV variables in cfi-flash bank 1 ---- */
struct platform;
void efi_var_flash_init(const struct platform *p);  /* before any variable is set */
void efi_var_flash_fdt(void *fdt);   /* the OS's device tree: the flash is ours */

/* ---- efi/memattr.c: EFI_MEMORY_ATTRIBUTE_PROTOCOL on the live translation tables ---- */
struct region;
/* ram: the RAM regions (kept, not copied), the only memory whose attributes change. */
EFI_STATUS efi_memattr_init(const struct region *ram, unsigned nr_ram);

/* ---- efi/devpath.c: EFI_DEVICE_PATH_UTILITIES_PROTOCOL ---- */
EFI_STATUS efi_devpath_init(void);
/* The protocol's members, for the core's own use: results in new pool memory. */
EFI_DEVICE_PATH *EFIAPI AppendDeviceNode(const EFI_DEVICE_PATH *path, const EFI_DEVICE_PATH *node);
EFI_DEVICE_PATH *EFIAPI AppendDevicePath(const EFI_DEVICE_PATH *src1,
					 const EFI_DEVICE_PATH *src2);
EFI_STATUS efi_devpath_text_init(void);   /* efi/devpath_text.c: to and from text */

/* ---- efi/rng.c ---- */
EFI_STATUS efi_rng_init(const UINT8 *seed, UINTN len);   /* installs EFI_RNG_PROTOCOL */
/* Random bytes for the firmware's own use (KASLR placement). */
void efi_random(void *buf, UINTN len);

/* ---- efi/devicetree.c: QEMU's device tree as a configuration table ---- */
void efi_install_fdt(const void *fdt);

/* ---- efi/systab.c: the system table's configuration tables, CRC32 ---- */
extern EFI_SYSTEM_TABLE *efi_st;       /* boot/main.c sets it up */
EFI_STATUS EFIAPI InstallConfigurationTable(EFI_GUID *guid, VOID *table);
EFI_STATUS EFIAPI CalculateCrc32(VOID *data, UINTN size, UINT32 *crc);
void efi_table_crc(EFI_TABLE_HEADER *hdr);   /* recompute a table header's CRC32 */

/* ---- efi/boot_services.c: the boot services table, ExitBootServices, misc services ---- */
extern EFI_BOOT_SERVICES efi_bs;
void efi_boot_services_init(void);
EFI_STATUS EFIAPI ExitBootServices(EFI_HANDLE image, UINTN map_key);

/* ---- efi/status.c ---- */
/* Name of an EFI_STATUS, for messages ("EFI_NOT_FOUND"). */
const char *efi_status_str(EFI_STATUS status);

/* ---- efi/guids.c: the GUIDs more than one file names ---- */
extern EFI_GUID efi_device_path_guid, efi_load_file2_guid, efi_exit_boot_services_guid,
	efi_device_tree_guid, efi_simple_fs_guid, efi_file_info_guid,
	efi_device_path_to_text_guid, efi_block_io_guid, efi_loaded_image_guid;

/* ---- efi/image.c: LoadImage, StartImage, Exit, UnloadImage, LoadedImage ---- */
EFI_STATUS EFIAPI LoadImage(BOOLEAN boot_policy, EFI_HANDLE parent, EFI_DEVICE_PATH *path,
			    VOID *buffer, UINTN size, EFI_HANDLE *image);
EFI_STATUS EFIAPI StartImage(EFI_HANDLE image, UINTN *exit_data_size, CHAR16 **exit_data);
EFI_STATUS EFIAPI Exit(EFI_HANDLE image, EFI_STATUS status, UINTN exit_data_size,
		       CHAR16 *exit_data);
EFI_STATUS EFIAPI UnloadImage(EFI_HANDLE image);
extern EFI_HANDLE efi_firmware_handle;     /* EFI-lite's own image handle */
void efi_image_init(void);
struct pe_image;
/* Make an image already in place at base (loaded, relocated) an EFI image: section
 * permissions, LoadedImage and LoadedImageDevicePath on a new handle. */
EFI_STATUS efi_image_create(const struct pe_image *pe, UINT64 base, UINTN pages,
			    EFI_HANDLE parent, EFI_DEVICE_PATH *path, EFI_HANDLE *handle,
			    EFI_LOADED_IMAGE **loaded);

/* ---- efi/load_file.c: files named by device paths, through SimpleFileSystem ---- */
/* Read the file path names (a device with SimpleFileSystem, then FILEPATH nodes) into
 * new pool memory. *full (pool memory too, may be NULL) gets the path normalised: the
 * device's own path and one FILEPATH node with the whole file name. EFI_NOT_FOUND when
 * the path leads to no file system or no file. */
EFI_STATUS efi_load_file(EFI_DEVICE_PATH *path, void **buf, UINTN *size,
			 EFI_DEVICE_PATH **full);
/* The path of a file on the device whose handle is dev (pool memory), or NULL. */
EFI_DEVICE_PATH *efi_file_path(EFI_HANDLE dev, const CHAR16 *name);

/* ---- efi/boot_manager.c: what to boot without -kernel; returns only through fatal() ---- */
void efi_boot_manager(void) __attribute__((noreturn));

/* ---- efi/linux.c: QEMU's -kernel ---- */
/* Boot it; returns only through fatal(). */
void efi_boot_kernel(void) __attribute__((noreturn));

#endif
