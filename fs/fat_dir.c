/* Directory entries (FAT spec §6-7): long names assembled from their LFN entries and
 * checked against the short entry's checksum, case-insensitive lookup on both names,
 * entries added with a unique 8.3 alias and removed with their LFN entries. */
#include <string.h>
#include "log.h"
#include "fat_priv.h"

#define LFN_CHARS 13
#define LFN_MAX   20            /* 20 * 13 >= 255 */
static const uint8_t lfn_pos[LFN_CHARS] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };

uint32_t fat_u16len(const uint16_t *s, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

uint32_t fat_de_cluster(const struct fat_volume *v, const uint8_t *de)
{
	return get16(de + 26) | (v->bits == 32 ? (uint32_t)get16(de + 20) << 16 : 0);
}

void fat_de_set_cluster(uint8_t *de, uint32_t c)
{
	put16(de + 26, c);
	put16(de + 20, c >> 16);
}

void fat_stamp(struct fat_volume *v, uint8_t *de, bool create)
{
	struct fat_time t = { .date = 1 << 5 | 1 };     /* 1980-01-01 */

	if (v->now)
		v->now(&t);
	put16(de + 22, t.time);
	put16(de + 24, t.date);
	put16(de + 18, t.date);
	if (create) {
		de[13] = t.cs;
		put16(de + 14, t.time);
		put16(de + 16, t.date);
	}
}

static uint8_t lfn_checksum(const uint8_t *name)
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)((sum & 1) << 7 | sum >> 1) + name[i];
	return sum;
}

static uint16_t fold(uint16_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7))
		return c - 32;
	return c;
}

static bool name_eq(const uint16_t *a, const uint16_t *b, uint32_t blen)
{
	uint32_t i;

	for (i = 0; i < blen; i++)
		if (!a[i] || fold(a[i]) != fold(b[i]))
			return false;
	return !a[i];
}

/* The 8.3 name as text; the NT lower-case bits (byte 12) are what Linux and
 * Windows set for names such as "readme.txt" that need no long name. */
static void short_name(const uint8_t *de, uint16_t *out)
{
	int n = 0, b = 8, e = 3;

	while (b && de[b - 1] == ' ')
		b--;
	while (e && de[8 + e - 1] == ' ')
		e--;
	for (int i = 0; i < b; i++) {
		uint8_t c = i == 0 && de[0] == 0x05 ? 0xE5 : de[i];

		out[n++] = de[12] & 0x08 && c >= 'A' && c <= 'Z' ? c + 32 : c;
	}
	if (e)
		out[n++] = '.';
	for (int i = 0; i < e; i++)
		out[n++] = de[12] & 0x10 && de[8 + i] >= 'A' && de[8 + i] <= 'Z' ?
			   de[8 + i] + 32 : de[8 + i];
	out[n] = 0;
}

/* Unpaired surrogates are not a name (UTF-16, Unicode §3.9). */
static bool utf16_valid(const uint16_t *s, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		if (s[i] >= 0xDC00 && s[i] <= 0xDFFF)
			return false;
		if (s[i] >= 0xD800 && s[i] <= 0xDBFF) {
			if (i + 1 == len || s[i + 1] < 0xDC00 || s[i + 1] > 0xDFFF)
				return false;
			i++;
		}
	}
	return true;
}

bool fat_name_valid(const uint16_t *name, uint32_t len)
{
	if (!len || len > FAT_NAME_MAX || name[len - 1] == ' ' || name[len - 1] == '.')
		return false;
	for (uint32_t i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] == 0x7F ||
		    (name[i] < 0x80 && memchr("\"*/:<>?\\|", name[i], 9)))
			return false;
	return utf16_valid(name, len);
}

struct lfn_state {
	int want;               /* the ordinal expected next; 0: none pending */
	bool started;
	uint8_t sum;
	uint32_t start;
	uint16_t name[LFN_MAX * LFN_CHARS + 1];
};

