/* Image services (UEFI 2.10 section 7.4): load PE/COFF images, run them, return. */
#include "log.h"
#include "efi/core.h"
#include "efi/pecoff.h"
#include "loaded_images.h"
#include "memmap.h"
#include "mmu.h"
#include "wx.h"

struct jmp_ctx { UINT64 regs[13]; };
int efi_setjmp(struct jmp_ctx *ctx);
void efi_longjmp(struct jmp_ctx *ctx) __attribute__((noreturn));

struct image {
	EFI_LOADED_IMAGE li;            /* the LoadedImage interface */
	struct image *next;             /* every image, for image_of() */
	EFI_HANDLE handle;
	EFI_DEVICE_PATH *path;          /* LoadedImageDevicePath: the whole path, or NULL */
	EFI_IMAGE_ENTRY_POINT entry;
	UINTN pages;
	bool nx_compat;                 /* IMAGE_DLLCHARACTERISTICS_NX_COMPAT: W^X absolute */
	bool started;
	struct jmp_ctx *exit_ctx;       /* where Exit returns to, while running */
	EFI_STATUS exit_status;
	UINTN exit_data_size;
	CHAR16 *exit_data;
	struct image *caller;           /* the image that was running before this one */
};

static EFI_GUID image_path_guid = EFI_LOADED_IMAGE_DEVICE_PATH_PROTOCOL_GUID;
static struct image *images, *running;
EFI_HANDLE efi_firmware_handle;

/* The image behind a handle: only those we loaded (an application could install a
 * LoadedImage of its own on any handle). */
static struct image *image_of(EFI_HANDLE handle)
{
	for (struct image *i = images; i; i = i->next)
		if (i->handle == handle)
			return i;
	return NULL;
}

static EFI_DEVICE_PATH *copy_path(const EFI_DEVICE_PATH *path)
{
	UINTN size = path ? efi_devpath_size(path) : 0;
	void *copy = size ? efi_alloc(size) : NULL;

	return copy ? memcpy(copy, path, size) : NULL;
}

static UINT64 page_align(UINT64 size)
{
	return EFI_SIZE_TO_PAGES(size) << EFI_PAGE_SHIFT;
}

/* Protections from the section table: code RX, read-only data R, data RW, never W+X. */
static void protect(const struct pe_image *pe, UINT64 base)
{
	mmu_set_prot(base, page_align(pe->size_of_headers), PT_R);
	for (unsigned i = 0; i < pe->nr_sections; i++) {
		const struct pe_section *s = &pe->sec[i];

		mmu_set_prot(base + s->rva, page_align(s->vsize), pe_section_prot(s));
	}
}

/* Code the CPU copied (LoadImage) is fetched only after the D-cache is cleaned and the
 * I-cache invalidated for it: TCG never notices, a real CPU under KVM could run a stale
 * line, as when a boot option returns and the next is loaded where it was. (-kernel's
 * Image is written by fw_cfg's DMA, not through our D-cache, and its stub cleans and
 * invalidates the kernel before running it: syncing its 20 MB here would cost 2.8 ms.) */
static void sync_code(const struct pe_image *pe, UINT64 base)
{
	for (unsigned i = 0; i < pe->nr_sections; i++) {
		const struct pe_section *s = &pe->sec[i];

		if (pe_section_prot(s) & PT_X)
			mmu_sync_icache_range(base + s->rva, s->vsize);
	}
}

/* ---- the crash report's list of images (include/loaded_images.h) ---- */

#define ARM64_IMAGE_MAGIC_OFFSET 0x38   /* "ARM\x64" in an arm64 Linux Image header */

static bool is_linux_image(UINT64 base, UINT64 size)
{
	return size >= 0x40 && *(const UINT32 *)(base + ARM64_IMAGE_MAGIC_OFFSET) == 0x644d5241;
}

