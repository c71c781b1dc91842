/* Assembler helpers. */
#ifndef EFILITE_ASM_H
#define EFILITE_ASM_H
#ifdef __ASSEMBLY__

/* Load a 64-bit constant with immediates only: no literal pool, so no data access. */
	.macro	mov_q, reg, val
	movz	\reg, :abs_g3:\val
	movk	\reg, :abs_g2_nc:\val
	movk	\reg, :abs_g1_nc:\val
	movk	\reg, :abs_g0_nc:\val
	.endm

	.macro	mov_l, reg, val		/* the same for a 32-bit constant */
	movz	\reg, :abs_g1:\val
	movk	\reg, :abs_g0_nc:\val
	.endm

	.macro	adr_l, reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
	.endm

#endif
#endif
