/* PE32+ image validation and loading. Field names follow the Microsoft PE/COFF
 * specification, so each check can be looked up there. Both PE/COFF and arm64 are
 * little-endian, so the headers are read by copying them into these structures; every
 * copy is bounds-checked first (read_at), and every size the loader later uses is
 * checked here against the file's size or SizeOfImage in 64-bit arithmetic. */
#include <string.h>
#include "log.h"
#include "efi/pecoff.h"
#include "pgtable.h"
#include "why.h"

#define IMAGE_DOS_SIGNATURE                0x5a4d        /* "MZ" */
#define IMAGE_NT_SIGNATURE                 0x00004550    /* "PE\0\0" */
#define IMAGE_NT_OPTIONAL_HDR64_MAGIC      0x20b         /* PE32+ */
#define IMAGE_FILE_RELOCS_STRIPPED         0x0001
#define IMAGE_FILE_EXECUTABLE_IMAGE        0x0002
#define IMAGE_DLLCHARACTERISTICS_NX_COMPAT 0x0100
#define IMAGE_SCN_MEM_EXECUTE              0x20000000
#define IMAGE_SCN_MEM_WRITE                0x80000000
#define IMAGE_DIRECTORY_ENTRY_SECURITY     4    /* a file offset, not an RVA */
#define IMAGE_DIRECTORY_ENTRY_BASERELOC    5
#define IMAGE_NUMBEROF_DIRECTORY_ENTRIES   16
#define IMAGE_REL_BASED_ABSOLUTE           0    /* padding */
#define IMAGE_REL_BASED_DIR64              10

struct dos_header {
	uint16_t e_magic;
	uint8_t unused[58];
	uint32_t e_lfanew;                      /* file offset of the PE signature */
};

struct nt_headers {                             /* signature and COFF file header */
	uint32_t Signature;
	uint16_t Machine, NumberOfSections;
	uint32_t TimeDateStamp, PointerToSymbolTable, NumberOfSymbols;
	uint16_t SizeOfOptionalHeader, Characteristics;
};

struct optional_header64 {
	uint16_t Magic;
	uint8_t MajorLinkerVersion, MinorLinkerVersion;
	uint32_t SizeOfCode, SizeOfInitializedData, SizeOfUninitializedData;
	uint32_t AddressOfEntryPoint, BaseOfCode;
	uint64_t ImageBase;
	uint32_t SectionAlignment, FileAlignment;
	uint16_t MajorOperatingSystemVersion, MinorOperatingSystemVersion;
	uint16_t MajorImageVersion, MinorImageVersion;
	uint16_t MajorSubsystemVersion, MinorSubsystemVersion;
	uint32_t Win32VersionValue, SizeOfImage, SizeOfHeaders, CheckSum;
	uint16_t Subsystem, DllCharacteristics;
	uint64_t SizeOfStackReserve, SizeOfStackCommit, SizeOfHeapReserve, SizeOfHeapCommit;
	uint32_t LoaderFlags, NumberOfRvaAndSizes;
	struct { uint32_t VirtualAddress, Size; } DataDirectory[IMAGE_NUMBEROF_DIRECTORY_ENTRIES];
};
#define OPTIONAL_HEADER64_FIXED offsetof(struct optional_header64, DataDirectory)

struct section_header {
	char Name[8];
	uint32_t VirtualSize, VirtualAddress, SizeOfRawData, PointerToRawData;
	uint32_t PointerToRelocations, PointerToLinenumbers;
	uint16_t NumberOfRelocations, NumberOfLinenumbers;
	uint32_t Characteristics;
};

_Static_assert(sizeof(struct dos_header) == 64, "MS-DOS header");
_Static_assert(sizeof(struct nt_headers) == 24, "COFF file header");
_Static_assert(OPTIONAL_HEADER64_FIXED == 112 && sizeof(struct optional_header64) == 240,
	       "PE32+ optional header");
_Static_assert(sizeof(struct section_header) == 40, "section header");

/* ---- error messages, in one buffer: images are parsed and loaded one at a time ---- */


/* "section 2 (.data) <what>": names come from the file, so only printable ASCII. */
static int section_fail(const char **why, unsigned i, const struct section_header *sh,
			const char *what)
{
	char name[sizeof(sh->Name) + 1];
	unsigned n;

	for (n = 0; n < sizeof(sh->Name) && sh->Name[n]; n++)
		name[n] = sh->Name[n] >= ' ' && sh->Name[n] <= '~' ? sh->Name[n] : '?';
	name[n] = '\0';
	return fail(why, "section %u (%s) %s", i + 1, name, what);
}

/* ---- pe_parse ---- */

struct head {
	const uint8_t *p;
	size_t len;             /* we have the file's first len bytes */
	uint64_t file_size;     /* of the whole file */
};