/* What the crash report calls an image: the kernel, its file name, else its kind. */
static void record_image(const EFI_LOADED_IMAGE *li, UINT64 base, UINT64 size)
{
	const EFI_DEVICE_PATH *file = li->FilePath;
	char name[48];
	unsigned n = 0;

	if (file && file->Type == MEDIA_DEVICE_PATH && file->SubType == MEDIA_FILEPATH_DP) {
		const CHAR16 *c = ((const FILEPATH_DEVICE_PATH *)file)->PathName;
		UINTN node = file->Length[0] | file->Length[1] << 8;
		UINTN len = node > SIZE_OF_FILEPATH_DEVICE_PATH ?
			    (node - SIZE_OF_FILEPATH_DEVICE_PATH) / 2 : 0;

		/* ASCII only, the tail if it is long: the file name is what tells. */
		if (len > sizeof(name) - 1) {
			c += len - (sizeof(name) - 1);
			len = sizeof(name) - 1;
		}
		for (; n < len && *c; c++)
			name[n++] = *c < 0x80 && *c >= 0x20 ? (char)*c : '?';
	}
	name[n] = '\0';
	loaded_image_add(base, size, is_linux_image(base, size) ? "Linux kernel" : n ? name :
			 li->ImageCodeType == EfiLoaderCode ? "EFI application" :
			 li->ImageCodeType == EfiRuntimeServicesCode ? "EFI runtime driver" :
			 "EFI boot service driver");
}

/* ---- W^X for images without NX_COMPAT (mm/wx.c, docs/handoff.md) ---- */

static bool legacy_started;    /* an image without NX_COMPAT ran: report at the end */

static const char *image_name(const struct image *img)
{
	const struct loaded_image_record *r = loaded_image_at((UINT64)img->li.ImageBase);

	return r ? r->name : "an image";
}

/* Which policy an image runs under, said once as it starts. */
static void wx_enter(const struct image *img)
{
	info("EFI-lite: W^X: %s is %s", image_name(img), img->nx_compat ?
	     "NX_COMPAT: W^X enforced" :
	     "not NX_COMPAT: the EfiLoaderCode pages it allocates flip between RW and RX on faults");
	legacy_started |= !img->nx_compat;
	efi_memory_flip_code(!img->nx_compat);
}

static void wx_report(const char *who, const char *when)
{
	const struct wx_stats *w = wx_stats();

	info("EFI-lite: W^X: %s%s: %llu flips to RX, %llu to RW, %llu stores run out of line, "
	     "%llu pages made RWX (%llu still)", who, when, (unsigned long long)w->to_x,
	     (unsigned long long)w->to_w, (unsigned long long)w->out_of_line,
	     (unsigned long long)w->rwx_made, (unsigned long long)w->rwx_now);
}

static VOID EFIAPI images_exit_boot_services(EFI_EVENT event, VOID *ctx)
{
	loaded_images_exit_boot_services();
	if (legacy_started)
		wx_report("", "at ExitBootServices");
}

EFI_STATUS efi_image_create(const struct pe_image *pe, UINT64 base, UINTN pages,
			    EFI_HANDLE parent, EFI_DEVICE_PATH *path, EFI_HANDLE *handle,
			    EFI_LOADED_IMAGE **loaded)
{
	struct image *img = efi_alloc(sizeof(*img));
	EFI_DEVICE_PATH *rest = path;
	EFI_HANDLE device = NULL;
	EFI_STATUS s;

	if (!img)
		return EFI_OUT_OF_RESOURCES;
	if (path && LocateDevicePath(&efi_device_path_guid, &rest, &device))
		rest = path;
	img->li = (EFI_LOADED_IMAGE){
		.Revision = EFI_LOADED_IMAGE_PROTOCOL_REVISION, .ParentHandle = parent,
		.SystemTable = efi_st, .DeviceHandle = device, .FilePath = copy_path(rest),
		.ImageBase = (void *)base, .ImageSize = pe->size_of_image,
		.ImageCodeType = pe_code_type(pe), .ImageDataType = pe_data_type(pe),
	};
	img->path = copy_path(path);
	img->pages = pages;
	img->nx_compat = pe->nx_compat;
	img->entry = (EFI_IMAGE_ENTRY_POINT)(base + pe->entry_rva);
	s = InstallMultipleProtocolInterfaces(&img->handle, &efi_loaded_image_guid, &img->li,
					      &image_path_guid, img->path, NULL);
	if (s) {
		efi_free(img->li.FilePath);
		efi_free(img->path);
		efi_free(img);
		return s;
	}
	protect(pe, base);
	img->next = images;
	images = img;
	record_image(&img->li, base, pages << EFI_PAGE_SHIFT);
	*handle = img->handle;
	if (loaded)
		*loaded = &img->li;
	return EFI_SUCCESS;
}

