/* Space for the baked translation tables in flash; the build fills it in
 * (see the efilite.elf rule in the Makefile and mm/mkbaked.c). */
#include "baked.h"
	.section .pgtables, "a"
	.balign	4096
	.space	BAKED_SIZE