static int read_at(const struct head *h, uint64_t off, void *buf, size_t size,
		   const char *what, const char **why)
{
	if (off + size > h->len)
		return off + size > h->file_size ?
			fail(why, "%s extends past the end of the file", what) :
			fail(why, "%s extends past the first %zu bytes read", what, h->len);
	memcpy(buf, h->p + off, size);
	return 0;
}

static bool power_of_2(uint32_t x)
{
	return x && !(x & (x - 1));
}

/* The optional header's own fields, before any section is looked at. */
static int check_optional(const struct optional_header64 *oh, uint64_t file_size,
			  const char **why)
{
	/* Sections get page permissions of their own only if no page holds two. */
	if (!power_of_2(oh->SectionAlignment) || oh->SectionAlignment < EFI_PAGE_SIZE)
		return fail(why, "SectionAlignment %#x is not a power of 2 of at least 4 KiB",
			    oh->SectionAlignment);
	if (!power_of_2(oh->FileAlignment) || oh->FileAlignment > oh->SectionAlignment)
		return fail(why, "FileAlignment %#x is not a power of 2 up to SectionAlignment",
			    oh->FileAlignment);
	if (oh->SizeOfHeaders > oh->SizeOfImage || oh->SizeOfHeaders > file_size)
		return fail(why, "SizeOfHeaders %#x exceeds SizeOfImage or the file",
			    oh->SizeOfHeaders);
	if (oh->Subsystem != IMAGE_SUBSYSTEM_EFI_APPLICATION &&
	    oh->Subsystem != IMAGE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER &&
	    oh->Subsystem != IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER)
		return fail(why, "subsystem %u is not an EFI application or driver",
			    oh->Subsystem);
	for (unsigned i = 0; i < oh->NumberOfRvaAndSizes; i++) {
		uint64_t end = (uint64_t)oh->DataDirectory[i].VirtualAddress +
			       oh->DataDirectory[i].Size;

		if (!oh->DataDirectory[i].Size)
			continue;
		if (i == IMAGE_DIRECTORY_ENTRY_SECURITY ? end > file_size : end > oh->SizeOfImage)
			return fail(why, "data directory %u extends past the %s", i,
				    i == IMAGE_DIRECTORY_ENTRY_SECURITY ? "file" : "image");
	}
	return 0;
}

/* Sections in ascending order, as the PE/COFF specification requires of images, each
 * aligned to SectionAlignment, past the headers and clear of the one before it. */
static int check_sections(const struct head *h, uint64_t table,
			  const struct optional_header64 *oh, struct pe_image *img,
			  const char **why)
{
	uint64_t end = oh->SizeOfHeaders;       /* where the next section may start */
	struct section_header sh;

	img->in_place = true;
	for (unsigned i = 0; i < img->nr_sections; i++) {
		struct pe_section *s = &img->sec[i];

		if (read_at(h, table + i * sizeof(sh), &sh, sizeof(sh), "the section table", why))
			return -1;
		if (sh.VirtualAddress % oh->SectionAlignment)
			return section_fail(why, i, &sh, "is not aligned to SectionAlignment");
		if (sh.VirtualAddress < end)
			return section_fail(why, i, &sh, i ? "overlaps the section before it" :
							     "overlaps the headers");
		if ((uint64_t)sh.VirtualAddress + sh.VirtualSize > oh->SizeOfImage)
			return section_fail(why, i, &sh, "extends past SizeOfImage");
		if (sh.SizeOfRawData &&
		    (uint64_t)sh.PointerToRawData + sh.SizeOfRawData > h->file_size)
			return section_fail(why, i, &sh, "extends past the end of the file");
		/* NX_COMPAT promises W^X sections (Microsoft's UEFI CA memory mitigation
		 * rules): hold the image to it. */
		if (img->nx_compat && (sh.Characteristics & IMAGE_SCN_MEM_WRITE) &&
		    (sh.Characteristics & IMAGE_SCN_MEM_EXECUTE))
			return section_fail(why, i, &sh,
					    "is writable and executable in an NX_COMPAT image");
		*s = (struct pe_section){
			.rva = sh.VirtualAddress, .vsize = sh.VirtualSize,
			.file_off = sh.PointerToRawData,
			.file_size = sh.SizeOfRawData < sh.VirtualSize ? sh.SizeOfRawData :
									 sh.VirtualSize,
			.characteristics = sh.Characteristics,
		};
		if (s->file_size && s->file_off != s->rva)
			img->in_place = false;
		end = (uint64_t)s->rva + s->vsize;
	}
	return 0;
}

/* The section wholly holding [rva, rva + size), if any. */
static const struct pe_section *section_at(const struct pe_image *img, uint64_t rva,
					   uint64_t size)
{
	for (unsigned i = 0; i < img->nr_sections; i++) {
		const struct pe_section *s = &img->sec[i];

		if (rva >= s->rva && rva + size <= (uint64_t)s->rva + s->vsize)
			return s;
	}
	return NULL;
}