static void image_free(struct image *img)
{
	UINT64 base = (UINT64)img->li.ImageBase;
	struct image **p = &images;

	while (*p != img)
		p = &(*p)->next;
	*p = img->next;
	loaded_image_remove(base);
	UninstallMultipleProtocolInterfaces(img->handle, &efi_loaded_image_guid, &img->li,
					    &image_path_guid, img->path, NULL);
	mmu_set_prot(base, img->pages << EFI_PAGE_SHIFT, PT_R | PT_W);
	FreePages(base, img->pages);
	efi_free(img->li.FilePath);
	efi_free(img->path);
	efi_free(img);
}

/* Without a source buffer and no file system on the path, read the file through
 * LoadFile2 (or LoadFile for boot selections) on the device the path leads to. */
static EFI_STATUS read_file(BOOLEAN boot_policy, EFI_DEVICE_PATH *path, void **buf, UINTN *size)
{
	static EFI_GUID lf = EFI_LOAD_FILE_PROTOCOL_GUID;
	EFI_GUID *guid = boot_policy ? &lf : &efi_load_file2_guid;
	EFI_DEVICE_PATH *rest = path;
	EFI_LOAD_FILE_INTERFACE *load;
	EFI_HANDLE device;
	EFI_STATUS s;

	if (!path || LocateDevicePath(guid, &rest, &device) ||
	    HandleProtocol(device, guid, (void **)&load))
		return EFI_NOT_FOUND;
	*size = 0;
	s = load->LoadFile(load, rest, boot_policy, size, NULL);
	if (s != EFI_BUFFER_TOO_SMALL)
		return s ? s : EFI_LOAD_ERROR;
	*buf = efi_alloc(*size);
	if (!*buf)
		return EFI_OUT_OF_RESOURCES;
	s = load->LoadFile(load, rest, boot_policy, size, *buf);
	if (s)
		efi_free(*buf);
	return s;
}

static EFI_STATUS load_pe(const void *file, UINTN size, EFI_HANDLE parent,
			  EFI_DEVICE_PATH *path, EFI_HANDLE *handle)
{
	struct pe_image pe;
	EFI_PHYSICAL_ADDRESS base;
	const char *why;
	UINTN pages;
	EFI_STATUS s;

	if (pe_parse(file, size, &pe, &why)) {
		err("LoadImage: %s", why);
		return pe.machine && pe.machine != PE_MACHINE_ARM64 ? EFI_UNSUPPORTED : EFI_LOAD_ERROR;
	}
	/* Without relocations an image runs only where it was linked. SectionAlignment is
	 * a power of 2 of at least a page (pe_parse). */
	pages = EFI_SIZE_TO_PAGES(pe.size_of_image);
	base = pe.image_base;
	s = memmap_alloc(&memmap, pe.relocs_stripped ? AllocateAddress : AllocateAnyPages,
			 pe_code_type(&pe), pages, pe.section_alignment, &base);
	if (s)
		return s;
	if (pe_load(&pe, file, (void *)base, base, &why)) {
		err("LoadImage: %s", why);
		FreePages(base, pages);
		return EFI_LOAD_ERROR;
	}
	sync_code(&pe, base);
	s = efi_image_create(&pe, base, pages, parent, path, handle, NULL);
	if (s)
		FreePages(base, pages);
	return s;
}

