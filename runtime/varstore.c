/*
 * The non-volatile variable store: a log of records in NOR flash, safe against a power
 * cut at any instant. Nothing but this file reads the format, so it is our own.
 *
 * Flash facts it relies on: erasing a sector sets every bit; programming a 32-bit word
 * can only clear bits, and one word program is atomic (QEMU's pflash writes a word at
 * once). So the store never programs a word twice, except from all-ones.
 *
 * Layout: VS_SECTORS (2) sectors at the start of the bank, used A/B. Each starts with
 *   header  { magic "EFLV", version 1, sequence, CRC-32 of the three words before }
 * and the sector with a valid header and the newest sequence (serial arithmetic) holds
 * the log. After the header, records follow each other on word boundaries:
 *   word 0  tag 0x5652 << 16 | length of the record in words
 *   word 1  attributes; word 2 name size (bytes, NUL included); word 3 data size
 *   words 4-7 vendor GUID, then the name and the data, zero-padded to a word
 *   last    CRC-32 of every byte of the record before it
 * A record is one variable's whole new state; data size 0 deletes it. Replaying the log
 * oldest first gives the store's state: the newest record of a name and GUID wins.
 *
 * Why a cut is harmless:
 * - A record is programmed in order, its CRC last. Word 0 is one program, so after a
 *   cut it is either blank (the log ends there) or right (the length is known): a torn
 *   record fails its CRC, is skipped on replay, and the log goes on after it. A
 *   SetVariable is one record, so the variable is old or new, never in between.
 * - Compaction (garbage collection when the log is full) erases the spare sector,
 *   writes one record per live variable and programs the header, sequence + 1, last.
 *   Until that header is complete the old log is the only valid one; after it, the
 *   new one wins, and the old is erased only by the next compaction.
 * - A start-up scan that meets anything it did not write (a bad tag, a length past the
 *   sector, a non-blank tail) stops there and marks the log dirty: the next write
 *   compacts first, so nothing is ever programmed over non-blank words.
 * - No valid header at all (a blank bank of zeros or ones, garbage): format sector 0.
 *
 * Runtime code (rtlib.h): no pointers in the state but the bank's address.
 */
#include "varstore.h"
#include "rtlib.h"

#define MAGIC     0x564c4645            /* "EFLV" */
#define VERSION   1
#define HDR_SIZE  16
#define REC_TAG   0x5652
#define REC_HDR   32                    /* words 0-7 */
#define BLANK     0xffffffffu

enum parse { P_END, P_BAD, P_TORN, P_OK };

static UINT32 sector_off(const struct varstore *vs, UINT32 sector)
{
	return sector * vs->flash.sector_size;
}

static UINT32 rd(const struct varstore *vs, UINT32 sector, UINT32 off)
{
	return vs_flash_read(&vs->flash, sector_off(vs, sector) + off);
}

UINT32 vs_record_size(UINT32 name_size, UINT32 data_size)
{
	return REC_HDR + ((name_size + data_size + 3) & ~3u) + 4;
}

UINT32 vs_capacity(const struct varstore *vs)
{
	return vs->flash.sector_size - HDR_SIZE;
}

UINT32 vs_left(const struct varstore *vs)
{
	return vs->dirty ? 0 : vs->flash.sector_size - vs->end;
}

/* ---- reading ---- */

static BOOLEAN valid_header(const struct varstore *vs, UINT32 sector, UINT32 *seq)
{
	UINT32 w[4];

	for (int i = 0; i < 4; i++)
		w[i] = rd(vs, sector, 4 * i);
	*seq = w[2];
	return w[0] == MAGIC && w[1] == VERSION && w[3] == rt_crc32_update(0, w, 12);
}

/* The record at off: its length in *len (P_TORN, P_OK), its header in *r, and its
 * name and data copied to buf when they fit bufsize (buf may be NULL). */
static enum parse parse(const struct varstore *vs, UINT32 sector, UINT32 off,
			struct vs_record *r, UINT32 *len, UINT8 *buf, UINT32 bufsize)
{
	UINT32 w0, words, crc = 0, hdr[8];
	UINT64 body;

