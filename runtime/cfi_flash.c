/*
 * The flash under the variable store (runtime/varstore.h): NOR flash with CFI command
 * set 1 (Intel/Sharp), as QEMU's virt machine has it in bank 1 (cfi.pflash01). The
 * bank is 32 bits wide and made of two 16-bit devices side by side, so each command is
 * written as a "dual" word, the command in both halves, and status reads give both
 * devices' status registers, one per half.
 *
 * Every operation ends in read-array mode (0xFF), so the bank reads as memory again:
 * the store reads it in place. Under KVM the bank is emulated MMIO: each access must be
 * one plain ldr or str (no pairs, no writeback), which is why every access here is
 * inline assembly (tests/test_image.py checks the disassembly). Code never runs from
 * this bank.
 *
 * Runtime code (rtlib.h): it runs after SetVirtualAddressMap with the base converted.
 */
#include "varstore.h"

#define DUAL(cmd)          ((UINT32)(cmd) << 16 | (cmd))
#define CMD_PROGRAM        DUAL(0x40)
#define CMD_BLOCK_ERASE    DUAL(0x20)
#define CMD_ERASE_CONFIRM  DUAL(0xd0)
#define CMD_CLEAR_STATUS   DUAL(0x50)
#define CMD_READ_ARRAY     DUAL(0xff)
#define SR_READY           DUAL(0x80)
#define SR_ERASE_ERROR     DUAL(0x20)   /* QEMU: erasing a read-only drive */
#define SR_PROGRAM_ERROR   DUAL(0x10)   /* QEMU: programming a read-only drive */
#define SR_LOCKED          DUAL(0x02)

/* QEMU finishes an operation before the next read; real parts take milliseconds for an
 * erase. A device still busy after this many status reads is broken, not slow. */
#define POLL_LIMIT 10000000

static inline UINT32 flash_ldr(UINT64 addr)
{
	UINT32 v;

	asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void flash_str(UINT64 addr, UINT32 v)
{
	asm volatile("str %w0, [%1]" :: "r"(v), "r"(addr) : "memory");
}

/* Wait for both devices to be ready; 0 if neither reports an error in err_bits. A
 * program or erase leaves the devices giving status on reads, so no 0x70 is needed:
 * under KVM every access is an exit, and a word program is four of them. The bank is
 * back in read-array mode afterwards, with the status cleared on error, so the next
 * operation starts clean. */
static int finish(UINT64 addr, UINT32 err_bits)
{
	UINT32 status = 0;

	for (UINT32 i = 0; i < POLL_LIMIT; i++) {
		status = flash_ldr(addr);
		if ((status & SR_READY) == SR_READY)
			break;
	}
	if ((status & SR_READY) != SR_READY || (status & err_bits)) {
		flash_str(addr, CMD_CLEAR_STATUS);
		flash_str(addr, CMD_READ_ARRAY);
		return -1;
	}
	flash_str(addr, CMD_READ_ARRAY);
	return 0;
}

UINT32 vs_flash_read(const struct vs_flash *f, UINT32 off)
{
	return flash_ldr(f->base + off);
}

int vs_flash_program(const struct vs_flash *f, UINT32 off, UINT32 word)
{
	UINT64 addr = f->base + off;

	flash_str(addr, CMD_PROGRAM);
	flash_str(addr, word);
	return finish(addr, SR_PROGRAM_ERROR | SR_LOCKED);
}

int vs_flash_erase(const struct vs_flash *f, UINT32 off)
{
	UINT64 addr = f->base + off;

	flash_str(addr, CMD_CLEAR_STATUS);
	flash_str(addr, CMD_BLOCK_ERASE);
	flash_str(addr, CMD_ERASE_CONFIRM);
	return finish(addr, SR_ERASE_ERROR | SR_PROGRAM_ERROR | SR_LOCKED);
}