static void lfn_take(struct lfn_state *s, const uint8_t *e, uint32_t off)
{
	int ord = e[0] & 0x3F;

	if (e[0] & 0x40) {
		if (ord < 1 || ord > LFN_MAX) {
			s->started = false;
			return;
		}
		s->started = true;
		s->sum = e[13];
		s->start = off;
		s->want = ord;
		s->name[ord * LFN_CHARS] = 0;
	} else if (!s->started || ord != s->want || e[13] != s->sum) {
		s->started = false;
		return;
	}
	for (int i = 0; i < LFN_CHARS; i++)
		s->name[(ord - 1) * LFN_CHARS + i] = get16(e + lfn_pos[i]);
	s->want = ord - 1;
}

/* The long name if the LFN entries before de are whole, match it and are UTF-16. */
static bool lfn_finish(struct lfn_state *s, const uint8_t *de, struct fat_found *out)
{
	const char *bad = NULL;
	uint32_t len;

	if (!s->started)
		return false;
	s->started = false;
	len = fat_u16len(s->name, LFN_MAX * LFN_CHARS);
	if (s->want || s->sum != lfn_checksum(de))
		bad = "does not match it";
	else if (!len || len > FAT_NAME_MAX || !utf16_valid(s->name, len))
		bad = "is not valid UTF-16";
	if (bad) {
		warn("fat: long name of %.11s %s; using the 8.3 name\n", de, bad);
		return false;
	}
	memcpy(out->name, s->name, len * 2);
	out->name[len] = 0;
	out->lfn_off = s->start;
	return true;
}

static int read_entry(struct fat_file *dir, uint32_t off, uint8_t *e)
{
	return fat_stream_all(dir, off, e, DIRENT, false);
}

static int write_entry(struct fat_file *dir, uint32_t off, const uint8_t *e)
{
	return fat_stream_all(dir, off, (void *)e, DIRENT, true);
}

/* The next file or directory entry at or after *off (volume labels and deleted entries
 * skipped); *off moves past it. FAT_END_OF_FILE at the end of the directory. */
int fat_dir_next(struct fat_file *dir, uint32_t *off, struct fat_found *out)
{
	static struct lfn_state s;      /* 520 bytes kept off the firmware's stack */
	uint8_t e[DIRENT];
	int rc;

	s.started = false;
	for (; *off < DIR_MAX_BYTES; *off += DIRENT) {
		if ((rc = read_entry(dir, *off, e)))
			return rc;
		if (!e[0])
			return FAT_END_OF_FILE;
		if (e[0] == 0xE5) {
			s.started = false;
		} else if ((e[11] & 0x3F) == 0x0F) {
			lfn_take(&s, e, *off);
		} else if (e[11] & FAT_ATTR_VOLUME_ID) {
			s.started = false;
		} else {
			memcpy(out->de, e, DIRENT);
			out->de_off = *off;
			short_name(e, out->sname);
			if (!lfn_finish(&s, e, out)) {
				memcpy(out->name, out->sname, sizeof(out->sname));
				out->lfn_off = *off;
			}
			*off += DIRENT;
			return FAT_OK;
		}
	}
	return FAT_END_OF_FILE;
}

static bool is_dot(const uint8_t *de)
{
	return de[0] == '.';
}

int fat_dir_lookup(struct fat_file *dir, const uint16_t *name, uint32_t len,
		   struct fat_found *out)
{
	uint32_t off = 0;
	int rc;

	while (!(rc = fat_dir_next(dir, &off, out)))
		if (!is_dot(out->de) && (name_eq(out->name, name, len) ||
					 name_eq(out->sname, name, len)))
			return FAT_OK;
	return rc == FAT_END_OF_FILE ? FAT_NOT_FOUND : rc;
}

int fat_dir_empty(struct fat_file *dir)
{
	static struct fat_found f;
	uint32_t off = 0;
	int rc;

	while (!(rc = fat_dir_next(dir, &off, &f)))
		if (!is_dot(f.de))
			return FAT_ACCESS_DENIED;
	return rc == FAT_END_OF_FILE ? FAT_OK : rc;
}

