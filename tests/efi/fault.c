/* An EFI application that faults on purpose, before ExitBootServices: the crash report
 * must blame it (by offset in the image), not the firmware. It prints where it loaded
 * and where the undefined instruction is, so the test can check the offset. */
#include <efi.h>
#include <efilib.h>

extern char fault_here[];

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_LOADED_IMAGE *li;

	InitializeLib(image, st);
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li))
		return EFI_LOAD_ERROR;
	Print(L"fault app: image base %lx, faulting at %lx\n", (UINT64)li->ImageBase,
	      (UINT64)fault_here);
	asm volatile(".globl fault_here\nfault_here: udf #0x15");
	return EFI_SUCCESS;
}
