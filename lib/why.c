/* fail() for every parser of untrusted input (include/why.h): one copy, one buffer. */
#include "why.h"

int fail(const char **why, const char *fmt, ...)
{
	static char msg[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*why = msg;
	return -1;
}