int fat_dir_find_short(struct fat_file *dir, const uint8_t *name, uint32_t *off, uint8_t *e)
{
	for (*off = 0; *off < DIR_MAX_BYTES; *off += DIRENT) {
		int rc = read_entry(dir, *off, e);

		if (rc == FAT_END_OF_FILE || (!rc && !e[0]))
			break;
		if (rc)
			return rc;
		if (e[0] != 0xE5 && (e[11] & 0x3F) != 0x0F &&
		    (name ? !memcmp(e, name, 11) : e[11] & FAT_ATTR_VOLUME_ID))
			return FAT_OK;
	}
	return FAT_NOT_FOUND;
}

/* FAT_OK when an entry of dir has the alias already, FAT_NOT_FOUND when none has. */
static int find_alias(struct fat_file *dir, const uint8_t *alias)
{
	uint8_t e[DIRENT];
	uint32_t off;

	return fat_dir_find_short(dir, alias, &off, e);
}

static bool short_ok(uint16_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c < 0x80 && c && memchr("$%'-_@~`!(){}^#&", c, 16));
}

/* The basis name of FAT spec §7.4: upper case, invalid characters as '_', spaces and
 * leading periods gone, base before the last period, extension after it. *exact when
 * the name is its own 8.3 name; *lossy when a numeric tail is needed. */
static void basis_name(const uint16_t *name, uint32_t len, uint8_t *alias, int *blen,
		       bool *exact, bool *lossy)
{
	uint32_t dot = len, i, start = 0;
	int b = 0, e = 0;

	memset(alias, ' ', 11);
	*exact = true;
	*lossy = false;
	while (start < len && (name[start] == '.' || name[start] == ' '))
		start++;
	for (i = start; i < len; i++)
		if (name[i] == '.')
			dot = i;
	*lossy = start > 0;
	for (i = start; i < len; i++) {
		uint16_t c = fold(name[i]);

		if (c != name[i])
			*exact = false;
		if (i == dot || c == ' ' || (c == '.' && i < dot)) {
			*lossy |= i != dot;
			continue;
		}
		if (!short_ok(c)) {
			c = '_';
			*lossy = true;
		}
		if (i < dot ? b == 8 : e == 3) {
			*lossy = true;
			continue;
		}
		if (i < dot)
			alias[b++] = c;
		else
			alias[8 + e++] = c;
	}
	if (!b) {
		alias[b++] = '_';
		*lossy = true;
	}
	*exact &= !*lossy;
	*blen = b;
}

/* A unique alias: the basis name as it is when nothing else has it, else with "~N". */
static int make_alias(struct fat_file *dir, const uint16_t *name, uint32_t len,
		      uint8_t *alias, bool *need_lfn)
{
	uint8_t basis[11];
	bool exact, lossy;
	int blen, rc = FAT_OK;

	basis_name(name, len, basis, &blen, &exact, &lossy);
	*need_lfn = !exact;
	memcpy(alias, basis, 11);
	if (!lossy && (rc = find_alias(dir, alias)))
		return rc == FAT_NOT_FOUND ? FAT_OK : rc;
	*need_lfn = true;
	for (uint32_t n = 1; n < 1000000; n++) {
		char tail[8];
		int tl = snprintf(tail, sizeof(tail), "~%u", n);
		int keep = blen < 8 - tl ? blen : 8 - tl;

		memcpy(alias, basis, 8);
		memcpy(alias + keep, tail, tl);
		memset(alias + keep + tl, ' ', 8 - keep - tl);
		if ((rc = find_alias(dir, alias)))
			return rc == FAT_NOT_FOUND ? FAT_OK : rc;
	}
	return FAT_NO_SPACE;
}

static void lfn_entry(uint8_t *e, const uint16_t *name, uint32_t len, int ord, int last,
		      uint8_t sum)
{
	memset(e, 0, DIRENT);
	e[0] = ord | (ord == last ? 0x40 : 0);
	e[11] = 0x0F;
	e[13] = sum;
	for (int i = 0; i < LFN_CHARS; i++) {
		uint32_t k = (ord - 1) * LFN_CHARS + i;

		put16(e + lfn_pos[i], k < len ? name[k] : k == len ? 0 : 0xFFFF);
	}
}

