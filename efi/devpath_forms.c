/*
 * The device node text forms EFI-lite knows (UEFI 2.10 section 10.6.1): every node it
 * makes or a loader hands it, and the common ones shells and boot menus print. The
 * spelling of each value follows EDK2's output, which is what users and scripts
 * (QEMU's bootorder matching among them) know. Keyed entries come before the general
 * form of the same node, so the first match wins.
 */
#include "efi/devpath_text.h"

/* The terminal types' vendor GUIDs, numbered from 1 for .vendor */
enum { PC_ANSI = 1, VT100, VT100_PLUS, VT_UTF8 };
const EFI_GUID dp_vendor_guids[] = {
	[PC_ANSI - 1] = EFI_PC_ANSI_GUID, [VT100 - 1] = EFI_VT_100_GUID,
	[VT100_PLUS - 1] = EFI_VT_100_PLUS_GUID, [VT_UTF8 - 1] = EFI_VT_UTF8_GUID,
};

#define HW    HARDWARE_DEVICE_PATH
#define ACPI  ACPI_DEVICE_PATH
#define MSG   MESSAGING_DEVICE_PATH
#define MEDIA MEDIA_DEVICE_PATH

const struct dp_form dp_forms[] = {
	{ "Pci", HW, HW_PCI_DP, 6, .f = { { DP_U8, 5 }, { DP_U8, 4 } } },
	{ "PcCard", HW, HW_PCCARD_DP, 5, .f = { { DP_U8, 4 } } },
	{ "MemoryMapped", HW, HW_MEMMAP_DP, 24,
	  .f = { { DP_U32, 4 }, { DP_U64, 8 }, { DP_U64, 16 } } },
	{ "VenHw", HW, HW_VENDOR_DP, 20, .f = { { DP_GUID, 4 }, { DP_DATA, 20 } } },
	{ "Ctrl", HW, HW_CONTROLLER_DP, 8, .f = { { DP_U32, 4 } } },
	{ "BMC", HW, 6, 13, .f = { { DP_U8, 4 }, { DP_U64, 5 } } },

	{ "PciRoot", ACPI, ACPI_DP, 12, .pnp = 0x0a03, .f = { { DP_U32, 8 } } },
	{ "PcieRoot", ACPI, ACPI_DP, 12, .pnp = 0x0a08, .f = { { DP_U32, 8 } } },
	{ "Floppy", ACPI, ACPI_DP, 12, .pnp = 0x0604, .f = { { DP_U32, 8 } } },
	{ "Keyboard", ACPI, ACPI_DP, 12, .pnp = 0x0301, .f = { { DP_U32, 8 } } },
	{ "Serial", ACPI, ACPI_DP, 12, .pnp = 0x0501, .f = { { DP_U32, 8 } } },
	{ "ParallelPort", ACPI, ACPI_DP, 12, .pnp = 0x0401, .f = { { DP_U32, 8 } } },
	{ "Acpi", ACPI, ACPI_DP, 12, .f = { { DP_EISA, 4 }, { DP_U32, 8 } } },

	{ "Scsi", MSG, MSG_SCSI_DP, 8, .f = { { DP_U16, 4 }, { DP_U16, 6 } } },
	{ "USB", MSG, MSG_USB_DP, 6, .f = { { DP_U8, 4 }, { DP_U8, 5 } } },
	{ "I2O", MSG, MSG_I2O_DP, 8, .f = { { DP_U32, 4 } } },
	{ "MAC", MSG, MSG_MAC_ADDR_DP, 37, .f = { { DP_MAC, 4 }, { DP_U8, 36 } } },
	/* IPv4(RemoteIp,Protocol,Static|DHCP,LocalIp,GatewayIp,SubnetMask) */
	{ "IPv4", MSG, MSG_IPv4_DP, 27, .display = 1,
	  .f = { { DP_IP4, 8 }, { DP_PROTO, 16 }, { DP_ORIGIN, 18 }, { DP_IP4, 4 },
		 { DP_IP4, 19 }, { DP_IP4, 23 } } },
	{ "VenPcAnsi", MSG, MSG_VENDOR_DP, 20, .vendor = PC_ANSI },
	{ "VenVt100", MSG, MSG_VENDOR_DP, 20, .vendor = VT100 },
	{ "VenVt100Plus", MSG, MSG_VENDOR_DP, 20, .vendor = VT100_PLUS },
	{ "VenUtf8", MSG, MSG_VENDOR_DP, 20, .vendor = VT_UTF8 },
	{ "VenMsg", MSG, MSG_VENDOR_DP, 20, .f = { { DP_GUID, 4 }, { DP_DATA, 20 } } },
	{ "Unit", MSG, MSG_DEVICE_LOGICAL_UNIT_DP, 5, .f = { { DP_U8, 4 } } },
	{ "Sata", MSG, MSG_SATA_DP, 10, .f = { { DP_U16, 4 }, { DP_U16, 6 }, { DP_U16, 8 } } },
	{ "Uri", MSG, MSG_URI_DP, 4, .f = { { DP_ASCII, 4 } } },

	/* HD(Partition,MBR|GPT|type,Signature,Start,Size) */
	{ "HD", MEDIA, MEDIA_HARDDRIVE_DP, 42,
	  .f = { { DP_DEC, 4 }, { DP_HDSIG, 24 }, { DP_U64, 8 }, { DP_U64, 16 } } },
	{ "CDROM", MEDIA, MEDIA_CDROM_DP, 24, .display = 1,
	  .f = { { DP_U32, 4 }, { DP_U64, 8 }, { DP_U64, 16 } } },
	{ "VenMedia", MEDIA, MEDIA_VENDOR_DP, 20, .f = { { DP_GUID, 4 }, { DP_DATA, 20 } } },
	{ "Media", MEDIA, MEDIA_PROTOCOL_DP, 20, .f = { { DP_GUID, 4 } } },
	{ "FvFile", MEDIA, MEDIA_PIWG_FW_FILE_DP, 20, .f = { { DP_GUID, 4 } } },
	{ "Fv", MEDIA, MEDIA_PIWG_FW_VOL_DP, 20, .f = { { DP_GUID, 4 } } },
	{ "Offset", MEDIA, MEDIA_RELATIVE_OFFSET_RANGE_DP, 24,
	  .f = { { DP_U64, 8 }, { DP_U64, 16 } } },

	/* Section 10.6.1.1: <type's name>(subtype,hex) for a known type, else
	 * Path(type,subtype,hex). The hex is the node's data after its header. */
	{ "HardwarePath", HW, 0, 4, .f = { { DP_DEC8, 1 }, { DP_DATA, 4 } } },
	{ "AcpiPath", ACPI, 0, 4, .f = { { DP_DEC8, 1 }, { DP_DATA, 4 } } },
	{ "Msg", MSG, 0, 4, .f = { { DP_DEC8, 1 }, { DP_DATA, 4 } } },
	{ "MediaPath", MEDIA, 0, 4, .f = { { DP_DEC8, 1 }, { DP_DATA, 4 } } },
	{ "BbsPath", BBS_DEVICE_PATH, 0, 4, .f = { { DP_DEC8, 1 }, { DP_DATA, 4 } } },
	{ "Path", 0, 0, 4, .f = { { DP_DEC8, 0 }, { DP_DEC8, 1 }, { DP_DATA, 4 } } },
};
const UINTN dp_nforms = sizeof(dp_forms) / sizeof(dp_forms[0]);

const UINT8 dp_guid_order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

const UINT8 dp_field_size[DP_NKINDS] = {
	[DP_U8] = 1, [DP_U16] = 2, [DP_U32] = 4, [DP_U64] = 8, [DP_DEC] = 4, [DP_DEC8] = 1,
	[DP_GUID] = 16, [DP_EISA] = 4, [DP_HDSIG] = 18, [DP_IP4] = 4,
	[DP_PROTO] = 2, [DP_ORIGIN] = 1, [DP_MAC] = 32,
};
