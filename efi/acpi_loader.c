/* The interpreter of QEMU's etc/table-loader script (include/efi/acpi_loader.h), and the
 * check of the ACPI tables it produced (ACPI 6.5 sections 5.2.5 to 5.2.9). */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include "log.h"
#include "efi/acpi_loader.h"
#include "why.h"
#include "util.h"

enum {
	CMD_ALLOCATE = 1,
	CMD_ADD_POINTER = 2,
	CMD_ADD_CHECKSUM = 3,
	CMD_WRITE_POINTER = 4,
};
#define ZONE_HIGH 1             /* anywhere a 32-bit pointer reaches */
#define ZONE_FSEG 2             /* x86's F segment, for the RSDP of BIOS boots */
#define PAGE_SIZE 4096          /* the allocate callback's alignment */

/* One command, little-endian like the script; the union pads it to 128 bytes. */
struct loader_cmd {
	uint32_t command;
	union {
		struct {
			char file[ACPI_LOADER_FILESZ];
			uint32_t align;
			uint8_t zone;
		} __attribute__((packed)) alloc;
		struct {
			char dest_file[ACPI_LOADER_FILESZ];
			char src_file[ACPI_LOADER_FILESZ];
			uint32_t offset;
			uint8_t size;
		} __attribute__((packed)) pointer;
		struct {
			char file[ACPI_LOADER_FILESZ];
			uint32_t offset, start, length;
		} __attribute__((packed)) cksum;
		struct {
			char dest_file[ACPI_LOADER_FILESZ];
			char src_file[ACPI_LOADER_FILESZ];
			uint32_t dst_offset, src_offset;
			uint8_t size;
		} __attribute__((packed)) wr_pointer;
		uint8_t pad[ACPI_LOADER_ENTRY_SIZE - 4];
	};
} __attribute__((packed));
_Static_assert(sizeof(struct loader_cmd) == ACPI_LOADER_ENTRY_SIZE, "loader command");

/* ---- error messages: what is wrong, then which command it was in ---- */

static char msg[224];

/* ---- helpers ---- */

static uint64_t get_le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	while (size--)
		v = v << 8 | p[size];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++, v >>= 8)
		p[i] = v;
}

/* len bytes at off lie inside a file of size bytes (64-bit: no wrap-around). */
static bool inside(uint32_t size, uint64_t off, uint64_t len)
{
	return off <= size && len <= size - off;
}

