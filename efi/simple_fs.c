/*
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL and EFI_FILE_PROTOCOL (UEFI 2.10 sections 13.4, 13.5)
 * on a FAT volume (fs/fat*.c, include/fat.h, which is shaped after these members). The
 * file protocol is revision 2: the Ex members complete at once and signal the token.
 */
#include <string.h>
#include "efi/core.h"
#include "efi/disk.h"
#include "fat.h"
#include "log.h"
#include "runtime.h"
#include "utf.h"

struct efi_fs {
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL sfs;
	struct fat_volume *vol;
};

struct efi_file {
	EFI_FILE_PROTOCOL file;         /* first: the EFI_FILE_HANDLE is this */
	struct efi_fs *fs;
	struct fat_file *f;
	bool writable;                  /* opened with EFI_FILE_MODE_WRITE */
};
static EFI_GUID fs_info_guid = EFI_FILE_SYSTEM_INFO_ID;
static EFI_GUID label_guid = EFI_FILE_SYSTEM_VOLUME_LABEL_ID;
/* What GetInfo, SetInfo and directory reads go through: too large for the stack, and
 * the firmware runs one call at a time (the FAT code keeps its own such buffers). */
static struct fat_info fi;

static EFI_STATUS status(int fat)
{
	static const EFI_STATUS map[] = {
		[FAT_OK] = EFI_SUCCESS,
		[FAT_NOT_FOUND] = EFI_NOT_FOUND,
		[FAT_INVALID] = EFI_INVALID_PARAMETER,
		[FAT_UNSUPPORTED] = EFI_UNSUPPORTED,
		[FAT_NO_SPACE] = EFI_VOLUME_FULL,
		[FAT_WRITE_PROTECTED] = EFI_WRITE_PROTECTED,
		[FAT_DEVICE_ERROR] = EFI_DEVICE_ERROR,
		[FAT_ACCESS_DENIED] = EFI_ACCESS_DENIED,
		[FAT_VOLUME_CORRUPTED] = EFI_VOLUME_CORRUPTED,
		[FAT_BUFFER_TOO_SMALL] = EFI_BUFFER_TOO_SMALL,
		[FAT_OUT_OF_RESOURCES] = EFI_OUT_OF_RESOURCES,
		[FAT_END_OF_FILE] = EFI_END_OF_FILE,
	};

	return fat >= 0 && fat < (int)(sizeof(map) / sizeof(map[0])) ? map[fat] : EFI_DEVICE_ERROR;
}

static UINTN strsize16(const CHAR16 *s)
{
	return (ucs2_strlen(s) + 1) * sizeof(CHAR16);
}

/* ---- times: FAT keeps local time without a zone ---- */

static void to_efi_time(const struct fat_time *f, EFI_TIME *t)
{
	memset(t, 0, sizeof(*t));
	if (!f->date)
		return;
	t->Year = 1980 + (f->date >> 9);
	t->Month = f->date >> 5 & 15;
	t->Day = f->date & 31;
	t->Hour = f->time >> 11;
	t->Minute = f->time >> 5 & 63;
	t->Second = (f->time & 31) * 2 + f->cs / 100;
	t->Nanosecond = f->cs % 100 * 10000000u;
	t->TimeZone = EFI_UNSPECIFIED_TIMEZONE;
}

static void to_fat_time(const EFI_TIME *t, struct fat_time *f)
{
	memset(f, 0, sizeof(*f));
	if (t->Year < 1980 || t->Year > 2107 || !t->Month || t->Month > 12 || !t->Day)
		return;                 /* 0: leave the field as it is */
	f->date = (t->Year - 1980) << 9 | t->Month << 5 | (t->Day & 31);
	f->time = (t->Hour & 31) << 11 | (t->Minute & 63) << 5 | (t->Second / 2 & 31);
	f->cs = t->Second % 2 * 100 + t->Nanosecond / 10000000u % 100;
}

/* What writes are stamped with: the RTC, through the runtime service. */
static void now(struct fat_time *f)
{
	EFI_TIME t;

	if (RT_CALL(rt_GetTime)(&t, NULL))
		memset(&t, 0, sizeof(t));
	to_fat_time(&t, f);
}

/* ---- EFI_FILE_INFO and friends ---- */

static UINTN file_info_size(const struct fat_info *fi)
{
	return SIZE_OF_EFI_FILE_INFO + strsize16(fi->name);
}