/* The entry at off in e, the directory grown (zeroed clusters) until it exists. */
static int reach(struct fat_file *dir, uint32_t off, uint8_t *e)
{
	int rc = read_entry(dir, off, e);

	if (rc != FAT_END_OF_FILE)
		return rc;
	if (dir->fixed_root)
		return FAT_NO_SPACE;
	rc = fat_chain_resize(dir, fat_clusters_for(dir->v, off + DIRENT), true);
	if (!rc && (rc = read_entry(dir, off, e)) == FAT_END_OF_FILE)
		rc = FAT_VOLUME_CORRUPTED;
	return rc;
}

/* Room for n entries in a row: deleted ones, or from the end mark on (all after it is
 * free), growing the directory when it ends first. */
static int find_slots(struct fat_file *dir, uint32_t n, uint32_t *at, bool *at_end)
{
	uint32_t off, run = 0, start = 0;
	uint8_t e[DIRENT];
	int rc;

	*at_end = false;
	for (off = 0; off < DIR_MAX_BYTES; off += DIRENT) {
		if ((rc = reach(dir, off, e)))
			return rc;
		if (!e[0]) {
			if (!run)
				start = off;
			if (start + n * DIRENT > DIR_MAX_BYTES)
				return FAT_NO_SPACE;
			*at_end = true;
			*at = start;
			return reach(dir, start + (n - 1) * DIRENT, e);
		}
		if (e[0] != 0xE5) {
			run = 0;
			continue;
		}
		if (!run++)
			start = off;
		if (run == n) {
			*at = start;
			return FAT_OK;
		}
	}
	return FAT_NO_SPACE;
}

/* An entry for de named name (len 0: none, a volume label), with its long name. */
int fat_dir_add(struct fat_file *dir, const uint16_t *name, uint32_t len, const uint8_t *de,
		struct fat_found *out)
{
	uint32_t nlfn = 0, at;
	uint8_t e[DIRENT], sde[DIRENT];
	bool need_lfn = false, at_end;
	int rc;

	memcpy(sde, de, DIRENT);
	if (len && (rc = make_alias(dir, name, len, sde, &need_lfn)))
		return rc;
	if (len)
		sde[12] = 0;    /* no NT lower-case bits: the long name carries the case */
	if (need_lfn)
		nlfn = (len + LFN_CHARS - 1) / LFN_CHARS;
	if ((rc = find_slots(dir, nlfn + 1, &at, &at_end)))
		return rc;
	for (uint32_t k = nlfn; k >= 1; k--) {
		lfn_entry(e, name, len, k, nlfn, lfn_checksum(sde));
		if ((rc = write_entry(dir, at + (nlfn - k) * DIRENT, e)))
			return rc;
	}
	if ((rc = write_entry(dir, at + nlfn * DIRENT, sde)))
		return rc;
	/* entries written over the end mark: the next one must end the directory */
	if (at_end && !read_entry(dir, at + (nlfn + 1) * DIRENT, e) && e[0]) {
		memset(e, 0, DIRENT);
		if ((rc = write_entry(dir, at + (nlfn + 1) * DIRENT, e)))
			return rc;
	}
	out->lfn_off = at;
	out->de_off = at + nlfn * DIRENT;
	memcpy(out->de, sde, DIRENT);
	short_name(sde, out->sname);
	memcpy(out->name, out->sname, sizeof(out->sname));
	if (len) {
		memcpy(out->name, name, len * 2);
		out->name[len] = 0;
	}
	return FAT_OK;
}

int fat_dir_remove(struct fat_file *dir, uint32_t lfn_off, uint32_t de_off)
{
	uint8_t e[DIRENT];
	int rc;

	for (uint32_t off = lfn_off; off <= de_off; off += DIRENT) {
		if ((rc = read_entry(dir, off, e)))
			return rc;
		e[0] = 0xE5;
		if ((rc = write_entry(dir, off, e)))
			return rc;
	}
	return FAT_OK;
}
