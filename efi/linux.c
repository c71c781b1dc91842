/*
 * Booting what QEMU's -kernel gives: an arm64 Linux Image is DMA'd from fw_cfg straight
 * to a random 2 MiB-aligned place (its file layout is its memory layout) and started
 * there; LINUX_EFI_LOADED_IMAGE_FIXED_GUID tells its EFI stub to run it in place, so it
 * is never copied and KASLR still works. Any other EFI application is loaded with
 * LoadImage. -initrd is served through LoadFile2 (LINUX_EFI_INITRD_MEDIA_GUID), -append
 * becomes LoadOptions.
 */
#include "log.h"
#include "utf.h"
#include "efi/core.h"
#include "efi/pecoff.h"
#include "fwcfg.h"
#include "memmap.h"
#include "psci.h"

#define SZ_2M  0x200000ULL

struct arm64_image_header {
	UINT32 code0, code1;
	UINT64 text_offset, image_size, flags;
	UINT64 res2, res3, res4;
	UINT32 magic, pe_offset;
};
#define ARM64_IMAGE_MAGIC 0x644d5241    /* "ARM\x64" */

/* A vendor media device path node and the end node: how the kernel and initrd, which
 * come from no file system, are named. */
struct vendor_path {
	VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH end;
} __attribute__((packed));

#define VENDOR_PATH(guid) {						\
	{ { MEDIA_DEVICE_PATH, MEDIA_VENDOR_DP,				\
	    { sizeof(VENDOR_DEVICE_PATH), 0 } }, guid },		\
	{ END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE,		\
	  { sizeof(EFI_DEVICE_PATH), 0 } } }

/* EFI-lite's GUID for "the -kernel file in fw_cfg". */
#define EFILITE_KERNEL_MEDIA_GUID \
	{ 0x5b3e54a7, 0x2a5f, 0x4bd9, { 0x9b, 0x1e, 0x3f, 0x6c, 0x0e, 0x41, 0x8c, 0x27 } }

static struct vendor_path kernel_path = VENDOR_PATH(EFILITE_KERNEL_MEDIA_GUID);
static struct vendor_path initrd_path = VENDOR_PATH(LINUX_EFI_INITRD_MEDIA_GUID);
static EFI_GUID fixed_guid = LINUX_EFI_LOADED_IMAGE_FIXED_GUID;

/* ---- the initrd, through LoadFile2 ---- */

static EFI_STATUS EFIAPI initrd_load(EFI_LOAD_FILE_INTERFACE *this, EFI_DEVICE_PATH *path,
				     BOOLEAN boot_policy, UINTN *size, VOID *buf)
{
	UINT32 len = fwcfg_read_le32(FW_CFG_INITRD_SIZE);

	if (!this || !size || !path || path->Type != END_DEVICE_PATH_TYPE)
		return EFI_INVALID_PARAMETER;
	if (boot_policy)
		return EFI_UNSUPPORTED;        /* LoadFile2 is never a boot selection */
	if (!buf || *size < len) {
		*size = len;
		return EFI_BUFFER_TOO_SMALL;
	}
	*size = len;
	return fwcfg_read(FW_CFG_INITRD_DATA, 0, buf, len) ? EFI_DEVICE_ERROR : EFI_SUCCESS;
}

static EFI_LOAD_FILE_INTERFACE initrd_loadfile = { .LoadFile = initrd_load };

static void install_initrd(void)
{
	EFI_HANDLE h = NULL;

	if (!fwcfg_read_le32(FW_CFG_INITRD_SIZE))
		return;
	if (InstallMultipleProtocolInterfaces(&h, &efi_device_path_guid, &initrd_path,
					      &efi_load_file2_guid, &initrd_loadfile, NULL))
		fatal("cannot install the initrd's LoadFile2 protocol");
}

/* ---- the command line ---- */

static void set_load_options(EFI_LOADED_IMAGE *li)
{
	UINT32 len = fwcfg_read_le32(FW_CFG_CMDLINE_SIZE);
	char *utf8;
	CHAR16 *ucs2;

	if (!len)
		return;
	utf8 = efi_alloc(len);
	ucs2 = efi_alloc(2 * (len + 1));
	if (!utf8 || !ucs2 || fwcfg_read(FW_CFG_CMDLINE_DATA, 0, utf8, len))
		fatal("cannot read the command line");
	li->LoadOptionsSize = 2 * utf8_to_utf16(utf8, len, ucs2);
	li->LoadOptions = ucs2;
	efi_free(utf8);
}

static bool nokaslr(const EFI_LOADED_IMAGE *li)
{
	return li->LoadOptions && ucs2_has_word(li->LoadOptions, li->LoadOptionsSize / 2,
						 u"nokaslr");
}

/* ---- the kernel ---- */

