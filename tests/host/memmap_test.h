/* What the memory-map host tests share (tests/host/memmap_test.c): the map under test,
 * checks of its invariants, and shorthands for the calls. */
#ifndef EFILITE_MEMMAP_TEST_H
#define EFILITE_MEMMAP_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "memmap.h"
#include "util.h"

#define PAGE    4096ULL
#define MiB     (1024 * 1024ULL)
#define GiB     (1024 * MiB)
#define WB      EFI_MEMORY_WB
#define RAM     (EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB)


extern struct memmap m;
#define NR_ALLOCATABLE_TYPES 17
extern const UINT32 allocatable_types[NR_ALLOCATABLE_TYPES];

struct want {
	UINT64 base, pages;
	UINT32 type;
	UINT64 attr;
};

#define expect_map(...) do { \
	const struct want w_[] = { __VA_ARGS__ }; \
	expect_map_(w_, ARRAY_SIZE(w_), __LINE__); \
} while (0)

int reset(void **state);
void check_sane(const struct memmap *map);
void expect_map_(const struct want *w, size_t n, int line);
void set(UINT64 base, UINT64 pages, UINT32 type, UINT64 attr);
void reserve(UINT64 base, UINT64 pages, UINT32 type, UINT64 attr);
EFI_STATUS alloc(EFI_ALLOCATE_TYPE how, UINT32 type, UINT64 pages, UINT64 align, UINT64 *addr);
UINT64 alloc_at(UINT64 addr, UINT64 pages, UINT32 type);
bool is_allocatable(UINT32 t);
bool is_runtime(UINT32 t);

#endif