/* The MS-DOS header, the PE signature and the COFF file header. */
static int read_file_header(const struct head *h, struct nt_headers *nt, uint64_t *opt,
			    struct pe_image *img, const char **why)
{
	struct dos_header dos;

	if (read_at(h, 0, &dos, sizeof(dos), "the MS-DOS header", why))
		return -1;
	if (dos.e_magic != IMAGE_DOS_SIGNATURE)
		return fail(why, "not a PE image (no MZ signature)");
	if (dos.e_lfanew < sizeof(dos) || dos.e_lfanew % 8)
		return fail(why, "e_lfanew %#x is inside the MS-DOS header or misaligned",
			    dos.e_lfanew);
	if (read_at(h, dos.e_lfanew, nt, sizeof(*nt), "the PE header", why))
		return -1;
	if (nt->Signature != IMAGE_NT_SIGNATURE)
		return fail(why, "not a PE image (no PE signature at %#x)", dos.e_lfanew);
	img->machine = nt->Machine;
	if (nt->Machine != PE_MACHINE_ARM64)
		return fail(why, "not an arm64 image (machine %#x)", nt->Machine);
	if (!(nt->Characteristics & IMAGE_FILE_EXECUTABLE_IMAGE))
		return fail(why, "not an executable image (Characteristics %#x)",
			    nt->Characteristics);
	if (!nt->NumberOfSections || nt->NumberOfSections > PE_MAX_SECTIONS)
		return fail(why, "%u sections: 1 to %u supported", nt->NumberOfSections,
			    PE_MAX_SECTIONS);
	*opt = dos.e_lfanew + sizeof(*nt);
	return 0;
}

/* The optional header, as long as SizeOfOptionalHeader says: its data directories
 * beyond NumberOfRvaAndSizes stay zero. */
static int read_optional_header(const struct head *h, const struct nt_headers *nt,
				uint64_t opt, struct optional_header64 *oh, const char **why)
{
	if (nt->SizeOfOptionalHeader < OPTIONAL_HEADER64_FIXED ||
	    nt->SizeOfOptionalHeader > sizeof(*oh))
		return fail(why, "SizeOfOptionalHeader %u does not fit a PE32+ header",
			    nt->SizeOfOptionalHeader);
	if (read_at(h, opt, oh, nt->SizeOfOptionalHeader, "the optional header", why))
		return -1;
	if (oh->Magic != IMAGE_NT_OPTIONAL_HDR64_MAGIC)
		return fail(why, "not a PE32+ image (optional header magic %#x)", oh->Magic);
	if (oh->NumberOfRvaAndSizes > IMAGE_NUMBEROF_DIRECTORY_ENTRIES ||
	    nt->SizeOfOptionalHeader != OPTIONAL_HEADER64_FIXED + 8 * oh->NumberOfRvaAndSizes)
		return fail(why, "SizeOfOptionalHeader %u does not match NumberOfRvaAndSizes %u",
			    nt->SizeOfOptionalHeader, oh->NumberOfRvaAndSizes);
	if (opt + nt->SizeOfOptionalHeader +
	    nt->NumberOfSections * sizeof(struct section_header) > oh->SizeOfHeaders)
		return fail(why, "SizeOfHeaders %#x does not cover the section table",
			    oh->SizeOfHeaders);
	return check_optional(oh, h->file_size, why);
}

int pe_parse_head(const void *head, size_t head_len, uint64_t file_size,
		  struct pe_image *img, const char **why)
{
	const struct head h = { head, head_len < file_size ? head_len : file_size, file_size };
	struct optional_header64 oh = { 0 };
	const struct pe_section *s;
	struct nt_headers nt;
	uint64_t opt = 0;

	img->machine = 0;       /* the one field a failure leaves set (include/efi/pecoff.h) */
	if (read_file_header(&h, &nt, &opt, img, why) ||
	    read_optional_header(&h, &nt, opt, &oh, why))
		return -1;
	*img = (struct pe_image){
		.machine = nt.Machine, .subsystem = oh.Subsystem, .image_base = oh.ImageBase,
		.file_size = file_size, .size_of_image = oh.SizeOfImage,
		.size_of_headers = oh.SizeOfHeaders, .section_alignment = oh.SectionAlignment,
		.entry_rva = oh.AddressOfEntryPoint,
		.reloc_rva = oh.DataDirectory[IMAGE_DIRECTORY_ENTRY_BASERELOC].VirtualAddress,
		.reloc_size = oh.DataDirectory[IMAGE_DIRECTORY_ENTRY_BASERELOC].Size,
		.relocs_stripped = nt.Characteristics & IMAGE_FILE_RELOCS_STRIPPED,
		.nx_compat = oh.DllCharacteristics & IMAGE_DLLCHARACTERISTICS_NX_COMPAT,
		.nr_sections = nt.NumberOfSections,
	};
	if (check_sections(&h, opt + nt.SizeOfOptionalHeader, &oh, img, why))
		return -1;
	if (img->reloc_size && !section_at(img, img->reloc_rva, img->reloc_size))
		return fail(why, "the base relocations are not inside a section");
	s = section_at(img, img->entry_rva, 1);
	if (!s || !(s->characteristics & IMAGE_SCN_MEM_EXECUTE))
		return fail(why, "entry point %#x is not in an executable section",
			    img->entry_rva);
	return 0;
}

