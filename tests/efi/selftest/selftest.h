/*
 * The in-guest conformance self-test: a registry of cases in the style of U-Boot's
 * efi_selftest. Each case has an optional setup, an execute and an optional teardown,
 * and reports one line: "PASS name", "FAIL name: reason" or "SKIP name: reason".
 * Boot services are called directly: on arm64 EFIAPI is the standard AAPCS64
 * convention, so gnu-efi's uefi_call_wrapper() would only add noise.
 */
#ifndef SELFTEST_H
#define SELFTEST_H

#include <efi.h>
#include <efilib.h>

enum result { PASS, FAIL, SKIP };

struct selftest {
	const CHAR16 *name;
	enum result (*setup)(void);     /* may be NULL */
	enum result (*execute)(void);
	enum result (*teardown)(void);  /* may be NULL; runs after a failed setup too */
};

/* Each file's cases, terminated by an entry without a name (main.c runs them in order). */
extern const struct selftest memory_tests[], protocol_tests[], event_tests[],
	misc_tests[], image_tests[], console_tests[], rng_tests[], runtime_tests[],
	ebs_tests[], devpath_text_tests[], disk_tests[], file_tests[];

/* Record why a case failed or was skipped; the value is what execute should return. */
enum result fail(const CHAR16 *fmt, ...);
enum result skip(const CHAR16 *fmt, ...);

/* Fail the case unless call returns the status want. */
#define EXPECT(call, want) do {							\
	EFI_STATUS s_ = (call);							\
	if (s_ != (EFI_STATUS)(want))						\
		return fail(L"%a: %r, expected %r", #call, s_, (EFI_STATUS)(want)); \
} while (0)
#define CHECK(cond) do {							\
	if (!(cond))								\
		return fail(L"%a", #cond);					\
} while (0)

/* GUIDs and definitions gnu-efi 3.0.15 lacks. */
#define SELFTEST_GUID(n) \
	{ 0x5e1f7e57, 0x0000 + (n), 0x4c1e, { 0x9a, 0x7b, 0x3e, 0x11, 0x7e, 0x57, 0xca, 0x5e } }
#define EFI_PERSISTENT_MEMORY           14
#define EFI_MEMORY_RO                   0x20000ULL
#define EFI_RT_PROPERTIES_TABLE_GUID \
	{ 0xeb66918a, 0x7eef, 0x402a, { 0x84, 0x2e, 0x93, 0x1d, 0x21, 0xc3, 0x8a, 0xe9 } }
#define EFI_RT_SUPPORTED_RESET_SYSTEM   0x400

/* The finale, after the summary (ebs.c): ExitBootServices with a fresh map key, reported
 * through the UART, then power-off. Returns only if ExitBootServices failed. */
EFI_STATUS exit_boot_services(void);

/* Helpers (main.c). */
extern EFI_HANDLE self;                 /* this image */
BOOLEAN guid_eq(const EFI_GUID *a, const EFI_GUID *b);
UINT64 now_us(void);                    /* the generic timer's virtual counter */
EFI_TPL current_tpl(void);
/* The memory map in a new pool buffer (FreePool it); NULL on failure. */
EFI_MEMORY_DESCRIPTOR *memory_map(UINTN *size, UINTN *key, UINTN *desc_size);
/* The descriptor of map that holds addr, or NULL. */
EFI_MEMORY_DESCRIPTOR *map_find(EFI_MEMORY_DESCRIPTOR *map, UINTN size, UINTN desc_size,
				EFI_PHYSICAL_ADDRESS addr);
UINT32 crc32(const void *data, UINTN size);
/* A table header's CRC32, recomputed over a copy with the CRC field zeroed (section 4.2). */
BOOLEAN header_crc_ok(const EFI_TABLE_HEADER *hdr);
/* Walk a device path's nodes: its size including the end node, 0 if malformed. */
UINTN devpath_size(const EFI_DEVICE_PATH *path);

#endif