static void file_info(const struct fat_info *fi, EFI_FILE_INFO *info)
{
	info->Size = file_info_size(fi);
	info->FileSize = fi->size;
	info->PhysicalSize = fi->alloc_size;
	to_efi_time(&fi->create, &info->CreateTime);
	to_efi_time(&fi->access, &info->LastAccessTime);
	to_efi_time(&fi->modify, &info->ModificationTime);
	info->Attribute = fi->attr & EFI_FILE_VALID_ATTR;
	memcpy(info->FileName, fi->name, strsize16(fi->name));
}

/* Give info of size bytes into *buf, or say how much room it needs. */
static EFI_STATUS give(UINTN *buf_size, VOID *buf, UINTN size)
{
	if (*buf_size < size) {
		*buf_size = size;
		return EFI_BUFFER_TOO_SMALL;
	}
	*buf_size = size;
	return buf ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
}

/* fi as an EFI_FILE_INFO in *buf, when it fits. */
static EFI_STATUS give_file_info(UINTN *buf_size, VOID *buf)
{
	EFI_STATUS s = give(buf_size, buf, file_info_size(&fi));

	if (!s)
		file_info(&fi, buf);
	return s;
}

/* ---- the file protocol ---- */

static EFI_STATUS new_file(struct efi_fs *fs, struct fat_file *f, bool writable,
			   EFI_FILE_PROTOCOL **out);

static EFI_STATUS EFIAPI Open(EFI_FILE_PROTOCOL *this, EFI_FILE_PROTOCOL **out, CHAR16 *name,
			      UINT64 mode, UINT64 attr)
{
	struct efi_file *d = (struct efi_file *)this;
	struct fat_file *f;
	unsigned fmode = 0;
	int r;

	if (!out || !name)
		return EFI_INVALID_PARAMETER;
	if (mode == (EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE))
		fmode = FAT_OPEN_WRITE | FAT_OPEN_CREATE;
	else if (mode == (EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE))
		fmode = FAT_OPEN_WRITE;
	else if (mode != EFI_FILE_MODE_READ)
		return EFI_INVALID_PARAMETER;
	if (attr & ~(UINT64)EFI_FILE_VALID_ATTR)
		return EFI_INVALID_PARAMETER;
	r = fat_open(d->f, name, fmode, attr, &f);
	if (r)
		return status(r);
	return new_file(d->fs, f, fmode & FAT_OPEN_WRITE, out);
}

