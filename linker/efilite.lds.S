/* Flash (read-only, at 0): reset code alone in page 0 (unmapped once the run-time tables
 * are live, so NULL dereferences fault), then text (RX), then the baked translation tables
 * and rodata (RO, XN), then the load image of .data. DRAM: see layout.h. */
#include "layout.h"
#include "runtime.h"

ENTRY(_start)

SECTIONS
{
	. = FLASH_BASE;
	.text.head : {
		__premmu_start = .;
		KEEP(*(.text.head))
		__premmu_end = .;
		/* The EL2 stub runs with EL2's MMU off only: page 0 suits it (boot/el2.S). */
		. = ALIGN(2048);
		__el2stub_start = .;
		KEEP(*(.text.el2stub))
		__el2stub_end = .;
	}
	. = ALIGN(4096);
	__text_start = .;
	.text : {
		KEEP(*(.text.vectors))
		. += __erratum_pad;		/* from the Makefile: see the link there */
		*(.text .text.*)
	}
	. = ALIGN(4096);
	__text_end = .;
	/* The tables first: they want 4 KiB alignment, rodata does not. */
	.pgtables : { __pgtables_start = .; KEEP(*(.pgtables)) __pgtables_end = .; }
	.rodata : { *(.rodata .rodata.*) }

	/* The runtime blob (include/runtime.h): linked where it never runs, loaded
	 * from flash, copied to RAM at boot. */
	__rt_lma = ALIGN(16);
	.rt_text RT_LINK_BASE : AT(__rt_lma) { *(.rt.text .rt.text.* .rt.rodata .rt.rodata.*) }
	.rt_data RT_LINK_BASE + RT_DATA_OFFSET : AT(__rt_lma + SIZEOF(.rt_text)) {
		*(.rt.data .rt.data.*)
	}
	.rt_bss ALIGN(RT_LINK_BASE + RT_DATA_OFFSET + SIZEOF(.rt_data), 16) (NOLOAD) : {
		*(.rt.bss .rt.bss.* .rt.sbss .rt.sbss.*)
	}
	__rt_end = .;
	__rt_text_size = SIZEOF(.rt_text);
	__rt_data_size = SIZEOF(.rt_data);
	ASSERT(SIZEOF(.rt_text) <= RT_DATA_OFFSET, "runtime code over 64 KiB")
	__data_lma = __rt_lma + SIZEOF(.rt_text) + SIZEOF(.rt_data);
	.data FWDATA_BASE : AT(__data_lma) {
		__data_start = .;
		*(.data .data.*)
		*(.got .got.plt)	/* Debian's libfdt.a is PIC: it finds data through a GOT */
		. = ALIGN(16);
		__data_end = .;
	}
	__flash_end = __data_lma + SIZEOF(.data);
	.bss (NOLOAD) : ALIGN(16) {
		__bss_start = .;
		*(.bss .bss.* COMMON)
		. = ALIGN(16);
		__bss_end = .;
	}
	__fwdata_end = ALIGN(4096);
	ASSERT(__fwdata_end <= FWRAM_END, "firmware data does not fit its DRAM window")
	ASSERT(__el2stub_end <= FLASH_BASE + 4096, "pre-MMU code and the EL2 stub must fit in page 0")

	/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) *(.interp) *(.dynamic) }
}