	if (off >= vs->flash.sector_size)
		return P_END;           /* a full log */
	w0 = rd(vs, sector, off);
	words = w0 & 0xffff;
	if (w0 == BLANK)
		return P_END;
	if (w0 >> 16 != REC_TAG || words < REC_HDR / 4 + 2 ||
	    words > (vs->flash.sector_size - off) / 4)
		return P_BAD;
	*len = words * 4;
	for (UINT32 i = 0; i < REC_HDR / 4; i++) {
		hdr[i] = rd(vs, sector, off + 4 * i);
		crc = rt_crc32_update(crc, &hdr[i], 4);
	}
	r->attr = hdr[1];
	r->name_size = hdr[2];
	r->data_size = hdr[3];
	rt_memcpy(&r->guid, &hdr[4], sizeof(r->guid));
	body = (UINT64)r->name_size + r->data_size;
	if (buf && body > bufsize)
		buf = NULL;
	for (UINT32 i = REC_HDR; i < *len - 4; i += 4) {
		UINT32 w = rd(vs, sector, off + i);

		crc = rt_crc32_update(crc, &w, 4);
		for (UINT32 b = 0; b < 4; b++)
			if (buf && i - REC_HDR + b < body)
				buf[i - REC_HDR + b] = w >> (8 * b);
	}
	if (crc != rd(vs, sector, off + *len - 4))
		return P_TORN;
	/* A CRC-valid record we cannot have written is skipped like a torn one. */
	if (vs_record_size(r->name_size, r->data_size) != *len || r->name_size < 2 ||
	    (r->name_size & 1))
		return P_TORN;
	return P_OK;
}

/* Name of size bytes holds exactly one NUL, at its end. */
static BOOLEAN name_ok(const UINT8 *name, UINT32 size)
{
	return rt_strnlen16((const CHAR16 *)name, size / 2) == size / 2 - 1;
}

int vs_next(const struct varstore *vs, UINT32 *pos, struct vs_record *r, void *buf,
	    UINT32 bufsize)
{
	UINT32 off = *pos ? *pos : HDR_SIZE, len;

	while (off < vs->end) {
		enum parse p = parse(vs, vs->active, off, r, &len, buf, bufsize);

		if (p == P_END || p == P_BAD)
			break;
		off += len;
		if (p == P_OK && (UINT64)r->name_size + r->data_size <= bufsize &&
		    name_ok(buf, r->name_size)) {
			*pos = off;
			return 1;
		}
	}
	*pos = vs->end;
	return 0;
}

/* Where the log ends, and whether everything after it is blank. */
static void scan(struct varstore *vs)
{
	UINT32 off = HDR_SIZE, len;
	struct vs_record r;

	vs->dirty = 0;
	for (;;) {
		enum parse p = parse(vs, vs->active, off, &r, &len, NULL, 0);

		if (p == P_END)
			break;
		if (p == P_BAD) {
			vs->dirty = 1;
			break;
		}
		off += len;
	}
	vs->end = off;
	for (; off < vs->flash.sector_size && !vs->dirty; off += 4)
		if (rd(vs, vs->active, off) != BLANK)
			vs->dirty = 1;
}

/* ---- writing ---- */

/* Programs words in order from off, summing them; a failure sticks. */
struct writer {
	const struct vs_flash *flash;
	UINT32 off, crc, word, bytes;
	int err;
};

static void put_word(struct writer *w, UINT32 v)
{
	w->crc = rt_crc32_update(w->crc, &v, 4);
	if (v != BLANK && !w->err && vs_flash_program(w->flash, w->off, v))
		w->err = 1;             /* programming all ones changes nothing: skipped */
	w->off += 4;
}

static void put_bytes(struct writer *w, const void *data, UINT32 n)
{
	const UINT8 *p = data;

	for (UINT32 i = 0; i < n; i++) {
		w->word |= (UINT32)p[i] << (8 * (w->bytes++ & 3));
		if (!(w->bytes & 3)) {
			put_word(w, w->word);
			w->word = 0;
		}
	}
}

