/*
 * EFI_RNG_PROTOCOL (UEFI 2.10 section 37.5). Callers get the output of a ChaCha20
 * generator keyed from the DTB's rng-seed, the counter and, where the CPU has FEAT_RNG,
 * the RNDRRS instruction, which also serves EFI_RNG_ALGORITHM_RAW. Without FEAT_RNG we
 * have no entropy source whose output we could hand out undigested, so RAW is neither
 * listed nor served then (EFI_UNSUPPORTED; Linux falls back to the default algorithm).
 */
#include <string.h>
#include "efi/core.h"

/* Our generator: no spec GUID names it (the SP 800-90A ones promise other constructions). */
#define EFILITE_RNG_ALGORITHM_CHACHA20 \
	{ 0x9b3aca22, 0x8173, 0x4660, { 0xb2, 0xa7, 0xa5, 0xbc, 0x4f, 0xcb, 0xcf, 0xdd } }
#define RNDR_TRIES 16                   /* RNDRRS may fail now and then; that many in a row is an error */

#ifndef HOST_TEST
#include "sysreg.h"

static bool cpu_has_rndr(void)
{
	return read_sysreg(id_aa64isar0_el1) >> 60 != 0;
}

/* RNDRRS: a number from the CPU's DRBG reseeded from its entropy source just before.
 * It sets Z (and returns 0) when no entropy was at hand. */
static bool rndrrs(UINT64 *v)
{
	int ok;

	asm volatile("mrs %0, s3_3_c2_c4_1\n\tcset %w1, ne" : "=r"(*v), "=r"(ok) :: "cc");
	return ok;
}

static UINT64 cntpct(void)
{
	return read_sysreg(cntpct_el0);
}
#else
/* The host test provides the hardware. */
bool cpu_has_rndr(void);
bool rndrrs(UINT64 *v);
UINT64 cntpct(void);
#endif

static EFI_GUID chacha20_guid = EFILITE_RNG_ALGORITHM_CHACHA20;
static EFI_GUID raw_guid = EFI_RNG_ALGORITHM_RAW;
static bool have_rndr;
static UINT8 key[32];
static UINT64 blocks;                   /* the ChaCha20 block counter: never used twice */

/* Clear key material; the empty asm keeps the compiler from dropping the "dead" stores. */
static void wipe(void *p, UINTN len)
{
	memset(p, 0, len);
	asm volatile("" :: "r"(p) : "memory");
}

static UINT32 get_le32(const UINT8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (UINT32)p[3] << 24;
}

static void put_le32(UINT8 *p, UINT32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static UINT32 rotl(UINT32 v, int n)
{
	return v << n | v >> (32 - n);
}

static void quarter_round(UINT32 *x, const UINT8 q[4])
{
	int a = q[0], b = q[1], c = q[2], d = q[3];

	x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 16);
	x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 12);
	x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 8);
	x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 7);
}

/* The ChaCha20 block function (RFC 8439 section 2.3): 20 rounds over the state, the state
 * added back, serialized little-endian. Not static: the host test checks it against the
 * RFC's test vectors. */
void chacha20_block(const UINT32 in[16], UINT8 out[64])
{
	static const UINT8 double_round[8][4] = {
		{ 0, 4, 8, 12 }, { 1, 5, 9, 13 }, { 2, 6, 10, 14 }, { 3, 7, 11, 15 }, /* columns */
		{ 0, 5, 10, 15 }, { 1, 6, 11, 12 }, { 2, 7, 8, 13 }, { 3, 4, 9, 14 }, /* diagonals */
	};
	UINT32 x[16];

	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++)
		for (int q = 0; q < 8; q++)
			quarter_round(x, double_round[q]);
	for (int i = 0; i < 16; i++)
		put_le32(out + 4 * i, x[i] + in[i]);
	wipe(x, sizeof(x));
}

/* The next block of key stream. Words 12-13 hold a 64-bit block counter, as in the
 * original ChaCha; the nonce words stay zero, as the key itself keeps changing. */
