/* The bench initramfs runs this first: it prints the generic timer's virtual count and
 * frequency, i.e. guest time since QEMU started (CNTVOFF is 0 at EL1), and exits.
 * Under -icount that is a figure independent of host load. Built with -nostdlib. */
static void sys_write(const char *buf, unsigned long len)
{
	register long x0 asm("x0") = 1;
	register long x1 asm("x1") = (long)buf;
	register long x2 asm("x2") = len;
	register long x8 asm("x8") = 64;	/* __NR_write */

	asm volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x8) : "memory");
}

static __attribute__((noreturn)) void sys_exit(int code)
{
	register long x0 asm("x0") = code;
	register long x8 asm("x8") = 93;	/* __NR_exit */

	asm volatile("svc #0" : : "r"(x0), "r"(x8));
	__builtin_unreachable();
}

static char *put(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_dec(char *p, unsigned long v)
{
	char tmp[20];
	int n = 0;

	do
		tmp[n++] = '0' + v % 10;
	while (v /= 10);
	while (n)
		*p++ = tmp[--n];
	return p;
}

void _start(void)
{
	unsigned long count, freq;
	char line[64], *p = line;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(count));
	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	p = put(p, "BENCH: cntvct ");
	p = put_dec(p, count);
	p = put(p, " cntfrq ");
	p = put_dec(p, freq);
	*p++ = '\n';
	sys_write(line, p - line);
	sys_exit(0);
}