static int write_record(struct varstore *vs, UINT32 sector, UINT32 off, const struct vs_var *v)
{
	UINT32 data_size = v->size[0] + v->size[1], len = vs_record_size(v->name_size, data_size);
	struct writer w = { &vs->flash, sector_off(vs, sector) + off, 0, 0, 0, 0 };
	UINT32 hdr[8] = { REC_TAG << 16 | len / 4, v->attr, v->name_size, data_size };

	rt_memcpy(&hdr[4], v->guid, sizeof(*v->guid));
	for (int i = 0; i < 8; i++)
		put_word(&w, hdr[i]);
	put_bytes(&w, v->name, v->name_size);
	put_bytes(&w, v->data[0], v->size[0]);
	put_bytes(&w, v->data[1], v->size[1]);
	while (w.bytes & 3)
		put_bytes(&w, "", 1);
	if (!w.err && w.crc != BLANK && vs_flash_program(&vs->flash, w.off, w.crc))
		w.err = 1;
	return w.err ? VS_ERROR : VS_OK;
}

static int write_header(struct varstore *vs, UINT32 sector, UINT32 seq)
{
	UINT32 h[3] = { MAGIC, VERSION, seq }, base = sector_off(vs, sector);

	for (int i = 0; i < 3; i++)
		if (vs_flash_program(&vs->flash, base + 4 * i, h[i]))
			return VS_ERROR;
	return vs_flash_program(&vs->flash, base + 12, rt_crc32_update(0, h, 12)) ?
	       VS_ERROR : VS_OK;
}

int vs_append(struct varstore *vs, const struct vs_var *v)
{
	UINT32 len = vs_record_size(v->name_size, v->size[0] + v->size[1]);

	if (vs->dirty || len > vs->flash.sector_size - vs->end)
		return VS_FULL;
	/* Past the record even if it failed: its words may be half programmed. */
	vs->end += len;
	return write_record(vs, vs->active, vs->end - len, v);
}

int vs_compact_begin(struct varstore *vs)
{
	UINT32 spare = (vs->active + 1) % VS_SECTORS;

	vs->spare_end = HDR_SIZE;
	return vs_flash_erase(&vs->flash, sector_off(vs, spare)) ? VS_ERROR : VS_OK;
}

int vs_compact_add(struct varstore *vs, const struct vs_var *v)
{
	UINT32 len = vs_record_size(v->name_size, v->size[0] + v->size[1]);

	if (len > vs->flash.sector_size - vs->spare_end)
		return VS_FULL;
	vs->spare_end += len;
	return write_record(vs, (vs->active + 1) % VS_SECTORS, vs->spare_end - len, v);
}

int vs_compact_end(struct varstore *vs)
{
	UINT32 spare = (vs->active + 1) % VS_SECTORS;

	if (write_header(vs, spare, vs->seq + 1))
		return VS_ERROR;
	vs->active = spare;
	vs->seq++;
	vs->end = vs->spare_end;
	vs->dirty = 0;
	return VS_OK;
}

/* ---- start-up ---- */

int vs_open(struct varstore *vs, const struct vs_flash *f)
{
	UINT32 seq, best_seq = 0;
	int best = -1;

	vs->flash = *f;
	for (UINT32 s = 0; s < VS_SECTORS; s++)
		if (valid_header(vs, s, &seq) && (best < 0 || (INT32)(seq - best_seq) > 0)) {
			best = s;
			best_seq = seq;
		}
	if (best >= 0) {
		vs->active = best;
		vs->seq = best_seq;
		scan(vs);
		return VS_OK;
	}
	vs->active = 0;
	vs->seq = 1;
	vs->end = HDR_SIZE;
	vs->dirty = 0;
	if (vs_flash_erase(&vs->flash, 0) || write_header(vs, 0, 1))
		return VS_ERROR;
	return VS_FORMATTED;
}
