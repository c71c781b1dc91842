/* CRC-32 (IEEE 802.3, reflected, as UEFI, GPT and zlib use it), lib/crc32.c. Start with
 * crc32_update(0, ...) and feed further pieces the previous result: the sum of a buffer
 * read in blocks equals crc32() of the whole. The runtime blob keeps its own copy. */
#ifndef EFILITE_CRC32_H
#define EFILITE_CRC32_H
#include <stddef.h>
#include <stdint.h>

uint32_t crc32_update(uint32_t crc, const void *data, size_t len);
static inline uint32_t crc32(const void *data, size_t len)
{
	return crc32_update(0, data, len);
}

#endif
