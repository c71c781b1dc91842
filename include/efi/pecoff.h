/* PE32+ images (Microsoft PE/COFF specification; UEFI 2.10 section 2.1.1): validate the
 * headers, then lay the image out in memory and apply its base relocations.
 *
 * Everything in an image is untrusted. pe_parse checks every header field it relies on
 * before use, against the file's size and SizeOfImage, so that pe_load only copies,
 * zeroes and relocates within bounds that are already known to be good. */
#ifndef EFILITE_EFI_PECOFF_H
#define EFILITE_EFI_PECOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "efitypes.h"

#define PE_MACHINE_ARM64  0xaa64
#define PE_MAX_SECTIONS   32     /* a unified kernel image has about 12 */

struct pe_section {
	uint32_t rva, vsize;          /* VirtualAddress, VirtualSize */
	uint32_t file_off;            /* PointerToRawData */
	uint32_t file_size;           /* bytes taken from the file: min(SizeOfRawData, vsize) */
	uint32_t characteristics;     /* IMAGE_SCN_* */
};

struct pe_image {
	uint16_t machine;             /* set as soon as read, even when pe_parse fails */
	uint16_t subsystem;           /* EFI application, boot or runtime driver */
	uint64_t image_base;          /* the address the image was linked at */
	uint64_t file_size;           /* of the whole file */
	uint32_t size_of_image, size_of_headers, section_alignment, entry_rva;
	uint32_t reloc_rva, reloc_size;  /* base relocation directory; size 0 if none */
	bool relocs_stripped;         /* can only run at image_base */
	bool nx_compat;               /* IMAGE_DLLCHARACTERISTICS_NX_COMPAT: never W+X */
	/* Every section's file data sits at its RVA: a copy of the file's first
	 * min(file_size, size_of_image) bytes is the image, once pe_load_in_place has
	 * zeroed what lies outside the sections' file data and applied relocations. */
	bool in_place;
	unsigned nr_sections;
	struct pe_section sec[PE_MAX_SECTIONS];   /* in ascending, non-overlapping order */
};

/* Validate a PE32+ image for arm64 and describe it in *img. head holds the file's first
 * head_len bytes (at least its headers up to the section table: 4 KiB is plenty for
 * every real image) of file_size in all; only those are read. 0, or -1 with *why saying
 * what is wrong, in a static buffer valid until the next call. */
int pe_parse_head(const void *head, size_t head_len, uint64_t file_size,
		  struct pe_image *img, const char **why);
static inline int pe_parse(const void *file, size_t file_size, struct pe_image *img,
			   const char **why)
{
	return pe_parse_head(file, file_size, file_size, img, why);
}

/* Lay out the image from the whole file into dest (img->size_of_image bytes, any
 * contents) to run at load_addr: headers and section data copied, everything else
 * zeroed, relocations applied. 0, or -1 with *why (dest is then garbage). */
int pe_load(const struct pe_image *img, const void *file, void *dest, uint64_t load_addr,
	    const char **why);

/* The same for an in_place image whose file was copied to dest as is: zero what is not
 * section data or headers, then apply relocations, reading only dest. */
int pe_load_in_place(const struct pe_image *img, void *dest, uint64_t load_addr,
		     const char **why);

/* What a section needs (PT_* from pgtable.h): code RX, writable data RW, other data R.
 * The headers are R. */
unsigned pe_section_prot(const struct pe_section *s);

/* Memory types for the image's code and data, by subsystem (UEFI 2.10 section 2.1.1). */
EFI_MEMORY_TYPE pe_code_type(const struct pe_image *img);
EFI_MEMORY_TYPE pe_data_type(const struct pe_image *img);

#endif
