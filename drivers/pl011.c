/* The console: QEMU's PL011 UART, polled. */
#include "console.h"
#include "mmio.h"

#define UART_DR   0x00
#define UART_FR   0x18
#define UART_CR   0x30
#define FR_RXFE   (1 << 4)
#define FR_TXFF   (1 << 5)
#define CR_ENABLE 0x301          /* UARTEN | TXE | RXE */

static uint64_t uart;

void console_init(uint64_t base)
{
	uart = base;
	/* QEMU's PL011 needs no clock or baud set-up; just make sure it is enabled. */
	if (uart)
		writel(uart + UART_CR, CR_ENABLE);
}

void console_putc(char c)
{
	if (!uart)
		return;
	if (c == '\n')
		console_putc('\r');
	while (readl(uart + UART_FR) & FR_TXFF)
		;
	writel(uart + UART_DR, (uint8_t)c);
}

void console_write(const char *s, size_t len)
{
	while (len--)
		console_putc(*s++);
}

int console_getc(void)
{
	if (!uart || (readl(uart + UART_FR) & FR_RXFE))
		return -1;
	return readl(uart + UART_DR) & 0xff;
}
