/* MMIO accessors. Device-nGnRE mappings keep accesses to one device in order; the
 * barriers order them against normal memory (DMA descriptors, buffers). */
#ifndef EFILITE_MMIO_H
#define EFILITE_MMIO_H

#include <stdint.h>

static inline uint32_t readl(uint64_t addr)
{
	uint32_t v;

	asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint16_t readw(uint64_t addr)
{
	uint16_t v;

	asm volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint8_t readb(uint64_t addr)
{
	uint8_t v;

	asm volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void writeb(uint64_t addr, uint8_t v)
{
	asm volatile("strb %w0, [%1]" :: "rZ"(v), "r"(addr) : "memory");
}

static inline void writel(uint64_t addr, uint32_t v)
{
	asm volatile("str %w0, [%1]" :: "rZ"(v), "r"(addr) : "memory");
}

static inline void writew(uint64_t addr, uint16_t v)
{
	asm volatile("strh %w0, [%1]" :: "rZ"(v), "r"(addr) : "memory");
}

static inline void writeq(uint64_t addr, uint64_t v)
{
	asm volatile("str %0, [%1]" :: "rZ"(v), "r"(addr) : "memory");
}

#endif
