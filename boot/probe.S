/* Probing reads (include/probe.h). Each load has a fixup: when it aborts, the exception
 * handler resumes at the fixup, which returns -1; nothing else has changed by then. */
	.text
	.globl	probe_read64
probe_read64:
probe_load64:
	ldr	x2, [x0]
	str	x2, [x1]
	mov	x0, #0
	ret

	.globl	probe_read32
probe_read32:
probe_load32:
	ldr	w2, [x0]
	str	w2, [x1]
	mov	x0, #0
	ret

probe_fail:
	mov	x0, #-1
	ret

	.globl	probe_fixup
probe_fixup:
	adr	x1, probe_load64
	cmp	x0, x1
	adr	x1, probe_load32
	ccmp	x0, x1, #4, ne		/* equal to either */
	adr	x0, probe_fail
	csel	x0, x0, xzr, eq
	ret
