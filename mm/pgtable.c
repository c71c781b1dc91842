/* Stage 1 translation-table encoder (4 KiB granule). Host-buildable: no hardware access;
 * live updates go through ctx->replace. */
#include "pgtable.h"

#define LEVEL_SHIFT(l) (12 + 9 * (3 - (l)))
#define BLOCK_SIZE(l)  (1ULL << LEVEL_SHIFT(l))

unsigned pt_start_level(unsigned va_bits)
{
	/* Each level resolves 9 bits above the 12-bit page offset. */
	return 3 - (va_bits - 12 - 1) / 9;
}

unsigned pt_root_entries(unsigned va_bits)
{
	return 1u << (va_bits - LEVEL_SHIFT(pt_start_level(va_bits)));
}

uint64_t pt_leaf_attrs(enum pt_regime regime, unsigned prot)
{
	uint64_t d = PT_VALID | PT_AF;

	if (!(prot & PT_R) || ((prot & PT_W) && (prot & PT_X) && !(prot & PT_FLIP)))
		return 0;
	if ((prot & PT_DEVICE) && (prot & (PT_X | PT_NC | PT_FLIP)))
		return 0;
	if (prot & PT_FLIP)
		d |= PT_SW_FLIP;
	if (prot & PT_DEVICE)
		d |= (uint64_t)PT_IDX_DEVICE << 2;
	else
		d |= PT_SH_IS | ((uint64_t)((prot & PT_NC) ? PT_IDX_NC : PT_IDX_NORMAL) << 2);
	if (!(prot & PT_W))
		d |= PT_AP_RO;
	if (regime == PT_EL1) {
		/* Nothing is for EL0: no EL0 access, never EL0-executable. */
		d |= PT_UXN;
		if (!(prot & PT_X))
			d |= PT_PXN;
	} else {
		d |= PT_AP_1;
		if (!(prot & PT_X))
			d |= PT_UXN;
	}
	return d;
}

unsigned pt_leaf_prot(enum pt_regime regime, uint64_t d)
{
	unsigned prot = PT_R;
	unsigned idx = (d >> 2) & 7;

	if (!(d & PT_VALID))
		return 0;
	if (!(d & PT_AP_RO))
		prot |= PT_W;
	if (!(d & (regime == PT_EL1 ? PT_PXN : PT_UXN)))
		prot |= PT_X;
	if (idx == PT_IDX_DEVICE)
		prot |= PT_DEVICE;
	else if (idx == PT_IDX_NC)
		prot |= PT_NC;
	if (d & PT_SW_FLIP)
		prot |= PT_FLIP;
	return prot;
}

static void set_entry(struct pt_ctx *ctx, uint64_t *e, uint64_t val, uint64_t va, unsigned level)
{
	if (ctx->replace && (*e & PT_VALID))
		ctx->replace(ctx, e, val, va, level);
	else
		*e = val;
}

/* Replace the block at *e (covering va at level) by a table of equivalent entries. */
static int split_block(struct pt_ctx *ctx, uint64_t *e, uint64_t va, unsigned level)
{
	uint64_t tbl = ctx->alloc(ctx), old = *e;
	uint64_t *t;
	unsigned i;

	if (!tbl)
		return -1;
	t = ctx->table(ctx, tbl);
	if (old & PT_VALID) {
		uint64_t step = BLOCK_SIZE(level + 1);
		uint64_t keep = (old & ~PT_ADDR_MASK) | (level + 1 == 3 ? PT_TABLE : 0);

		for (i = 0; i < 512; i++)
			t[i] = keep | ((old & PT_ADDR_MASK) + i * step);
	}
	set_entry(ctx, e, tbl | PT_TABLE | PT_VALID, va, level);
	return 0;
}

static int map_level(struct pt_ctx *ctx, uint64_t tbl, unsigned level, uint64_t va,
		     uint64_t pa, uint64_t size, uint64_t attrs)
{
	uint64_t *t = ctx->table(ctx, tbl);
	unsigned shift = LEVEL_SHIFT(level);
	uint64_t bsz = BLOCK_SIZE(level);

	while (size) {
		unsigned i = (va >> shift) & 511;
		uint64_t *e = &t[i];
		uint64_t end = (va & ~(bsz - 1)) + bsz;
		uint64_t chunk = (end - va < size) ? end - va : size;
		/* 4 KiB granule: blocks at levels 1 and 2 only, pages at level 3. */
		/* Unmapping needs no pa alignment: a whole block simply goes. */
		int leaf_ok = level == 3 ||
			      (level >= 1 && chunk == bsz && (!attrs || !(pa & (bsz - 1))));

		if (leaf_ok) {
			uint64_t val = attrs ? (pa | attrs | (level == 3 ? PT_TABLE : 0)) : 0;
			set_entry(ctx, e, val, va, level);
		} else {
			if (!((*e & PT_VALID) && (*e & PT_TABLE))) {
				if (!(*e & PT_VALID) && !attrs)
					goto next;      /* unmapping what is not mapped */
				if (split_block(ctx, e, va, level))
					return -1;
			}
			if (map_level(ctx, *e & PT_ADDR_MASK, level + 1, va, pa, chunk, attrs))
				return -1;
		}
next:
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
	return 0;
}

int pt_map(struct pt_ctx *ctx, uint64_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	uint64_t attrs = 0;

	if ((va | pa | size) & 0xfff)
		return -1;
	if (va + size < va || (ctx->va_bits < 64 && va + size > (1ULL << ctx->va_bits)))
		return -1;
	/* The output address must fit the descriptor's bits 47:12; above them are attributes. */
	if (prot && (pa + size < pa || pa + size > (PT_ADDR_MASK | 0xfff) + 1))
		return -1;
	if (prot) {
		attrs = pt_leaf_attrs(ctx->regime, prot);
		if (!attrs)
			return -1;
	}
	return map_level(ctx, ctx->root, pt_start_level(ctx->va_bits), va, pa, size, attrs);
}

uint64_t pt_lookup(struct pt_ctx *ctx, uint64_t va, unsigned *level)
{
	uint64_t tbl = ctx->root;
	unsigned l;

	if (ctx->va_bits < 64 && va >= (1ULL << ctx->va_bits))
		return 0;
	for (l = pt_start_level(ctx->va_bits); l <= 3; l++) {
		uint64_t d = ctx->table(ctx, tbl)[(va >> LEVEL_SHIFT(l)) & 511];

		if (!(d & PT_VALID))
			return 0;
		if (l == 3 || !(d & PT_TABLE)) {
			if (level)
				*level = l;
			return d;
		}
		tbl = d & PT_ADDR_MASK;
	}
	return 0;
}

uint64_t pt_tcr(enum pt_regime regime, unsigned va_bits, unsigned pa_range)
{
	/* T0SZ | IRGN0=WBWA | ORGN0=WBWA | SH0=inner | TG0=4K */
	uint64_t tcr = (64 - va_bits) | (1 << 8) | (1 << 10) | (3 << 12);

	if (pa_range > 5)
		pa_range = 5;          /* 48 bits: we do not use 52-bit descriptors */
	if (regime == PT_EL1)
		return tcr | (1ULL << 23) | ((uint64_t)pa_range << 32);   /* EPD1, IPS */
	return tcr | (1ULL << 31) | (1ULL << 23) | ((uint64_t)pa_range << 16); /* RES1, PS */
}