static bool valid_pointer_size(uint8_t size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* The address of offset in src, as a pointer of size bytes. */
static int pointer_to(const struct acpi_blob *src, uint64_t offset, uint8_t size,
		      uint64_t *value, const char **why)
{
	if (offset >= src->size)
		return fail(why, "offset %#llx is outside %s (%#x bytes)",
			    (unsigned long long)offset, src->name, src->size);
	*value = (uintptr_t)src->data + offset;
	if (size < 8 && *value >> (8 * size))
		return fail(why, "the address of %s does not fit in %u bytes", src->name, size);
	return 0;
}

/* A file name field: NUL-terminated inside its 56 bytes, and not empty. */
static int check_name(const char *name, const char **why)
{
	if (!memchr(name, 0, ACPI_LOADER_FILESZ))
		return fail(why, "a file name fills its %u bytes without a NUL", ACPI_LOADER_FILESZ);
	if (!name[0])
		return fail(why, "a file name is empty");
	return 0;
}

/* The index of the loaded file name, or -1. */
static int find(const struct acpi_loader *l, const char *name)
{
	for (unsigned i = 0; i < l->nr_blobs; i++)
		if (!strcmp(l->blob[i].name, name))
			return i;
	return -1;
}

static struct acpi_blob *loaded(struct acpi_loader *l, const char *name, const char **why)
{
	int i;

	if (check_name(name, why))
		return NULL;
	i = find(l, name);
	if (i < 0)
		fail(why, "%s was not loaded by an earlier ALLOCATE", name);
	return i < 0 ? NULL : &l->blob[i];
}

/* ---- the commands ---- */

static int allocate(struct acpi_loader *l, const struct loader_cmd *c,
		    const struct acpi_loader_ops *ops, const char **why)
{
	uint32_t align = c->alloc.align;
	struct acpi_blob *b;

	if (check_name(c->alloc.file, why))
		return -1;
	if (find(l, c->alloc.file) >= 0)
		return fail(why, "%s is loaded twice", c->alloc.file);
	if (l->nr_blobs == ACPI_LOADER_MAX_FILES)
		return fail(why, "more than %u files", ACPI_LOADER_MAX_FILES);
	/* Memory comes in pages: any power of 2 up to a page is met. */
	if ((align & (align - 1)) || align > PAGE_SIZE)
		return fail(why, "alignment %#x is not a power of 2 up to 4 KiB", align);
	if (c->alloc.zone != ZONE_HIGH && c->alloc.zone != ZONE_FSEG)
		return fail(why, "unknown zone %u", c->alloc.zone);
	b = &l->blob[l->nr_blobs];
	if (ops->allocate(c->alloc.file, &b->data, &b->size))
		return fail(why, "cannot load %s", c->alloc.file);
	memcpy(b->name, c->alloc.file, sizeof(b->name));
	l->nr_blobs++;
	return 0;
}

static int add_pointer(struct acpi_loader *l, const struct loader_cmd *c, const char **why)
{
	struct acpi_blob *dest = loaded(l, c->pointer.dest_file, why);
	struct acpi_blob *src = dest ? loaded(l, c->pointer.src_file, why) : NULL;
	uint8_t size = c->pointer.size;
	uint64_t offset, value;

	if (!src)
		return -1;
	if (!valid_pointer_size(size))
		return fail(why, "pointer size %u is not 1, 2, 4 or 8", size);
	if (!inside(dest->size, c->pointer.offset, size))
		return fail(why, "%u-byte pointer at %#x is outside %s (%#x bytes)", size,
			    c->pointer.offset, dest->name, dest->size);
	/* The field holds an offset into src: it must point inside it. */
	offset = get_le(dest->data + c->pointer.offset, size);
	if (pointer_to(src, offset, size, &value, why))
		return -1;
	put_le(dest->data + c->pointer.offset, value, size);
	return 0;
}

static int add_checksum(struct acpi_loader *l, const struct loader_cmd *c, const char **why)
{
	struct acpi_blob *b = loaded(l, c->cksum.file, why);

	if (!b)
		return -1;
	if (!inside(b->size, c->cksum.offset, 1) ||
	    !inside(b->size, c->cksum.start, c->cksum.length))
		return fail(why, "checksum at %#x over %#x bytes from %#x is outside %s (%#x bytes)",
			    c->cksum.offset, c->cksum.length, c->cksum.start, b->name, b->size);
	b->data[c->cksum.offset] -= sum8(b->data + c->cksum.start, c->cksum.length);
	return 0;
}

/* The destination is a writable fw_cfg file, not a loaded one: ops checks its bounds. */
static int write_pointer(struct acpi_loader *l, const struct loader_cmd *c,
			 const struct acpi_loader_ops *ops, const char **why)
{
	struct acpi_blob *src = loaded(l, c->wr_pointer.src_file, why);
	uint8_t size = c->wr_pointer.size;
	uint64_t value;

	if (!src || check_name(c->wr_pointer.dest_file, why))
		return -1;
	if (!valid_pointer_size(size))
		return fail(why, "pointer size %u is not 1, 2, 4 or 8", size);
	if (pointer_to(src, c->wr_pointer.src_offset, size, &value, why))
		return -1;
	if (ops->write_pointer(c->wr_pointer.dest_file, c->wr_pointer.dst_offset, value, size))
		return fail(why, "cannot write to %s", c->wr_pointer.dest_file);
	return 0;
}

static const char *cmd_name(uint32_t command)
{
	static const char *const names[] = {
		"?", "ALLOCATE", "ADD_POINTER", "ADD_CHECKSUM", "WRITE_POINTER",
	};

	return names[command <= CMD_WRITE_POINTER ? command : 0];
}

/* Commands run in order, once: QEMU orders them so that every file is loaded before
 * use and checksums come after the pointers they cover. An unknown command is refused:
 * skipping it could leave tables half-made, and the OS still has the device tree. */
int acpi_loader_run(struct acpi_loader *l, const void *script, size_t len,
		    const struct acpi_loader_ops *ops, const char **why)
{
	struct loader_cmd c;
	int r;

	l->nr_blobs = 0;
	if (len % sizeof(c))
		return fail(why, "%zu bytes are not a whole number of %zu-byte commands", len,
			    sizeof(c));
	for (size_t i = 0; i < len / sizeof(c); i++) {
		memcpy(&c, (const uint8_t *)script + i * sizeof(c), sizeof(c));
		switch (c.command) {
		case CMD_ALLOCATE:      r = allocate(l, &c, ops, why); break;
		case CMD_ADD_POINTER:   r = add_pointer(l, &c, why); break;
		case CMD_ADD_CHECKSUM:  r = add_checksum(l, &c, why); break;
		case CMD_WRITE_POINTER: r = write_pointer(l, &c, ops, why); break;
		default:                r = fail(why, "unknown command %#x", c.command); break;
		}
		if (r) {
			snprintf(msg, sizeof(msg), "command %zu (%s): %s", i + 1,
				 cmd_name(c.command), *why);
			*why = msg;
			return -1;
		}
	}
	return 0;
}

/* ---- the result: RSDP, XSDT and the tables, as the OS will walk them ---- */

#define ACPI_HEADER_SIZE   36           /* the System Description Table Header */
#define RSDP_SIZE          36           /* ACPI 2.0+: with Length and XsdtAddress */
#define RSDP_V1_SIZE       20           /* the part the first checksum covers */
#define RSDP_REVISION      15
#define RSDP_LENGTH        20
#define RSDP_XSDT          24
#define FADT_DSDT          40
#define FADT_X_DSDT        140

static const struct acpi_blob *blob_at(const struct acpi_loader *l, uint64_t addr)
{
	for (unsigned i = 0; i < l->nr_blobs; i++)
		if (addr >= (uintptr_t)l->blob[i].data &&
		    addr - (uintptr_t)l->blob[i].data < l->blob[i].size)
			return &l->blob[i];
	return NULL;
}

/* The table at addr (with signature sig, unless NULL): inside one loaded file, its
 * Length too, and its bytes sum to 0. */
static int table_at(const struct acpi_loader *l, uint64_t addr, const char *sig,
		    const uint8_t **table, const char **why)
{
	const struct acpi_blob *b = blob_at(l, addr);
	unsigned long long a = addr;
	const uint8_t *t;
	uint64_t off;
	uint32_t length;

	if (!b)
		return fail(why, "%s at %#llx is outside the loaded files", sig ? sig : "a table", a);
	off = addr - (uintptr_t)b->data;
	if (!inside(b->size, off, ACPI_HEADER_SIZE))
		return fail(why, "table at %#llx: header cut short by the end of %s", a, b->name);
	t = b->data + off;
	length = get_le(t + 4, 4);
	if (sig && memcmp(t, sig, 4))
		return fail(why, "%.4s at %#llx where the %s belongs", (const char *)t, a, sig);
	if (length < ACPI_HEADER_SIZE || !inside(b->size, off, length))
		return fail(why, "%.4s at %#llx: length %#x does not fit in %s", (const char *)t,
			    a, length, b->name);
	if (sum8(t, length))
		return fail(why, "%.4s at %#llx: checksum error", (const char *)t, a);
	*table = t;
	return 0;
}

static int check_fadt(const struct acpi_loader *l, const uint8_t *fadt, const char **why)
{
	uint32_t length = get_le(fadt + 4, 4);
	uint64_t dsdt = length >= FADT_X_DSDT + 8 ? get_le(fadt + FADT_X_DSDT, 8) : 0;
	const uint8_t *t;

	/* X_DSDT wins when set (ACPI 6.5 section 5.2.9). */
	if (!dsdt && length >= FADT_DSDT + 4)
		dsdt = get_le(fadt + FADT_DSDT, 4);
	if (!dsdt)
		return fail(why, "the FADT names no DSDT");
	return table_at(l, dsdt, "DSDT", &t, why);
}

int acpi_loader_check(const struct acpi_loader *l, void **rsdp, const char **why)
{
	int i = find(l, ACPI_RSDP_FILE);
	const struct acpi_blob *b;
	const uint8_t *xsdt, *t;
	uint32_t length;

	if (i < 0)
		return fail(why, "the script loads no %s", ACPI_RSDP_FILE);
	b = &l->blob[i];
	if (b->size < RSDP_SIZE || memcmp(b->data, "RSD PTR ", 8))
		return fail(why, "%s holds no RSDP", ACPI_RSDP_FILE);
	length = get_le(b->data + RSDP_LENGTH, 4);
	if (b->data[RSDP_REVISION] < 2 || length < RSDP_SIZE || length > b->size)
		return fail(why, "RSDP revision %u length %#x: not an ACPI 2.0+ RSDP in %#x bytes",
			    b->data[RSDP_REVISION], length, b->size);
	if (sum8(b->data, RSDP_V1_SIZE) || sum8(b->data, length))
		return fail(why, "RSDP: checksum error");
	if (table_at(l, get_le(b->data + RSDP_XSDT, 8), "XSDT", &xsdt, why))
		return -1;
	length = get_le(xsdt + 4, 4);
	for (uint64_t off = ACPI_HEADER_SIZE; off + 8 <= length; off += 8)
		if (table_at(l, get_le(xsdt + off, 8), NULL, &t, why) ||
		    (!memcmp(t, "FACP", 4) && check_fadt(l, t, why)))
			return -1;
	*rsdp = b->data;
	return 0;
}
