/* PL011 console and the log. */
#include "console.h"
#include "mmio.h"
#include "psci.h"
#include "sysreg.h"

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

static void out_console(char c, void *arg)
{
	console_putc(c);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(out_console, NULL, fmt, ap);
	va_end(ap);
	return n;
}

uint64_t counter_us(uint64_t cnt)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	return cnt / freq * 1000000 + cnt % freq * 1000000 / freq;
}

uint64_t timer_us(void)
{
	return counter_us(read_sysreg(cntpct_el0));
}

static const char *const prefix[] = { "", "error: ", "warning: ", "", "debug: " };

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	printf("%s", prefix[level]);
	va_start(ap, fmt);
	vformat(out_console, NULL, fmt, ap);
	va_end(ap);
	console_putc('\n');
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	printf("EFI-lite: fatal: ");
	va_start(ap, fmt);
	vformat(out_console, NULL, fmt, ap);
	va_end(ap);
	printf("\nEFI-lite: powering off\n");
	psci_system_off();
}