/* Run the image; when it returns (or calls Exit), report its status and power off. */
static void __attribute__((noreturn)) start(EFI_HANDLE handle, const char *what)
{
	EFI_STATUS s;

	info("EFI-lite: starting %s", what);
	s = StartImage(handle, NULL, NULL);
	printf("EFI-lite: %s returned %s (%#llx): powering off\n", what, efi_status_str(s),
	       (unsigned long long)s);
	psci_system_off();
}

/* Where the Image goes: a random 2 MiB-aligned place for KASLR, or the highest one with
 * nokaslr. 2 MiB either way: without KASLR the 6.1 stub copies an Image that is not
 * 2 MiB aligned (its MIN_KIMG_ALIGN), with KASLR it would accept 64 KiB. */
static UINT64 place_image(UINTN pages, bool random)
{
	UINT64 base = 0, seed;
	EFI_STATUS s;

	if (random) {
		efi_random(&seed, sizeof(seed));
		s = memmap_alloc_random(&memmap, EfiLoaderCode, pages, SZ_2M, ~0ULL, seed, &base);
	} else {
		s = memmap_alloc(&memmap, AllocateAnyPages, EfiLoaderCode, pages, SZ_2M, &base);
	}
	if (s)
		fatal("no room for the kernel (%llu MiB): %s",
		      (unsigned long long)(pages >> 8), efi_status_str(s));
	return base;
}

static void __attribute__((noreturn)) boot_linux(const struct arm64_image_header *hdr,
						 UINT32 size, EFI_LOADED_IMAGE *options)
{
	UINTN pages = EFI_SIZE_TO_PAGES(hdr->image_size > size ? hdr->image_size : size);
	UINT64 base = place_image(pages, !nokaslr(options));
	EFI_LOADED_IMAGE *li;
	struct pe_image pe;
	EFI_HANDLE handle;
	const char *why;

	if (fwcfg_read(FW_CFG_KERNEL_DATA, 0, (void *)base, size))
		fatal("cannot read the kernel from fw_cfg (%u bytes)", size);
	if (pe_parse((void *)base, size, &pe, &why))
		fatal("kernel: %s", why);
	if (!pe.in_place || pe.size_of_image > pages * EFI_PAGE_SIZE)
		fatal("kernel: the PE layout is not the Image layout");
	if (pe_load_in_place(&pe, (void *)base, base, &why))
		fatal("kernel: %s", why);
	if (efi_image_create(&pe, base, pages, efi_firmware_handle,
			     &kernel_path.vendor.Header, &handle, &li) ||
	    InstallProtocolInterface(&handle, &fixed_guid, EFI_NATIVE_INTERFACE, NULL))
		fatal("cannot install the kernel's LoadedImage");
	li->LoadOptions = options->LoadOptions;
	li->LoadOptionsSize = options->LoadOptionsSize;
	info("EFI-lite: Linux Image at %#llx (%u KiB)", (unsigned long long)base, size >> 10);
	start(handle, "the kernel");
}

void efi_boot_kernel(void)
{
	static EFI_HANDLE device;
	UINT32 size = fwcfg_read_le32(FW_CFG_KERNEL_SIZE);
	struct arm64_image_header hdr;
	EFI_LOADED_IMAGE options = { 0 }, *li;
	EFI_HANDLE handle;
	void *file;
	EFI_STATUS s;

	if (!size)
		efi_boot_manager();
	if (InstallProtocolInterface(&device, &efi_device_path_guid, EFI_NATIVE_INTERFACE, &kernel_path))
		fatal("cannot install the kernel's device path");
	efi_global_vars_boot_option(&kernel_path.vendor.Header, u"QEMU -kernel (fw_cfg)");
	install_initrd();
	set_load_options(&options);
	if (size >= sizeof(hdr) && !fwcfg_read(FW_CFG_KERNEL_DATA, 0, &hdr, sizeof(hdr)) &&
	    hdr.magic == ARM64_IMAGE_MAGIC && hdr.image_size)
		boot_linux(&hdr, size, &options);

	/* Not a Linux Image: any EFI application, copied and relocated by LoadImage. */
	file = efi_alloc(size);
	if (!file || fwcfg_read(FW_CFG_KERNEL_DATA, 0, file, size))
		fatal("cannot read the kernel from fw_cfg (%u bytes)", size);
	s = LoadImage(FALSE, efi_firmware_handle, &kernel_path.vendor.Header, file, size, &handle);
	efi_free(file);
	if (s)
		fatal("cannot load the -kernel image: %s", efi_status_str(s));
	HandleProtocol(handle, &efi_loaded_image_guid, (void **)&li);
	li->LoadOptions = options.LoadOptions;
	li->LoadOptionsSize = options.LoadOptionsSize;
	start(handle, "the EFI application");
}
