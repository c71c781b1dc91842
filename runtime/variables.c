/*
 * The variable services (UEFI 2.10 section 8.2) on one store in RAM. Variables keep the
 * attributes they were created with, EFI_VARIABLE_NON_VOLATILE included, but nothing
 * survives a reset: there is no flash behind the store. Where the spec leaves a status
 * open, EDK2's variable driver (MdeModulePkg/Universal/Variable/RuntimeDxe) decides,
 * configured as EFI-lite is: no authenticated variables, no hardware error records.
 *
 * The store is a packed run of records from its start, each a header, the name (UCS-2,
 * NUL included) and the data, padded to 8 bytes. Deleting or resizing a record moves
 * its successors, so the free space is always the tail and QueryVariableInfo's numbers
 * are exact; GetNextVariableName walks the records in creation order.
 *
 * With a flash bank (rt_variables_load), NV variables are also written through to the
 * log of runtime/varstore.c before SetVariable returns, and loaded from it at boot: this
 * store stays the cache every read comes from.
 *
 * Runtime code (rtlib.h): the state is offsets and sizes, no pointers.
 */
#include "runtime.h"
#include "rtlib.h"
#include "varstore.h"

#define STORE_SIZE (32 * 1024)
#define MAX_NAME (STORE_SIZE / sizeof(CHAR16))     /* longer names cannot fit anyway */

#define NV        EFI_VARIABLE_NON_VOLATILE
#define BS        EFI_VARIABLE_BOOTSERVICE_ACCESS
#define RT        EFI_VARIABLE_RUNTIME_ACCESS
#define HW_ERR    EFI_VARIABLE_HARDWARE_ERROR_RECORD
#define AUTH      EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS
#define TIME_AUTH EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS
#define APPEND    EFI_VARIABLE_APPEND_WRITE
#define KNOWN     (NV | BS | RT | HW_ERR | AUTH | TIME_AUTH | APPEND)

/* may_alias: records are read in place from the byte array. */
struct var {
	EFI_GUID guid;
	UINT32 attr;            /* NV, BS and RT as created */
	UINT32 read_only;       /* made by rt_variable_set_readonly */
	UINT32 name_size;       /* bytes, NUL included */
	UINT32 data_size;       /* bytes, never 0 */
} __attribute__((may_alias));

static UINT8 store[STORE_SIZE] __attribute__((aligned(8))) RT_DATA;
static UINTN used RT_DATA;              /* bytes of records at the start of store */
static BOOLEAN at_runtime RT_DATA;      /* ExitBootServices has been called */
static struct varstore vs RT_DATA;
static BOOLEAN on_flash RT_DATA;        /* NV variables go to vs */

static UINTN record_size(UINTN name_size, UINTN data_size)
{
	return (sizeof(struct var) + name_size + data_size + 7) & ~(UINTN)7;
}

static struct var *record(UINTN off)
{
	return (struct var *)(store + off);
}

static UINTN offset(const struct var *v)
{
	return (const UINT8 *)v - store;
}

static UINTN next(UINTN off)
{
	return off + record_size(record(off)->name_size, record(off)->data_size);
}

static UINT8 *var_name(struct var *v)
{
	return (UINT8 *)(v + 1);
}

static UINT8 *var_data(struct var *v)
{
	return var_name(v) + v->name_size;
}

/* After ExitBootServices only runtime variables are there to see (8.2.2, 8.2.3). */
static BOOLEAN visible(const struct var *v)
{
	return !at_runtime || (v->attr & RT);
}

/* The variable of this name and GUID, visible or not. The comparison stops at the
 * first differing byte, so it reads name no further than its NUL. */
static UINTN name_size(const CHAR16 *name);

/* Names of one size that differ mostly differ in their last character (Boot0001,
 * Boot0002): that and the size go first, so replaying a log of thousands of records
 * at start-up is not thousands of full name compares each. */
static struct var *find(const CHAR16 *name, const EFI_GUID *guid)
{
	UINTN size = name_size(name), last = size / sizeof(CHAR16) - 2;

	if (size < 2 * sizeof(CHAR16))
		last = 0;                       /* "": its NUL is its last character */
	for (UINTN off = 0; off < used; off = next(off)) {
		struct var *v = record(off);

		if (v->name_size == size && ((const CHAR16 *)var_name(v))[last] == name[last] &&
		    rt_guid_eq(&v->guid, guid) && !rt_memcmp(var_name(v), name, size))
			return v;
	}
	return NULL;
}

static void delete(struct var *v)
{
	UINTN off = offset(v), end = next(off);

	rt_memmove(store + off, store + end, used - end);
	used -= end - off;
}