static EFI_STATUS EFIAPI Close(EFI_FILE_PROTOCOL *this)
{
	struct efi_file *h = (struct efi_file *)this;

	fat_close(h->f);
	efi_free(h);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI Delete(EFI_FILE_PROTOCOL *this)
{
	struct efi_file *h = (struct efi_file *)this;
	int r = fat_delete(h->f);       /* closes the file whatever it says */

	efi_free(h);
	return r ? EFI_WARN_DELETE_FAILURE : EFI_SUCCESS;
}

/* A directory reads one EFI_FILE_INFO per call, and none at the end; a buffer too small
 * for the next one leaves the position where it was. */
static EFI_STATUS read_dir(struct efi_file *h, UINTN *size, VOID *buf)
{
	UINT64 pos = fat_get_pos(h->f);
	EFI_STATUS s;
	int r = fat_readdir(h->f, &fi);

	if (r == FAT_END_OF_FILE) {
		*size = 0;
		return EFI_SUCCESS;
	}
	if (r)
		return status(r);
	if ((s = give_file_info(size, buf)))
		fat_set_pos(h->f, pos);
	return s;
}

static EFI_STATUS EFIAPI Read(EFI_FILE_PROTOCOL *this, UINTN *size, VOID *buf)
{
	struct efi_file *h = (struct efi_file *)this;

	if (!size || (*size && !buf))
		return EFI_INVALID_PARAMETER;
	if (fat_is_dir(h->f))
		return read_dir(h, size, buf);
	return status(fat_read(h->f, buf, size));       /* UINTN is uint64_t */
}

static EFI_STATUS EFIAPI Write(EFI_FILE_PROTOCOL *this, UINTN *size, VOID *buf)
{
	struct efi_file *h = (struct efi_file *)this;

	if (!size || (*size && !buf))
		return EFI_INVALID_PARAMETER;
	if (fat_is_dir(h->f))
		return EFI_UNSUPPORTED;
	if (!h->writable)
		return EFI_ACCESS_DENIED;
	return status(fat_write(h->f, buf, size));
}

static EFI_STATUS EFIAPI GetPosition(EFI_FILE_PROTOCOL *this, UINT64 *pos)
{
	struct efi_file *h = (struct efi_file *)this;

	if (!pos)
		return EFI_INVALID_PARAMETER;
	if (fat_is_dir(h->f))
		return EFI_UNSUPPORTED;
	*pos = fat_get_pos(h->f);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI SetPosition(EFI_FILE_PROTOCOL *this, UINT64 pos)
{
	struct efi_file *h = (struct efi_file *)this;

	if (fat_is_dir(h->f) && pos)
		return EFI_UNSUPPORTED;         /* a directory can only start over */
	return status(fat_set_pos(h->f, pos));
}

static EFI_STATUS EFIAPI GetInfo(EFI_FILE_PROTOCOL *this, EFI_GUID *type, UINTN *size,
				 VOID *buf)
{
	struct efi_file *h = (struct efi_file *)this;
	struct fat_volinfo vi;
	EFI_FILE_SYSTEM_INFO *fsi = buf;
	UINTN at = SIZE_OF_EFI_FILE_SYSTEM_INFO;        /* where the label goes */
	EFI_STATUS s;
	int r;

	if (!type || !size)
		return EFI_INVALID_PARAMETER;
	if (efi_guid_eq(type, &efi_file_info_guid))
		return (r = fat_get_info(h->f, &fi)) ? status(r) : give_file_info(size, buf);
	if (!efi_guid_eq(type, &fs_info_guid) && !efi_guid_eq(type, &label_guid))
		return EFI_UNSUPPORTED;
	if ((r = fat_volinfo(h->fs->vol, &vi)))
		return status(r);
	if (efi_guid_eq(type, &label_guid))
		at = 0;                                 /* EFI_FILE_SYSTEM_VOLUME_LABEL: only it */
	if ((s = give(size, buf, at + strsize16(vi.label))))
		return s;
	if (at) {
		fsi->Size = *size;
		fsi->ReadOnly = vi.read_only;
		fsi->VolumeSize = vi.volume_size;
		fsi->FreeSpace = vi.free_space;
		fsi->BlockSize = vi.cluster_size;
	}
	memcpy((UINT8 *)buf + at, vi.label, strsize16(vi.label));
	return EFI_SUCCESS;
}

/* A CHAR16 string that ends inside len bytes, or NULL. */
static const CHAR16 *string_in(const void *p, UINTN len)
{
	const CHAR16 *s = p;

	for (UINTN i = 0; i < len / sizeof(CHAR16); i++)
		if (!s[i])
			return s;
	return NULL;
}

static EFI_STATUS set_file_info(struct efi_file *h, UINTN size, const EFI_FILE_INFO *info)
{
	const CHAR16 *name;
	int r;

	if (size < SIZE_OF_EFI_FILE_INFO + sizeof(CHAR16) || info->Size > size ||
	    !(name = string_in(info->FileName, size - SIZE_OF_EFI_FILE_INFO)) ||
	    (info->Attribute & ~(UINT64)EFI_FILE_VALID_ATTR))
		return EFI_INVALID_PARAMETER;
	if (!h->writable)
		return EFI_ACCESS_DENIED;
	if (strsize16(name) > sizeof(fi.name))
		return EFI_INVALID_PARAMETER;
	if ((r = fat_get_info(h->f, &fi)))
		return status(r);
	/* fat_set_info refuses a file made a directory (or the reverse): EFI_ACCESS_DENIED */
	fi.size = info->FileSize;
	fi.attr = info->Attribute;
	to_fat_time(&info->CreateTime, &fi.create);
	to_fat_time(&info->LastAccessTime, &fi.access);
	to_fat_time(&info->ModificationTime, &fi.modify);
	memcpy(fi.name, name, strsize16(name));
	return status(fat_set_info(h->f, &fi));
}

static EFI_STATUS EFIAPI SetInfo(EFI_FILE_PROTOCOL *this, EFI_GUID *type, UINTN size, VOID *buf)
{
	struct efi_file *h = (struct efi_file *)this;
	const CHAR16 *label;
	UINTN at = 0;                   /* where the label is: as GetInfo gives it */

	if (!type || !buf)
		return EFI_INVALID_PARAMETER;
	if (efi_guid_eq(type, &efi_file_info_guid))
		return set_file_info(h, size, buf);
	if (efi_guid_eq(type, &fs_info_guid))
		at = SIZE_OF_EFI_FILE_SYSTEM_INFO;
	else if (!efi_guid_eq(type, &label_guid))
		return EFI_UNSUPPORTED;
	if (size < at || !(label = string_in((UINT8 *)buf + at, size - at)))
		return EFI_BAD_BUFFER_SIZE;
	return status(fat_set_label(h->fs->vol, label));
}

static EFI_STATUS EFIAPI Flush(EFI_FILE_PROTOCOL *this)
{
	struct efi_file *h = (struct efi_file *)this;

	return h->writable ? status(fat_flush(h->f)) : EFI_SUCCESS;
}

/* Revision 2: everything completes before the call returns. */
static EFI_STATUS done(EFI_FILE_IO_TOKEN *token, EFI_STATUS s)
{
	token->Status = s;
	if (token->Event)
		SignalEvent(token->Event);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI OpenEx(EFI_FILE_PROTOCOL *this, EFI_FILE_PROTOCOL **out, CHAR16 *name,
				UINT64 mode, UINT64 attr, EFI_FILE_IO_TOKEN *token)
{
	return token ? done(token, Open(this, out, name, mode, attr)) : EFI_INVALID_PARAMETER;
}

static EFI_STATUS EFIAPI ReadEx(EFI_FILE_PROTOCOL *this, EFI_FILE_IO_TOKEN *token)
{
	return token ? done(token, Read(this, &token->BufferSize, token->Buffer))
		     : EFI_INVALID_PARAMETER;
}

static EFI_STATUS EFIAPI WriteEx(EFI_FILE_PROTOCOL *this, EFI_FILE_IO_TOKEN *token)
{
	return token ? done(token, Write(this, &token->BufferSize, token->Buffer))
		     : EFI_INVALID_PARAMETER;
}

static EFI_STATUS EFIAPI FlushEx(EFI_FILE_PROTOCOL *this, EFI_FILE_IO_TOKEN *token)
{
	return token ? done(token, Flush(this)) : EFI_INVALID_PARAMETER;
}

static const EFI_FILE_PROTOCOL file_protocol = {
	.Revision = EFI_FILE_PROTOCOL_REVISION2,
	.Open = Open,
	.Close = Close,
	.Delete = Delete,
	.Read = Read,
	.Write = Write,
	.GetPosition = GetPosition,
	.SetPosition = SetPosition,
	.GetInfo = GetInfo,
	.SetInfo = SetInfo,
	.Flush = Flush,
	.OpenEx = OpenEx,
	.ReadEx = ReadEx,
	.WriteEx = WriteEx,
	.FlushEx = FlushEx,
};

static EFI_STATUS new_file(struct efi_fs *fs, struct fat_file *f, bool writable,
			   EFI_FILE_PROTOCOL **out)
{
	struct efi_file *h = efi_alloc(sizeof(*h));

	if (!h) {
		fat_close(f);
		return EFI_OUT_OF_RESOURCES;
	}
	h->file = file_protocol;
	h->fs = fs;
	h->f = f;
	h->writable = writable;
	*out = &h->file;
	return EFI_SUCCESS;
}

/* ---- the file system ---- */

static EFI_STATUS EFIAPI OpenVolume(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *this,
				    EFI_FILE_PROTOCOL **root)
{
	struct efi_fs *fs = (struct efi_fs *)this;
	struct fat_file *f;
	int r;

	if (!root)
		return EFI_INVALID_PARAMETER;
	if ((r = fat_open_root(fs->vol, &f)))
		return status(r);
	/* The root is writable whenever the volume is: EFI has no mode for OpenVolume. */
	return new_file(fs, f, true, root);
}

static const EFI_SIMPLE_FILE_SYSTEM_PROTOCOL simple_fs = {
	.Revision = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_REVISION,
	.OpenVolume = OpenVolume,
};

EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *efi_simple_fs_mount(const struct blkdev *dev)
{
	struct efi_fs *fs = efi_alloc(sizeof(*fs));

	if (!fs)
		return NULL;
	if (fat_mount(dev, now, &fs->vol)) {
		efi_free(fs);
		return NULL;
	}
	fs->sfs = simple_fs;
	return &fs->sfs;
}
