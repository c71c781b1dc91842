/* VMSAv8-64 stage 1 translation tables, 4 KiB granule: one encoder used both by the
 * build-time generator of the baked tables (mm/mkbaked.c, on the host) and at run time. */
#ifndef EFILITE_PGTABLE_H
#define EFILITE_PGTABLE_H

#include <stdint.h>

/* Translation regimes differ in their leaf permission bits: EL1&0 has AP[1] for EL0
 * and separate PXN/UXN; EL2 (E2H=0) and EL3 have AP[1] RES1 and one XN at bit 54. */
enum pt_regime { PT_EL1, PT_EL2 };

/* Protections: a mapping is readable or absent; W and X are never both set, except on
 * a PT_FLIP page a store-exclusive writes from within (mm/wx.c, docs/handoff.md). */
#define PT_R      1u
#define PT_W      2u
#define PT_X      4u
#define PT_DEVICE 8u     /* Device-nGnRE instead of Normal write-back */
#define PT_NC     16u    /* Normal non-cacheable (frame buffers) */
#define PT_FLIP   32u    /* a loader's code page: permissions follow its faults (mm/wx.c) */

/* MAIR: index 0 Normal WB RA/WA, 1 Device-nGnRE, 2 Normal NC, 3 Device-nGnRnE. */
#define MAIR_VALUE 0x0000000000004404ffULL
#define PT_IDX_NORMAL 0
#define PT_IDX_DEVICE 1
#define PT_IDX_NC     2

#define PT_VALID  (1ULL << 0)
#define PT_TABLE  (1ULL << 1)    /* table (levels 0-2) or page (level 3) */
#define PT_AF     (1ULL << 10)
#define PT_SH_IS  (3ULL << 8)
#define PT_AP_RO  (1ULL << 7)    /* AP[2] */
#define PT_AP_1   (1ULL << 6)    /* AP[1]: EL0 access at EL1; RES1 at EL2 */
#define PT_PXN    (1ULL << 53)
#define PT_UXN    (1ULL << 54)   /* XN at EL2/EL3 */
#define PT_SW_FLIP (1ULL << 55)  /* software bit (ignored by the walker): PT_FLIP */
#define PT_ADDR_MASK 0x0000fffffffff000ULL

struct pt_ctx {
	enum pt_regime regime;
	unsigned va_bits;      /* 25..48: the region is [0, 2^va_bits) */
	uint64_t root;         /* address of the root table */
	/* A new zeroed 4 KiB table; returns its address, 0 when out of memory. */
	uint64_t (*alloc)(struct pt_ctx *ctx);
	/* Access a table by its (physical) address: identity at run time, a buffer on the host. */
	uint64_t *(*table)(struct pt_ctx *ctx, uint64_t addr);
	/* Called to replace a valid entry (live tables need break-before-make);
	 * NULL for tables not in use yet: the entry is simply written. */
	void (*replace)(struct pt_ctx *ctx, uint64_t *entry, uint64_t val, uint64_t va, unsigned level);
	void *priv;
};

/* The level the walk starts at for va_bits (0..3 for 4 KiB granule). */
unsigned pt_start_level(unsigned va_bits);
/* Number of entries of the root table (other levels have 512). */
unsigned pt_root_entries(unsigned va_bits);
/* Leaf attribute bits for prot in regime (0 when prot is invalid: no R, or W with X
 * without PT_FLIP). */
uint64_t pt_leaf_attrs(enum pt_regime regime, unsigned prot);
/* The protection a leaf descriptor gives (inverse of pt_leaf_attrs; 0 when invalid). */
unsigned pt_leaf_prot(enum pt_regime regime, uint64_t desc);

/* Map [va, va+size) to pa with prot (0 unmaps), using the largest blocks that alignment
 * allows, splitting blocks where a range covers only part of one. All of va, pa and
 * size must be 4 KiB aligned. Returns 0, or -1 (bad arguments, W+X, out of tables). */
int pt_map(struct pt_ctx *ctx, uint64_t va, uint64_t pa, uint64_t size, unsigned prot);

/* The leaf descriptor that maps va (0 if unmapped), and its level. */
uint64_t pt_lookup(struct pt_ctx *ctx, uint64_t va, unsigned *level);

/* TCR_ELx value for these tables: T0SZ from va_bits, 4 KiB granule, inner-shareable
 * write-back walks; pa_range is ID_AA64MMFR0_EL1.PARange (0..6). EL1 disables TTBR1. */
uint64_t pt_tcr(enum pt_regime regime, unsigned va_bits, unsigned pa_range);

#endif