/* Give v room for data_size bytes of data, moving the records after it. */
static void resize(struct var *v, UINTN data_size)
{
	UINTN off = offset(v), end = next(off);
	UINTN new_end = off + record_size(v->name_size, data_size);

	rt_memmove(store + new_end, store + end, used - end);
	used = used - end + new_end;
	v->data_size = data_size;
}

/* Whether the store has the room to create, replace or append to a variable. */
static BOOLEAN room(const struct var *v, UINTN name_size, UINTN size, BOOLEAN append)
{
	UINTN keep = v && append ? v->data_size : 0;
	UINTN have = v ? record_size(v->name_size, v->data_size) : 0, need;

	if (size > STORE_SIZE)
		return FALSE;
	need = record_size(name_size, keep + size);
	return need <= have || need - have <= STORE_SIZE - used;
}

/* Create (v NULL), replace, or append to a variable, if the store has the room. */
static EFI_STATUS put(struct var *v, const CHAR16 *name, UINTN name_size,
		      const EFI_GUID *guid, UINT32 attr, UINTN size, const void *data,
		      BOOLEAN append)
{
	UINTN keep = v && append ? v->data_size : 0;

	if (!room(v, name_size, size, append))
		return EFI_OUT_OF_RESOURCES;
	if (!v) {
		v = record(used);
		rt_memcpy(&v->guid, guid, sizeof(*guid));
		v->read_only = 0;
		v->name_size = name_size;
		v->data_size = 0;
		rt_memcpy(var_name(v), name, name_size);
		used += record_size(name_size, 0);
	}
	v->attr = attr;
	resize(v, keep + size);
	rt_memcpy(var_data(v) + keep, data, size);
	return EFI_SUCCESS;
}

/* Size in bytes of a name, its NUL included; 0 if it cannot fit the store. */
static UINTN name_size(const CHAR16 *name)
{
	UINTN len = rt_strnlen16(name, MAX_NAME);

	return len < MAX_NAME ? (len + 1) * sizeof(CHAR16) : 0;
}

static EFI_STATUS check_attributes(UINT32 attr);

/* ---- the flash behind the NV variables ---- */

/* Variables the flash keeps: the firmware's read-only ones are made anew each boot. */
static BOOLEAN persistent(const struct var *v)
{
	return (v->attr & NV) && !v->read_only;
}

/* Rewrite the live NV variables into the spare sector, with the change (target's new
 * state, r: the variable v, NULL if it is new) made on the way. One header makes the
 * new log valid, so a power cut leaves the old state or the new. */
static int compact(const struct var *target, const struct vs_var *r)
{
	int s = vs_compact_begin(&vs);

	for (UINTN off = 0; !s && off < used; off = next(off)) {
		struct var *v = record(off);
		struct vs_var keep = { &v->guid, (CHAR16 *)var_name(v), v->name_size, v->attr,
				       { var_data(v) }, { v->data_size } };

		if (v == target && r->size[0] + r->size[1])
			s = vs_compact_add(&vs, r);
		else if (v != target && persistent(v))
			s = vs_compact_add(&vs, &keep);
	}
	if (!s && !target)
		s = vs_compact_add(&vs, r);
	return s ? s : vs_compact_end(&vs);
}

/* Before the store changes: the new state of an NV variable into the log (size 0: it
 * is deleted). An append write records the old data and the new. */
static EFI_STATUS write_through(struct var *v, const CHAR16 *name, UINTN nsize,
				const EFI_GUID *guid, UINT32 attr, UINTN size, const void *data,
				BOOLEAN append)
{
	struct vs_var r = { guid, name, nsize, attr, { NULL, data }, { 0, size } };
	int s;

	if (!on_flash || !(attr & NV) || (v && v->read_only))
		return EFI_SUCCESS;
	if (v && append) {
		r.data[0] = var_data(v);
		r.size[0] = v->data_size;
	}
	s = vs_append(&vs, &r);
	if (s == VS_FULL)
		s = compact(v, &r);
	if (s == VS_FULL)
		return EFI_OUT_OF_RESOURCES;
	return s ? EFI_DEVICE_ERROR : EFI_SUCCESS;
}

/* A record of the log, from vs_next, into the store: the newest record wins. */
static void replay(const struct vs_record *r, const UINT8 *buf)
{
	const CHAR16 *name = (const CHAR16 *)buf;
	struct var *v = find(name, &r->guid);

	if (!(r->attr & NV) || check_attributes(r->attr) || (r->attr & APPEND))
		return;                 /* not a record SetVariable could have written */
	if (!r->data_size) {
		if (v)
			delete(v);
		return;
	}
	put(v, name, r->name_size, &r->guid, r->attr, r->data_size, buf + r->name_size, FALSE);
}

