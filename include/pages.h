/* Whole zeroed 4 KiB pages (mm/malloc.c), for DMA rings and buffers that must not share a
 * page with anything else. NULL when out of memory. */
#ifndef EFILITE_PAGES_H
#define EFILITE_PAGES_H
#include <stddef.h>

void *page_alloc(size_t pages);
void page_free(void *p, size_t pages);

#endif
