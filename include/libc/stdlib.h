/* What libfdt needs from stdlib.h (boot/libc.c): firmware builds only. */
#ifndef EFILITE_STDLIB_H
#define EFILITE_STDLIB_H

unsigned long strtoul(const char *s, char **end, int base);

#endif
