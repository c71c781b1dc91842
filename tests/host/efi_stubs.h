/* tests/host/efi_stubs.c: the memory, event and log stubs the protocol tests share. */
#ifndef EFILITE_TEST_EFI_STUBS_H
#define EFILITE_TEST_EFI_STUBS_H
#include <stdbool.h>

extern bool stub_pool_empty;            /* AllocatePool fails while set */

#endif
