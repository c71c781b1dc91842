/* efi_setjmp/efi_longjmp: StartImage keeps a context that Exit returns to from deep
 * inside an image. Only the general-purpose callee-saved state: EFI-lite itself never
 * uses FP/SIMD registers, so d8-d15 belong to no caller of ours. */
	.text
	.globl	efi_setjmp
efi_setjmp:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x1, sp
	str	x1, [x0, #96]
	mov	x0, #0
	ret

	.globl	efi_longjmp
efi_longjmp:
	ldp	x19, x20, [x0, #0]
	ldp	x21, x22, [x0, #16]
	ldp	x23, x24, [x0, #32]
	ldp	x25, x26, [x0, #48]
	ldp	x27, x28, [x0, #64]
	ldp	x29, x30, [x0, #80]
	ldr	x2, [x0, #96]
	mov	sp, x2
	mov	x0, #1
	ret
