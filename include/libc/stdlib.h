/* What stdlib.h offers in firmware builds: strtoul for libfdt (boot/libc.c), and memory
 * for the code below the UEFI core (mm/malloc.c). Host builds use the C library's. */
#ifndef EFILITE_STDLIB_H
#define EFILITE_STDLIB_H
#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);
void *calloc(size_t n, size_t size);    /* zeroed; NULL when out of memory */
void free(void *p);

#endif
