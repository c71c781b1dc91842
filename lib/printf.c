/* A small printf: %c %s %d %i %u %x %X %p %%, flags '-', '0' and '#', width, precision for
 * %s, length modifiers l, ll, z. Enough for a firmware log; nothing floating. */
#include "log.h"

struct spec { int left, zero, alt, width, prec; };

static int pad(void (*out)(char, void *), void *arg, int n, char c)
{
	int i;

	for (i = 0; i < n; i++)
		out(c, arg);
	return n > 0 ? n : 0;
}

static int emit_str(void (*out)(char, void *), void *arg, const char *s, struct spec *sp)
{
	int len = 0, n = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (sp->prec < 0 || len < sp->prec))
		len++;
	if (!sp->left)
		n += pad(out, arg, sp->width - len, ' ');
	for (int i = 0; i < len; i++)
		out(s[i], arg);
	if (sp->left)
		n += pad(out, arg, sp->width - len, ' ');
	return n + len;
}

static int emit_num(void (*out)(char, void *), void *arg, unsigned long long v,
		    int neg, unsigned base, int upper, struct spec *sp)
{
	char buf[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int len = 0, n = 0, sign = 0;

	do {
		buf[len++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->alt && base == 16)
		buf[len++] = upper ? 'X' : 'x', buf[len++] = '0', sign = 2;
	if (neg)
		buf[len++] = '-', sign = 1;
	if (sp->zero && !sp->left) {
		/* the sign or 0x goes before the zeros */
		for (; sign; sign--, sp->width--)
			out(buf[--len], arg), n++;
		n += pad(out, arg, sp->width - len, '0');
	} else if (!sp->left) {
		n += pad(out, arg, sp->width - len, ' ');
	}
	for (int i = len - 1; i >= 0; i--)
		out(buf[i], arg);
	if (sp->left)
		n += pad(out, arg, sp->width - len, ' ');
	return n + len;
}

int vformat(void (*out)(char, void *), void *arg, const char *fmt, va_list ap)
{
	int n = 0;

	for (; *fmt; fmt++) {
		struct spec sp = { .prec = -1 };
		int lng = 0;
		unsigned long long u;
		long long s;

		if (*fmt != '%') {
			out(*fmt, arg);
			n++;
			continue;
		}
		for (fmt++; *fmt == '-' || *fmt == '0' || *fmt == '#'; fmt++)
			*(*fmt == '-' ? &sp.left : *fmt == '0' ? &sp.zero : &sp.alt) = 1;
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			sp.width = sp.width * 10 + *fmt - '0';
		if (*fmt == '.')
			for (sp.prec = 0, fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				sp.prec = sp.prec * 10 + *fmt - '0';
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng++;
		switch (*fmt) {
		case 'c':
			out((char)va_arg(ap, int), arg);
			n++;
			break;
		case 's':
			n += emit_str(out, arg, va_arg(ap, const char *), &sp);
			break;
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, long long) : va_arg(ap, int);
			n += emit_num(out, arg, s < 0 ? -(unsigned long long)s : (unsigned long long)s,
				      s < 0, 10, 0, &sp);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			n += emit_num(out, arg, u, 0, *fmt == 'u' ? 10 : 16, *fmt == 'X', &sp);
			break;
		case 'p':
			sp.alt = 1;
			n += emit_num(out, arg, (unsigned long long)(uintptr_t)va_arg(ap, void *),
				      0, 16, 0, &sp);
			break;
		case '%':
			out('%', arg);
			n++;
			break;
		default:
			return n;       /* unknown conversion: stop rather than misread va_list */
		}
	}
	return n;
}

struct sbuf { char *p; size_t left; };

static void out_buf(char c, void *arg)
{
	struct sbuf *b = arg;

	if (b->left > 1) {
		*b->p++ = c;
		b->left--;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sbuf b = { buf, size };
	int n = vformat(out_buf, &b, fmt, ap);

	if (size)
		*b.p = 0;
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
