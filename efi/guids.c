/* The GUIDs more than one file of the core names, each defined once. A GUID that one file
 * alone uses stays there, next to its use. */
#include "efi/core.h"

EFI_GUID efi_device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
EFI_GUID efi_load_file2_guid = EFI_LOAD_FILE2_PROTOCOL_GUID;
EFI_GUID efi_exit_boot_services_guid = EFI_EVENT_GROUP_EXIT_BOOT_SERVICES_GUID;
EFI_GUID efi_device_tree_guid = EFI_DEVICE_TREE_GUID;
EFI_GUID efi_simple_fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
EFI_GUID efi_file_info_guid = EFI_FILE_INFO_ID;
EFI_GUID efi_device_path_to_text_guid = EFI_DEVICE_PATH_TO_TEXT_PROTOCOL_GUID;
EFI_GUID efi_block_io_guid = EFI_BLOCK_IO_PROTOCOL_GUID;
EFI_GUID efi_loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
