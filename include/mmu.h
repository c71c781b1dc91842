/* The run-time translation tables: all of RAM, flash and devices, W^X. */
#ifndef EFILITE_MMU_H
#define EFILITE_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include "platform.h"
#include "pgtable.h"

/* Build the tables for everything the platform has and switch to them, in the
 * regime of el: the EL we were entered at (the reset code ran us at EL1 until now). */
void mmu_init(const struct platform *p, unsigned el);
/* Change the protection of a live range (PT_* flags, 0 unmaps); -1 on failure. */
int mmu_set_prot(uint64_t base, uint64_t size, unsigned prot);
/* The protection of the page holding addr (0 when unmapped). */
unsigned mmu_get_prot(uint64_t addr);
/* SCTLR_ELx.WXN on or off (mm/wx.c's RWX pages need it off). */
void mmu_set_wxn(bool on);
/* Make what was written to the 4 KiB page at addr visible to instruction fetches. */
void mmu_sync_icache(uint64_t addr);
/* The same for every page of [addr, addr + size). */
void mmu_sync_icache_range(uint64_t addr, uint64_t size);
/* VA (= PA) bits covered, and the number of table pages in use. */
unsigned mmu_va_bits(void);
unsigned mmu_tables(void);

/* Linker symbols (boot/head.S, linker/efilite.lds.S). */
extern char __text_start[], __text_end[], __flash_end[], __fwdata_end[];

/* boot/sysreg.S, boot/el2.S */
void mmu_switch(uint64_t ttbr, uint64_t tcr);
void el2_rise(uint64_t ttbr, uint64_t tcr, uint64_t exc_stack);
void tlb_flush_all(unsigned el);
void sctlr_set_wxn(unsigned el, bool on);
void icache_sync_page(uint64_t addr);

#endif
