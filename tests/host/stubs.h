/* What the host tests put in place of the firmware's memory services and clock
 * (tests/host/stubs.c), with the knobs a test turns to make them fail. */
#ifndef EFILITE_TEST_STUBS_H
#define EFILITE_TEST_STUBS_H

#include <stdbool.h>
#include "efi/core.h"

extern int stub_alloc_budget;   /* efi_alloc calls left before it fails; -1: no limit */
extern bool stub_pool_empty;    /* AllocatePool fails while set */
/* efi_now() returns stub_clock_now, then advances it by stub_clock_step. */
extern UINT64 stub_clock_now, stub_clock_step;

#endif
