/* The console: a PL011 UART (drivers/pl011.c). The log (log.h) writes through it. */
#ifndef EFILITE_CONSOLE_H
#define EFILITE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

void console_init(uint64_t pl011_base);    /* 0: no console, output is dropped */
void console_putc(char c);                  /* "\n" goes out as "\r\n" */
void console_write(const char *s, size_t len);
int console_getc(void);                     /* -1 when no character is waiting */

#endif