/* ---- pe_load ---- */

/* Copy the headers and each section's file data into dest, unless they are there
 * already (file NULL), and zero everything else up to SizeOfImage: the sections are in
 * ascending order, so the gaps are between one's file data and the next one's start. */
static void lay_out(const struct pe_image *img, const uint8_t *file, uint8_t *dest)
{
	uint32_t end = img->size_of_headers;

	if (file)
		memcpy(dest, file, img->size_of_headers);
	for (unsigned i = 0; i < img->nr_sections; i++) {
		const struct pe_section *s = &img->sec[i];

		memset(dest + end, 0, s->rva - end);
		if (file)
			memcpy(dest + s->rva, file + s->file_off, s->file_size);
		end = s->rva + s->file_size;
	}
	memset(dest + end, 0, img->size_of_image - end);
}

/* Apply the base relocations for running at load_addr. They are read from the image
 * being relocated, which they may patch themselves: so each block and entry is checked
 * as it is read, never ahead. */
static int relocate(const struct pe_image *img, uint8_t *dest, uint64_t load_addr,
		    const char **why)
{
	const uint8_t *dir = dest + img->reloc_rva;
	uint64_t delta = load_addr - img->image_base;
	uint32_t off, page, block;
	uint16_t entry;

	for (off = 0; off < img->reloc_size; off += block) {
		if (img->reloc_size - off < 8)
			return fail(why, "base relocation block at %#x is truncated", off);
		memcpy(&page, dir + off, 4);
		memcpy(&block, dir + off + 4, 4);
		if (block < 8 || block % 2 || block > img->reloc_size - off)
			return fail(why, "base relocation block at %#x has a bad size %#x", off,
				    block);
		for (uint32_t e = off + 8; e < off + block; e += 2) {
			uint64_t target, val;

			memcpy(&entry, dir + e, 2);
			target = (uint64_t)page + (entry & 0xfff);
			if (entry >> 12 == IMAGE_REL_BASED_ABSOLUTE)
				continue;
			if (entry >> 12 != IMAGE_REL_BASED_DIR64)
				return fail(why, "base relocation type %u at %#llx is not supported",
					    entry >> 12, (unsigned long long)target);
			if (target + 8 > img->size_of_image)
				return fail(why, "base relocation at %#llx is outside the image",
					    (unsigned long long)target);
			memcpy(&val, dest + target, 8);
			val += delta;
			memcpy(dest + target, &val, 8);
		}
	}
	return 0;
}

int pe_load(const struct pe_image *img, const void *file, void *dest, uint64_t load_addr,
	    const char **why)
{
	if (img->relocs_stripped && load_addr != img->image_base)
		return fail(why, "relocations stripped: the image only runs at %#llx",
			    (unsigned long long)img->image_base);
	lay_out(img, file, dest);
	return relocate(img, dest, load_addr, why);
}

int pe_load_in_place(const struct pe_image *img, void *dest, uint64_t load_addr,
		     const char **why)
{
	if (!img->in_place)
		return fail(why, "the image's sections are not where the file has them");
	return pe_load(img, NULL, dest, load_addr, why);
}

/* ---- what the loaded image needs ---- */

/* A section that asks for W+X (only an image without NX_COMPAT may) gets RX: no mapping
 * is ever both, and the entry point must run. */
unsigned pe_section_prot(const struct pe_section *s)
{
	if (s->characteristics & IMAGE_SCN_MEM_EXECUTE)
		return PT_R | PT_X;
	if (s->characteristics & IMAGE_SCN_MEM_WRITE)
		return PT_R | PT_W;
	return PT_R;
}

EFI_MEMORY_TYPE pe_code_type(const struct pe_image *img)
{
	switch (img->subsystem) {
	case IMAGE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER:
		return EfiBootServicesCode;
	case IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER:
		return EfiRuntimeServicesCode;
	default:
		return EfiLoaderCode;
	}
}

EFI_MEMORY_TYPE pe_data_type(const struct pe_image *img)
{
	switch (img->subsystem) {
	case IMAGE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER:
		return EfiBootServicesData;
	case IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER:
		return EfiRuntimeServicesData;
	default:
		return EfiLoaderData;
	}
}
