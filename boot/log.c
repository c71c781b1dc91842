/* The log: formatted lines on the console, and fatal errors, which power off. */
#include "console.h"
#include "log.h"
#include "psci.h"

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

/* The compiler's stack protector calls this when a function's canary was overwritten. */
void __stack_chk_fail(void)
{
	fatal("stack corruption detected (stack protector)");
}
