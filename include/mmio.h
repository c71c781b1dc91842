/* MMIO accessors. Device-nGnRE mappings keep accesses to one device in order; the
 * barriers order them against normal memory (DMA descriptors, buffers).
 *
 * Each access is one plain ldr/str of the field's width: KVM emulates MMIO only for
 * those. MMIO_SITE records where it is in a section of the object file that is never
 * loaded, so tests/test_mmio_access.py can find every device access in the binary. */
#ifndef EFILITE_MMIO_H
#define EFILITE_MMIO_H

#include <stdint.h>

#define MMIO_SITE(insn) "1: " insn "\n.pushsection .mmio_sites,\"\",%%progbits\n" \
			".quad 1b\n.popsection"

static inline uint32_t readl(uint64_t addr)
{
	uint32_t v;

	asm inline volatile(MMIO_SITE("ldr %w0, [%1]") : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint16_t readw(uint64_t addr)
{
	uint16_t v;

	asm inline volatile(MMIO_SITE("ldrh %w0, [%1]") : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint8_t readb(uint64_t addr)
{
	uint8_t v;

	asm inline volatile(MMIO_SITE("ldrb %w0, [%1]") : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void writeb(uint64_t addr, uint8_t v)
{
	asm inline volatile(MMIO_SITE("strb %w0, [%1]") :: "rZ"(v), "r"(addr) : "memory");
}

static inline void writel(uint64_t addr, uint32_t v)
{
	asm inline volatile(MMIO_SITE("str %w0, [%1]") :: "rZ"(v), "r"(addr) : "memory");
}

static inline void writew(uint64_t addr, uint16_t v)
{
	asm inline volatile(MMIO_SITE("strh %w0, [%1]") :: "rZ"(v), "r"(addr) : "memory");
}

static inline void writeq(uint64_t addr, uint64_t v)
{
	asm inline volatile(MMIO_SITE("str %0, [%1]") :: "rZ"(v), "r"(addr) : "memory");
}

#endif
