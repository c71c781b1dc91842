/* The boot services table, ExitBootServices and the small services (UEFI 2.10 section 7). */
#include "log.h"
#include "efi/core.h"
#include "runtime.h"
#include "memmap.h"
#include "psci.h"

static UINT64 monotonic;
static EFI_EVENT watchdog;

static EFI_STATUS EFIAPI GetNextMonotonicCount(UINT64 *count)
{
	if (!count)
		return EFI_INVALID_PARAMETER;
	*count = monotonic++;
	return EFI_SUCCESS;
}

static VOID EFIAPI watchdog_expired(EFI_EVENT event, VOID *ctx)
{
	printf("EFI-lite: watchdog timer expired: resetting\n");
	psci_system_reset();
}

/* The watchdog resets the machine when an image neither finishes nor re-arms it in time
 * (section 7.5.1). Codes up to 0xffff are the firmware's, but disarming takes any code:
 * GRUB and EDK2's boot manager call SetWatchdogTimer(0, 0, 0, NULL). */
static EFI_STATUS EFIAPI SetWatchdogTimer(UINTN seconds, UINT64 code, UINTN size, CHAR16 *data)
{
	EFI_STATUS s;

	if (seconds && code <= 0xffff)
		return EFI_INVALID_PARAMETER;
	if (!watchdog) {
		s = CreateEvent(EVT_TIMER | EVT_NOTIFY_SIGNAL, TPL_CALLBACK, watchdog_expired,
				NULL, &watchdog);
		if (s)
			return s;
	}
	if (!seconds)
		return SetTimer(watchdog, TimerCancel, 0);
	return SetTimer(watchdog, TimerRelative, seconds * 10000000ULL);
}

/* No drivers are ever bound: there is nothing to connect (sections 7.3.11-12). */
static EFI_STATUS EFIAPI ConnectController(EFI_HANDLE controller, EFI_HANDLE *drivers,
					   EFI_DEVICE_PATH *remaining, BOOLEAN recursive)
{
	return efi_handle_valid(controller) ? EFI_NOT_FOUND : EFI_INVALID_PARAMETER;
}

static EFI_STATUS EFIAPI DisconnectController(EFI_HANDLE controller, EFI_HANDLE driver,
					      EFI_HANDLE child)
{
	return efi_handle_valid(controller) ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
}

static VOID EFIAPI CopyMem(VOID *dst, VOID *src, UINTN len)
{
	memmove(dst, src, len);
}

static VOID EFIAPI SetMem(VOID *dst, UINTN len, UINT8 value)
{
	memset(dst, value, len);
}

static bool exited;

EFI_STATUS EFIAPI ExitBootServices(EFI_HANDLE image, UINTN map_key)
{
	static EFI_GUID before = EFI_EVENT_GROUP_BEFORE_EXIT_BOOT_SERVICES_GUID;

	if (!efi_handle_valid(image))
		return EFI_INVALID_PARAMETER;
	if (!exited)
		efi_signal_group(&before);
	/* The caller must hold the current map: it may not free what it did not see. */
	if (map_key != memmap.key)
		return EFI_INVALID_PARAMETER;
	exited = true;
	RT_CALL(rt_variables_exit_boot_services)();
	if (watchdog)
		SetTimer(watchdog, TimerCancel, 0);
	efi_signal_group(&efi_exit_boot_services_guid);
	/* Boot services are gone: say so in the system table (section 7.4.6). */
	efi_st->ConIn = NULL;
	efi_st->ConOut = efi_st->StdErr = NULL;
	efi_st->ConsoleInHandle = efi_st->ConsoleOutHandle = efi_st->StandardErrorHandle = NULL;
	efi_st->BootServices = NULL;
	efi_table_crc(&efi_st->Hdr);
	return EFI_SUCCESS;
}

EFI_BOOT_SERVICES efi_bs = {
	.Hdr = { EFI_BOOT_SERVICES_SIGNATURE, EFI_2_100_SYSTEM_TABLE_REVISION,
		 sizeof(EFI_BOOT_SERVICES), 0, 0 },
	.RaiseTPL = RaiseTPL,
	.RestoreTPL = RestoreTPL,
	.AllocatePages = AllocatePages,
	.FreePages = FreePages,
	.GetMemoryMap = GetMemoryMap,
	.AllocatePool = AllocatePool,
	.FreePool = FreePool,
	.CreateEvent = CreateEvent,
	.SetTimer = SetTimer,
	.WaitForEvent = WaitForEvent,
	.SignalEvent = SignalEvent,
	.CloseEvent = CloseEvent,
	.CheckEvent = CheckEvent,
	.InstallProtocolInterface = InstallProtocolInterface,
	.ReinstallProtocolInterface = ReinstallProtocolInterface,
	.UninstallProtocolInterface = UninstallProtocolInterface,
	.HandleProtocol = HandleProtocol,
	.RegisterProtocolNotify = RegisterProtocolNotify,
	.LocateHandle = LocateHandle,
	.LocateDevicePath = LocateDevicePath,
	.InstallConfigurationTable = InstallConfigurationTable,
	.LoadImage = LoadImage,
	.StartImage = StartImage,
	.Exit = Exit,
	.UnloadImage = UnloadImage,
	.ExitBootServices = ExitBootServices,
	.GetNextMonotonicCount = GetNextMonotonicCount,
	.Stall = Stall,
	.SetWatchdogTimer = SetWatchdogTimer,
	.ConnectController = ConnectController,
	.DisconnectController = DisconnectController,
	.OpenProtocol = OpenProtocol,
	.CloseProtocol = CloseProtocol,
	.OpenProtocolInformation = OpenProtocolInformation,
	.ProtocolsPerHandle = ProtocolsPerHandle,
	.LocateHandleBuffer = LocateHandleBuffer,
	.LocateProtocol = LocateProtocol,
	.InstallMultipleProtocolInterfaces = InstallMultipleProtocolInterfaces,
	.UninstallMultipleProtocolInterfaces = UninstallMultipleProtocolInterfaces,
	.CalculateCrc32 = CalculateCrc32,
	.CopyMem = CopyMem,
	.SetMem = SetMem,
	.CreateEventEx = CreateEventEx,
};

void efi_boot_services_init(void)
{
	efi_table_crc(&efi_bs.Hdr);
}