static void next_block(UINT8 out[64])
{
	UINT32 in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };  /* "expand 32-byte k" */

	for (int i = 0; i < 8; i++)
		in[4 + i] = get_le32(key + 4 * i);
	in[12] = blocks;
	in[13] = blocks >> 32;
	blocks++;
	chacha20_block(in, out);
	wipe(in, sizeof(in));
}

/* len bytes of key stream to buf. */
static void stream(UINT8 *buf, UINTN len)
{
	UINT8 block[64];

	while (len) {
		UINTN n = len < sizeof(block) ? len : sizeof(block);

		next_block(block);
		memcpy(buf, block, n);
		buf += n;
		len -= n;
	}
	wipe(block, sizeof(block));
}

/* Fast key erasure: the key becomes fresh key stream, so what is left in memory tells
 * nothing about the output that came before. */
static void rekey(void)
{
	stream(key, sizeof(key));
}

/* Fold input into the key, a key's length at a time, each part followed by a rekey. */
static void mix(const void *data, UINTN len)
{
	const UINT8 *p = data;

	while (len) {
		UINTN n = len < sizeof(key) ? len : sizeof(key);

		for (UINTN i = 0; i < n; i++)
			key[i] ^= p[i];
		p += n;
		len -= n;
		rekey();
	}
}

/* Before each request: the counter, and the CPU's entropy where it has some. */
static void reseed(void)
{
	UINT64 in[5] = { cntpct() };
	UINTN n = 1;

	for (int i = 0; have_rndr && i < 4; i++)
		n += rndrrs(&in[n]);
	mix(in, n * sizeof(in[0]));
	wipe(in, sizeof(in));
}

static void generate(UINT8 *buf, UINTN len)
{
	reseed();
	stream(buf, len);
	rekey();
}

static EFI_STATUS get_raw(UINT8 *buf, UINTN len)
{
	while (len) {
		UINT64 v;
		int tries = RNDR_TRIES;

		while (!rndrrs(&v))
			if (!--tries)
				return EFI_NOT_READY;   /* "not enough random data available" */
		for (unsigned i = 0; i < sizeof(v) && len; i++, len--, v >>= 8)
			*buf++ = v;
	}
	return EFI_SUCCESS;
}

/* The list is fixed once we know the CPU; its first entry is the default (37.5.2). */
static EFI_STATUS EFIAPI GetInfo(EFI_RNG_PROTOCOL *this, UINTN *size, EFI_RNG_ALGORITHM *list)
{
	UINTN need = (have_rndr ? 2 : 1) * sizeof(EFI_RNG_ALGORITHM);

	if (!size)
		return EFI_INVALID_PARAMETER;
	if (*size < need) {
		*size = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!list)
		return EFI_INVALID_PARAMETER;
	list[0] = chacha20_guid;
	if (have_rndr)
		list[1] = raw_guid;
	*size = need;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI GetRNG(EFI_RNG_PROTOCOL *this, EFI_RNG_ALGORITHM *algorithm,
				UINTN len, UINT8 *value)
{
	if (!value || !len)
		return EFI_INVALID_PARAMETER;
	if (!algorithm || efi_guid_eq(algorithm, &chacha20_guid)) {
		generate(value, len);
		return EFI_SUCCESS;
	}
	if (have_rndr && efi_guid_eq(algorithm, &raw_guid))
		return get_raw(value, len);
	return EFI_UNSUPPORTED;
}

static EFI_RNG_PROTOCOL rng = {
	.GetInfo = GetInfo,
	.GetRNG = GetRNG,
};

/* With neither a seed nor RNDRRS the output would be guessable from the boot time: the
 * protocol is then not installed (EFI_NOT_FOUND), though efi_random() still works. */
EFI_STATUS efi_rng_init(const UINT8 *seed, UINTN len)
{
	static EFI_GUID rng_guid = EFI_RNG_PROTOCOL_GUID;
	EFI_HANDLE handle = NULL;

	have_rndr = cpu_has_rndr();
	mix(seed, len);
	if (!len && !have_rndr)
		return EFI_NOT_FOUND;
	return InstallProtocolInterface(&handle, &rng_guid, EFI_NATIVE_INTERFACE, &rng);
}

/* Not a secret before efi_rng_init(): only the counter went into the key by then. */
void efi_random(void *buf, UINTN len)
{
	generate(buf, len);
}