EFI_STATUS EFIAPI LoadImage(BOOLEAN boot_policy, EFI_HANDLE parent, EFI_DEVICE_PATH *path,
			    VOID *buffer, UINTN size, EFI_HANDLE *handle)
{
	EFI_DEVICE_PATH *full = NULL;   /* the file's path, with one FILEPATH node */
	void *file = buffer;
	EFI_STATUS s;

	if (!handle || !image_of(parent) || (!buffer && !path))
		return EFI_INVALID_PARAMETER;
	if (!buffer) {
		s = efi_load_file(path, &file, &size, &full);
		if (s == EFI_NOT_FOUND)
			s = read_file(boot_policy, path, &file, &size);
		if (s)
			return s;
	}
	s = load_pe(file, size, parent, full ? full : path, handle);
	if (file != buffer)
		efi_free(file);
	efi_free(full);
	return s;
}

EFI_STATUS EFIAPI StartImage(EFI_HANDLE handle, UINTN *exit_data_size, CHAR16 **exit_data)
{
	struct image *img = image_of(handle);
	struct jmp_ctx ctx;
	EFI_STATUS s;

	if (!img || img->started)
		return EFI_INVALID_PARAMETER;
	img->started = true;
	img->caller = running;
	img->exit_ctx = &ctx;
	running = img;
	wx_enter(img);
	if (!efi_setjmp(&ctx))
		img->exit_status = img->entry(handle, efi_st);
	running = img->caller;
	efi_memory_flip_code(running && !running->nx_compat);
	if (!img->nx_compat)
		wx_report(image_name(img), " returned");
	s = img->exit_status;
	if (exit_data_size)
		*exit_data_size = img->exit_data_size;
	if (exit_data)
		*exit_data = img->exit_data;
	/* An application is unloaded once it returns; drivers that succeeded stay. */
	if (img->li.ImageCodeType == EfiLoaderCode || EFI_ERROR(s))
		image_free(img);
	return s;
}

EFI_STATUS EFIAPI Exit(EFI_HANDLE handle, EFI_STATUS status, UINTN size, CHAR16 *data)
{
	struct image *img = image_of(handle);

	if (!img)
		return EFI_INVALID_PARAMETER;
	if (!img->started) {
		image_free(img);
		return EFI_SUCCESS;
	}
	if (img != running)
		return EFI_INVALID_PARAMETER;
	img->exit_status = status;
	img->exit_data_size = data ? size : 0;
	img->exit_data = data;
	efi_longjmp(img->exit_ctx);
}

EFI_STATUS EFIAPI UnloadImage(EFI_HANDLE handle)
{
	struct image *img = image_of(handle);
	EFI_STATUS s;

	if (!img)
		return EFI_INVALID_PARAMETER;
	if (img->started) {
		if (!img->li.Unload)
			return EFI_UNSUPPORTED;
		s = img->li.Unload(handle);
		if (s)
			return s;
	}
	image_free(img);
	return EFI_SUCCESS;
}

/* EFI-lite's own image handle: the parent of the images it starts. */
void efi_image_init(void)
{
	extern char __flash_end[];
	static struct image self = {
		.li = {
			.Revision = EFI_LOADED_IMAGE_PROTOCOL_REVISION,
			.ImageBase = (void *)0, .ImageSize = (UINT64)__flash_end,
			.ImageCodeType = EfiBootServicesCode, .ImageDataType = EfiBootServicesData,
		},
		.started = true, .nx_compat = true,
	};
	EFI_EVENT exit_event;

	self.li.SystemTable = efi_st;
	if (InstallProtocolInterface(&self.handle, &efi_loaded_image_guid, EFI_NATIVE_INTERFACE,
				     &self.li))
		fatal("cannot install EFI-lite's own LoadedImage");
	images = &self;
	efi_firmware_handle = self.handle;
	if (CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, images_exit_boot_services, NULL,
			  &efi_exit_boot_services_guid, &exit_event))
		fatal("cannot create the loaded images' ExitBootServices event");
}
