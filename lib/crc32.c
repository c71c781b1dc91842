/* CRC-32, bit-reflected polynomial 0xedb88320, a nibble at a time. The 16-entry table is
 * made on first use: it costs no flash, and the firmware checks a few KiB of tables at
 * every boot, where a bit-at-a-time loop would cost tens of microseconds. */
#include "crc32.h"

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	static uint32_t nibble[16];
	const uint8_t *p = data;

	if (!nibble[1])
		for (uint32_t i = 0; i < 16; i++) {
			uint32_t c = i;

			for (int k = 0; k < 4; k++)
				c = c >> 1 ^ (c & 1 ? 0xedb88320 : 0);
			nibble[i] = c;
		}
	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = crc >> 4 ^ nibble[crc & 15];
		crc = crc >> 4 ^ nibble[crc & 15];
	}
	return ~crc;
}