/* The records being replayed at boot: as big as anything the store can hold. */
static UINT8 scratch[STORE_SIZE] RT_DATA;

int rt_variables_load(const struct vs_flash *flash)
{
	struct vs_record r;
	UINT32 pos = 0;
	int status;

	used = 0;
	at_runtime = FALSE;
	on_flash = FALSE;
	status = vs_open(&vs, flash);
	if (status == VS_ERROR)
		return status;
	while (vs_next(&vs, &pos, &r, scratch, sizeof(scratch)))
		replay(&r, scratch);
	/* Programming all ones where the log is blank changes nothing, but a read-only
	 * drive reports it as an error: better now than at the first SetVariable. Its
	 * variables are still read, and changes stay in RAM. */
	if (!vs.dirty && vs_left(&vs) &&
	    vs_flash_program(&vs.flash, vs.active * vs.flash.sector_size + vs.end, ~0u))
		return VS_ERROR;
	on_flash = TRUE;
	return status;
}

void rt_variables_virtual(EFI_STATUS (*convert)(UINTN debug, VOID **address))
{
	if (on_flash)
		convert(0, (VOID **)&vs.flash.base);
}

EFI_STATUS EFIAPI rt_GetVariable(CHAR16 *name, EFI_GUID *guid, UINT32 *attr, UINTN *size,
				 VOID *data)
{
	struct var *v;

	if (!name || !guid || !size)
		return EFI_INVALID_PARAMETER;
	v = find(name, guid);
	if (!v || !visible(v))
		return EFI_NOT_FOUND;
	/* UEFI 2.10: set with EFI_BUFFER_TOO_SMALL too, so callers can size and check. */
	if (attr)
		*attr = v->attr;
	if (*size < v->data_size) {
		*size = v->data_size;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!data)
		return EFI_INVALID_PARAMETER;
	rt_memcpy(data, var_data(v), v->data_size);
	*size = v->data_size;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI rt_GetNextVariableName(UINTN *size, CHAR16 *name, EFI_GUID *guid)
{
	UINTN max, off = 0;
	struct var *v;

	if (!size || !name || !guid)
		return EFI_INVALID_PARAMETER;
	max = *size / sizeof(CHAR16);
	if (!max || rt_strnlen16(name, max) == max)
		return EFI_INVALID_PARAMETER;   /* no NUL within *size */
	if (name[0]) {
		v = find(name, guid);
		if (!v || !visible(v))
			return EFI_INVALID_PARAMETER;   /* not a variable to continue from */
		off = next(offset(v));
	}
	while (off < used && !visible(record(off)))
		off = next(off);
	if (off == used)
		return EFI_NOT_FOUND;
	v = record(off);
	if (*size < v->name_size) {
		*size = v->name_size;
		return EFI_BUFFER_TOO_SMALL;
	}
	rt_memcpy(name, var_name(v), v->name_size);
	rt_memcpy(guid, &v->guid, sizeof(*guid));
	*size = v->name_size;
	return EFI_SUCCESS;
}

/*
 * The attribute checks that need no variable. The deprecated
 * AUTHENTICATED_WRITE_ACCESS is EFI_UNSUPPORTED as UEFI 2.10 asks. Without authenticated
 * variables TIME_BASED_AUTHENTICATED_WRITE_ACCESS, and without error record persistence
 * (no HwErrRecSupport variable, appendix P) HARDWARE_ERROR_RECORD, are an "invalid
 * combination of attribute bits": EDK2 without AuthSupport or PcdHwErrStorageSize, and
 * U-Boot without CONFIG_EFI_SECURE_BOOT, return EFI_INVALID_PARAMETER too.
 */
static EFI_STATUS check_attributes(UINT32 attr)
{
	if (attr & AUTH)
		return EFI_UNSUPPORTED;
	if ((attr & ~KNOWN) || (attr & (BS | RT)) == RT || (attr & ~APPEND) == NV ||
	    (attr & (TIME_AUTH | HW_ERR)))
		return EFI_INVALID_PARAMETER;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI rt_SetVariable(CHAR16 *name, EFI_GUID *guid, UINT32 attr, UINTN size,
				 VOID *data)
{
	BOOLEAN append = attr & APPEND;
	EFI_STATUS status;
	struct var *v;
	UINTN nsize;

	if (!name || !name[0] || !guid || (size && !data))
		return EFI_INVALID_PARAMETER;
	status = check_attributes(attr);
	if (status)
		return status;
	v = find(name, guid);
	if (v) {
		/* At runtime a boot-services variable is hidden, not gone: it stays as it is. */
		if (v->read_only || !visible(v))
			return EFI_WRITE_PROTECTED;
		/* Attributes are fixed at creation; attr 0 (no access) deletes. */
		if (attr && (attr & ~APPEND) != v->attr)
			return EFI_INVALID_PARAMETER;
		/* 8.2.3: runtime variables that are not NV are read-only at runtime. */
		if (at_runtime && !(v->attr & NV))
			return EFI_WRITE_PROTECTED;
		if (!append && (!size || !attr)) {
			status = write_through(v, name, v->name_size, guid, v->attr, 0, NULL, FALSE);
			if (!status)
				delete(v);
			return status;
		}
		/* The same value again: nothing to write (and no flash worn). */
		if (!append && size == v->data_size && !rt_memcmp(var_data(v), data, size))
			return EFI_SUCCESS;
	} else {
		if (append && !size)
			return EFI_SUCCESS;     /* appending nothing changes nothing (EDK2) */
		if (!size || !(attr & (BS | RT)))
			return EFI_NOT_FOUND;   /* a delete */
		/* 8.2.3: at runtime only NV runtime variables can be set. */
		if (at_runtime && (attr & (NV | RT)) != (NV | RT))
			return EFI_INVALID_PARAMETER;
	}
	nsize = name_size(name);
	if (!nsize || !room(v, nsize, size, append))
		return EFI_OUT_OF_RESOURCES;
	status = write_through(v, name, nsize, guid, attr & ~APPEND, size, data, append);
	if (status)
		return status;
	return put(v, name, nsize, guid, attr & ~APPEND, size, data, append);
}

/* NV variables must fit the flash too: what a compacted log has room for. A record
 * there is the name and data and vs_record_size(0, 0) bytes around them. */
static void flash_info(UINT64 *max_storage, UINT64 *remaining, UINT64 *max_size)
{
	UINT64 cap = vs_capacity(&vs), live = 0, hdr = vs_record_size(0, 0) - 4;

	for (UINTN off = 0; off < used; off = next(off))
		if (persistent(record(off)))
			live += vs_record_size(record(off)->name_size, record(off)->data_size);
	if (cap < *max_storage)
		*max_storage = cap;
	if (cap - live < *remaining)
		*remaining = cap - live;
	if (cap - live < hdr + 4 + *max_size)
		*max_size = cap - live > hdr + 4 ? cap - live - hdr - 4 : 0;
}

/* One RAM store holds every kind of variable; NV ones must also fit the flash, when
 * there is one (flash_info). Sizes count name and data, as the records hold them,
 * without the record header. */
EFI_STATUS EFIAPI rt_QueryVariableInfo(UINT32 attr, UINT64 *max_storage, UINT64 *remaining,
				       UINT64 *max_size)
{
	UINTN left = STORE_SIZE - used;

	if (!max_storage || !remaining || !max_size || !attr)
		return EFI_INVALID_PARAMETER;
	if (attr & (~KNOWN | AUTH | TIME_AUTH | HW_ERR))
		return EFI_UNSUPPORTED;         /* "not supported on this platform" */
	if ((attr & (BS | RT)) == RT || (attr & ~APPEND) == NV || (at_runtime && !(attr & RT)))
		return EFI_INVALID_PARAMETER;
	*max_storage = STORE_SIZE;
	*remaining = left;
	*max_size = left > sizeof(struct var) ? left - sizeof(struct var) : 0;
	if (on_flash && (attr & NV))
		flash_info(max_storage, remaining, max_size);
	return EFI_SUCCESS;
}

void rt_variables_exit_boot_services(void)
{
	at_runtime = TRUE;
}

EFI_STATUS rt_variable_set_readonly(const CHAR16 *name, const EFI_GUID *guid, UINT32 attr,
				    UINTN size, const void *data)
{
	EFI_STATUS status;
	UINTN nsize;

	if (!name || !name[0] || !guid)
		return EFI_INVALID_PARAMETER;
	if (!size) {                    /* it goes, if it is one of these */
		struct var *v = find(name, guid);

		if (v && !v->read_only)
			return EFI_WRITE_PROTECTED;
		if (v)
			delete(v);
		return EFI_SUCCESS;
	}
	if (!data || (attr & ~(NV | BS | RT)) || !(attr & BS))
		return EFI_INVALID_PARAMETER;
	nsize = name_size(name);
	if (!nsize)
		return EFI_OUT_OF_RESOURCES;
	status = put(find(name, guid), name, nsize, guid, attr, size, data, FALSE);
	if (!status)
		find(name, guid)->read_only = 1;
	return status;
}

const struct vs_flash *rt_variables_flash(void)
{
	return on_flash ? &vs.flash : NULL;
}
