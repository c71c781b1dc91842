/* Shared harness of the pgtable host tests (test_pgtable_*.c) for mm/pgtable.c.
 *
 * Tables live in host buffers: the fake "physical" address TBL_BASE + 0x1000 * k names
 * pool[k]. Every table access goes through ctx->table, which checks the address, and the
 * optional replace callback checks that it is only called for valid entries, with a
 * va/level that walks to the very entry being replaced (break-before-make contract).
 * Include after <cmocka.h>: the helpers fail the running test.
 */
#ifndef PGTABLE_HARNESS_H
#define PGTABLE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pgtable.h"

#define SZ_4K  0x1000ULL
#define SZ_2M  0x200000ULL
#define SZ_1G  0x40000000ULL
#define SZ_512G (512 * SZ_1G)

/* Where the fake physical addresses of tables start: far from every pa the tests map. */
#define TBL_BASE 0x0000a00000000000ULL

struct repl_rec {
	uint64_t *entry;
	uint64_t old, val, va;
	unsigned level;
};

struct host {
	struct pt_ctx ctx;          /* first: ctx->priv also points back here */
	uint64_t **pool;            /* pool[k]: the table at TBL_BASE + 0x1000 * k */
	uint64_t **shadow;          /* copy of pool as of the last audit (audit mode only) */
	size_t n, cap;              /* tables allocated / pool capacity */
	size_t limit;               /* alloc fails once n reaches it */
	size_t alloc_failures;
	/* tables accessed during the current pt_map (audit mode) */
	size_t *touched;
	unsigned char *is_touched;
	size_t ntouched;
	/* replace callback log */
	struct repl_rec *log, *sorted;
	size_t nlog, logcap, sorted_cap;
	bool audit;                 /* keep shadows, diff after each op */
};

struct leaf {
	uint64_t va, desc;
	unsigned level;
};

struct leaves {
	struct leaf *v;
	size_t n, cap;
	size_t tables_reached;
};

#define PROT_ALL (PT_R | PT_W | PT_X | PT_DEVICE | PT_NC)

uint64_t level_size(unsigned level);
uint64_t tbl_addr(size_t k);
/* with_replace: a replace callback and audit mode (every valid entry changed goes
 * through it, checked after each do_map). */
struct host *host_new(enum pt_regime regime, unsigned va_bits, bool with_replace);
void host_free(struct host *h);
int do_map(struct host *h, uint64_t va, uint64_t pa, uint64_t size, unsigned prot);
uint64_t leaf_desc(enum pt_regime regime, unsigned level, uint64_t pa_base, unsigned prot);
void expect_leaf(struct host *h, uint64_t va, unsigned level, uint64_t pa, unsigned prot);
void expect_unmapped(struct host *h, uint64_t va);
struct leaves walk_all(struct host *h);
struct leaves reference_layout(uint64_t va, uint64_t pa, uint64_t size,
			       enum pt_regime regime, unsigned prot, unsigned start_level);
void expect_same_leaves(struct leaves *got, struct leaves *want);
void count_levels(struct leaves *L, size_t out[4]);
bool prot_valid(unsigned p);
void expect_rejected(struct host *h, uint64_t va, uint64_t pa, uint64_t size, unsigned prot);

#endif
