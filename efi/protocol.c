/*
 * The handle and protocol database (UEFI 2.10 section 7.3). A handle is a pointer to a
 * struct handle and is only dereferenced once found in the handle list, so garbage from an
 * application gets EFI_INVALID_PARAMETER. No driver is ever bound: where the spec would
 * call DisconnectController to make a driver let go of an interface, it cannot succeed.
 */
#include <stdarg.h>
#include <string.h>
#include "efi/core.h"

struct open {                           /* one agent's use of an interface */
	struct open *next;
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY info;
};

struct proto {
	struct proto *next;
	EFI_GUID guid;
	VOID *interface;
	struct open *opens;
	UINT64 seq;                     /* when installed or reinstalled, for notifies */
	bool doomed;                    /* picked by UninstallMultipleProtocolInterfaces */
};

struct handle {
	struct handle *next;
	struct proto *protos;
};

struct notify {                         /* a RegisterProtocolNotify registration */
	struct notify *next;
	EFI_GUID guid;
	EFI_EVENT event;
	UINT64 seen;                    /* seq of the last interface handed out */
};

static struct handle *handles;          /* in creation order */
static struct notify *notifies;
static UINT64 install_seq;

static struct handle *find_handle(EFI_HANDLE handle)
{
	for (struct handle *h = handles; h; h = h->next)
		if (h == handle)
			return h;
	return NULL;
}

bool efi_handle_valid(EFI_HANDLE handle)
{
	return find_handle(handle);
}

static struct proto *find_proto(const struct handle *h, const EFI_GUID *guid)
{
	for (struct proto *p = h->protos; p; p = p->next)
		if (efi_guid_eq(&p->guid, guid))
			return p;
	return NULL;
}

/* Bytes before the end node of the whole path, or of its first instance; -1 when a node
 * is shorter than a node header (walking it would never end). */
/* Boot options carry paths in a UINT16-sized FilePathList (section 3.1.3): a longer walk
 * is over memory that is no device path. */
#define DEVPATH_MAX 0x10000

static INTN devpath_len(const EFI_DEVICE_PATH *path, bool first_instance)
{
	const UINT8 *p = (const UINT8 *)path;

	for (;;) {
		const EFI_DEVICE_PATH *n = (const EFI_DEVICE_PATH *)p;
		UINTN len = DevicePathNodeLength(n);

		if (n->Type == END_DEVICE_PATH_TYPE &&
		    (first_instance || n->SubType == END_ENTIRE_DEVICE_PATH_SUBTYPE))
			return p - (const UINT8 *)path;
		if (len < sizeof(*n) || (UINTN)(p - (const UINT8 *)path) + len > DEVPATH_MAX)
			return -1;
		p += len;
	}
}

/* 0 for a malformed path. */
UINTN efi_devpath_size(const EFI_DEVICE_PATH *path)
{
	INTN len = path ? devpath_len(path, false) : -1;

	return len < 0 ? 0 : len + END_DEVICE_PATH_LENGTH;
}

static struct handle *new_handle(void)
{
	struct handle *h = efi_alloc(sizeof(*h)), **tail = &handles;

	if (h) {
		while (*tail)
			tail = &(*tail)->next;
		*tail = h;
	}
	return h;
}

/* The new handle for a NULL *handle, else the existing one *handle names. */
static EFI_STATUS get_handle(EFI_HANDLE *handle, struct handle **h)
{
	*h = *handle ? find_handle(*handle) : new_handle();
	if (!*h)
		return *handle ? EFI_INVALID_PARAMETER : EFI_OUT_OF_RESOURCES;
	return EFI_SUCCESS;
}

/* A handle lives as long as it carries a protocol (section 7.3.2). */
static void free_if_empty(struct handle *h)
{
	struct handle **pp = &handles;

	if (h->protos)
		return;
	while (*pp != h)
		pp = &(*pp)->next;
	*pp = h->next;
	efi_free(h);
}

static void free_opens(struct proto *p)
{
	while (p->opens) {
		struct open *o = p->opens;

		p->opens = o->next;
		efi_free(o);
	}
}

static void free_proto(struct proto *p)
{
	free_opens(p);
	efi_free(p);
}

static void unlink_proto(struct handle *h, struct proto *p)
{
	struct proto **pp = &h->protos;

	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
}

static struct proto **proto_tail(struct handle *h)
{
	struct proto **tail = &h->protos;

	while (*tail)
		tail = &(*tail)->next;
	return tail;
}

/* Appends guid to h; notifying the registrations is left to the caller. */
static EFI_STATUS add_proto(struct handle *h, const EFI_GUID *guid, VOID *interface)
{
	struct proto *p;

	if (!guid || find_proto(h, guid))
		return EFI_INVALID_PARAMETER;
	p = efi_alloc(sizeof(*p));
	if (!p)
		return EFI_OUT_OF_RESOURCES;
	p->guid = *guid;
	p->interface = interface;
	p->seq = ++install_seq;
	*proto_tail(h) = p;
	return EFI_SUCCESS;
}

/* Signal the events registered for guid. TPL_HIGH_LEVEL holds the notify functions back
 * until the list walk is over, since they may call back into the database. */
static void notify(const EFI_GUID *guid)
{
	EFI_TPL old = RaiseTPL(TPL_HIGH_LEVEL);

	for (struct notify *n = notifies; n; n = n->next)
		if (efi_guid_eq(&n->guid, guid))
			SignalEvent(n->event);
	RestoreTPL(old);
}

/* CloseEvent ends the registrations made with the event (through efi_event_close_hook):
 * a new event that happens to get the same address must not inherit them. */
void efi_protocol_event_closed(EFI_EVENT event)
{
	struct notify **pp = &notifies, *n;

	while ((n = *pp)) {
		if (n->event == event) {
			*pp = n->next;
			efi_free(n);
		} else {
			pp = &n->next;
		}
	}
}

/* Opens that only read the interface go away with it; a driver (BY_DRIVER), a bus's child
 * (BY_CHILD_CONTROLLER) or an EXCLUSIVE user would have to be stopped first, and no driver
 * can be (EDK2 refuses the same way once DisconnectController fails). */
static bool releasable(const struct proto *p)
{
	const UINT32 held = EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE |
			    EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER;

	for (const struct open *o = p->opens; o; o = o->next)
		if (o->info.Attributes & held)
			return false;
	return true;
}

/* Why interface, as protocol on h, cannot be uninstalled or reinstalled; or EFI_SUCCESS. */
static EFI_STATUS check_release(const struct handle *h, const EFI_GUID *protocol,
				const VOID *interface)
{
	const struct proto *p;

	if (!h || !protocol)
		return EFI_INVALID_PARAMETER;
	p = find_proto(h, protocol);
	if (!p || p->interface != interface)
		return EFI_NOT_FOUND;
	return releasable(p) ? EFI_SUCCESS : EFI_ACCESS_DENIED;
}

EFI_STATUS EFIAPI UninstallProtocolInterface(EFI_HANDLE handle, EFI_GUID *protocol,
					     VOID *interface)
{
	struct handle *h = find_handle(handle);
	EFI_STATUS s = check_release(h, protocol, interface);
	struct proto *p;

	if (s)
		return s;
	p = find_proto(h, protocol);
	unlink_proto(h, p);
	free_proto(p);
	free_if_empty(h);
	return EFI_SUCCESS;
}

/* Registrations see a reinstalled interface as new (section 7.3.3). */
EFI_STATUS EFIAPI ReinstallProtocolInterface(EFI_HANDLE handle, EFI_GUID *protocol,
					     VOID *old, VOID *new)
{
	struct handle *h = find_handle(handle);
	EFI_STATUS s = check_release(h, protocol, old);
	struct proto *p;

	if (s)
		return s;
	p = find_proto(h, protocol);
	free_opens(p);
	p->interface = new;
	p->seq = ++install_seq;
	notify(protocol);
	return EFI_SUCCESS;
}

static bool devpath_installed(const EFI_DEVICE_PATH *path)
{
	UINTN size = efi_devpath_size(path);

	for (struct handle *h = handles; h && size; h = h->next) {
		struct proto *dp = find_proto(h, &efi_device_path_guid);

		if (dp && efi_devpath_size(dp->interface) == size &&
		    !memcmp(dp->interface, path, size))
			return true;
	}
	return false;
}

/* The GUID and interface pairs of ap, all or nothing (section 7.3.16); registrations are
 * notified once all are in. A device path is refused when another handle has it already,
 * as InstallMultipleProtocolInterfaces does and InstallProtocolInterface does not. */
static EFI_STATUS install(EFI_HANDLE *handle, bool unique_paths, va_list ap)
{
	struct proto **first, *p;
	struct handle *h;
	EFI_GUID *guid;
	EFI_STATUS s;
	EFI_TPL old;

	s = get_handle(handle, &h);
	if (s)
		return s;
	first = proto_tail(h);
	while (!s && (guid = va_arg(ap, EFI_GUID *))) {
		VOID *interface = va_arg(ap, VOID *);

		if (unique_paths && efi_guid_eq(guid, &efi_device_path_guid) &&
		    devpath_installed(interface))
			s = EFI_ALREADY_STARTED;
		else
			s = add_proto(h, guid, interface);
	}
	if (s) {
		while ((p = *first)) {
			*first = p->next;
			free_proto(p);
		}
		free_if_empty(h);
		return s;
	}
	*handle = h;
	old = RaiseTPL(TPL_HIGH_LEVEL);
	for (p = *first; p; p = p->next)
		notify(&p->guid);
	RestoreTPL(old);
	return EFI_SUCCESS;
}

/* install()'s pairs as arguments: ..., NULL. */
static EFI_STATUS install_pairs(bool unique_paths, EFI_HANDLE *handle, ...)
{
	EFI_STATUS s;
	va_list ap;

	va_start(ap, handle);
	s = install(handle, unique_paths, ap);
	va_end(ap);
	return s;
}

EFI_STATUS EFIAPI InstallProtocolInterface(EFI_HANDLE *handle, EFI_GUID *protocol,
					   EFI_INTERFACE_TYPE type, VOID *interface)
{
	if (!handle || !protocol || type != EFI_NATIVE_INTERFACE)
		return EFI_INVALID_PARAMETER;
	return install_pairs(false, handle, protocol, interface, NULL);
}

EFI_STATUS EFIAPI InstallMultipleProtocolInterfaces(EFI_HANDLE *handle, ...)
{
	EFI_STATUS s;
	va_list ap;

	if (!handle)
		return EFI_INVALID_PARAMETER;
	va_start(ap, handle);
	s = install(handle, true, ap);
	va_end(ap);
	return s;
}

/* Checks every pair before removing any, so a failure leaves the handle as it was. */
EFI_STATUS EFIAPI UninstallMultipleProtocolInterfaces(EFI_HANDLE handle, ...)
{
	struct handle *h = find_handle(handle);
	EFI_STATUS s = EFI_SUCCESS;
	struct proto **pp, *p;
	EFI_GUID *guid;
	va_list ap;

	if (!h)
		return EFI_INVALID_PARAMETER;
	va_start(ap, handle);
	while (!s && (guid = va_arg(ap, EFI_GUID *))) {
		VOID *interface = va_arg(ap, VOID *);

		p = find_proto(h, guid);
		if (!p || p->interface != interface || p->doomed || !releasable(p))
			s = EFI_INVALID_PARAMETER;
		else
			p->doomed = true;
	}
	va_end(ap);
	for (pp = &h->protos; (p = *pp);) {
		if (p->doomed && !s) {
			*pp = p->next;
			free_proto(p);
		} else {
			p->doomed = false;
			pp = &p->next;
		}
	}
	free_if_empty(h);
	return s;
}

static bool open_args_valid(EFI_HANDLE handle, EFI_HANDLE agent, EFI_HANDLE controller,
			    UINT32 attributes)
{
	bool agent_ok = efi_handle_valid(agent);
	bool both_ok = agent_ok && efi_handle_valid(controller);

	switch (attributes) {
	case EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL:
	case EFI_OPEN_PROTOCOL_GET_PROTOCOL:
	case EFI_OPEN_PROTOCOL_TEST_PROTOCOL:
		return true;
	case EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER:
		return both_ok && controller != handle;
	case EFI_OPEN_PROTOCOL_BY_DRIVER:
	case EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE:
		return both_ok;
	case EFI_OPEN_PROTOCOL_EXCLUSIVE:
		return agent_ok;
	default:
		return false;
	}
}

/* The conflict rules of section 7.3.8. An agent opening again as it already has BY_DRIVER
 * gets ALREADY_STARTED. A driver or exclusive open is denied while another one exists: the
 * spec would first disconnect BY_DRIVER users for EXCLUSIVE, and with no drivers that fails.
 * The other attributes never conflict. */
static EFI_STATUS open_conflict(const struct proto *p, EFI_HANDLE agent, UINT32 attributes)
{
	const UINT32 claim = EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE;
	bool claimed = false;

	for (const struct open *o = p->opens; o; o = o->next) {
		if ((o->info.Attributes & EFI_OPEN_PROTOCOL_BY_DRIVER) &&
		    o->info.Attributes == attributes && o->info.AgentHandle == agent)
			return EFI_ALREADY_STARTED;
		claimed |= (o->info.Attributes & claim) != 0;
	}
	return (attributes & claim) && claimed ? EFI_ACCESS_DENIED : EFI_SUCCESS;
}

/* The same open again counts up its entry (OpenProtocolInformation's OpenCount). */
static EFI_STATUS record_open(struct proto *p, EFI_HANDLE agent, EFI_HANDLE controller,
			      UINT32 attributes)
{
	struct open *o;

	for (o = p->opens; o; o = o->next) {
		if (o->info.AgentHandle == agent && o->info.ControllerHandle == controller &&
		    o->info.Attributes == attributes) {
			o->info.OpenCount++;
			return EFI_SUCCESS;
		}
	}
	o = efi_alloc(sizeof(*o));
	if (!o)
		return EFI_OUT_OF_RESOURCES;
	o->info = (EFI_OPEN_PROTOCOL_INFORMATION_ENTRY){ agent, controller, attributes, 1 };
	o->next = p->opens;
	p->opens = o;
	return EFI_SUCCESS;
}

/* Without an agent nothing is recorded: HandleProtocol, or a GET_PROTOCOL by nobody. */
EFI_STATUS EFIAPI OpenProtocol(EFI_HANDLE handle, EFI_GUID *protocol, VOID **interface,
			       EFI_HANDLE agent, EFI_HANDLE controller, UINT32 attributes)
{
	bool test = attributes == EFI_OPEN_PROTOCOL_TEST_PROTOCOL;
	struct handle *h = find_handle(handle);
	struct proto *p;
	EFI_STATUS s;

	if (!h || !protocol || (!interface && !test) ||
	    !open_args_valid(handle, agent, controller, attributes))
		return EFI_INVALID_PARAMETER;
	if (!test)
		*interface = NULL;
	p = find_proto(h, protocol);
	if (!p)
		return EFI_UNSUPPORTED;
	s = open_conflict(p, agent, attributes);
	if (!s && agent)
		s = record_open(p, agent, controller, attributes);
	/* A bus driver starting again still wants the interface. */
	if (!test && (!s || s == EFI_ALREADY_STARTED))
		*interface = p->interface;
	return s;
}

EFI_STATUS EFIAPI HandleProtocol(EFI_HANDLE handle, EFI_GUID *protocol, VOID **interface)
{
	return OpenProtocol(handle, protocol, interface, NULL, NULL,
			    EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL);
}

/* Closes every open by agent for controller (section 7.3.9). */
EFI_STATUS EFIAPI CloseProtocol(EFI_HANDLE handle, EFI_GUID *protocol, EFI_HANDLE agent,
				EFI_HANDLE controller)
{
	struct handle *h = find_handle(handle);
	EFI_STATUS s = EFI_NOT_FOUND;
	struct open **pp, *o;
	struct proto *p;

	if (!h || !protocol || !efi_handle_valid(agent) ||
	    (controller && !efi_handle_valid(controller)))
		return EFI_INVALID_PARAMETER;
	p = find_proto(h, protocol);
	if (!p)
		return EFI_NOT_FOUND;
	for (pp = &p->opens; (o = *pp);) {
		if (o->info.AgentHandle == agent && o->info.ControllerHandle == controller) {
			*pp = o->next;
			efi_free(o);
			s = EFI_SUCCESS;
		} else {
			pp = &o->next;
		}
	}
	return s;
}

/* Buffers handed to the caller come from the pool, so the caller can FreePool them. The
 * buffer holds at least one entry: it is valid to free even when the count is 0. */
static void *pool(UINTN count, UINTN size)
{
	return efi_pool((count ? count : 1) * size);
}

EFI_STATUS EFIAPI OpenProtocolInformation(EFI_HANDLE handle, EFI_GUID *protocol,
					  EFI_OPEN_PROTOCOL_INFORMATION_ENTRY **entries,
					  UINTN *count)
{
	struct handle *h = find_handle(handle);
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *buf;
	struct proto *p;
	struct open *o;
	UINTN n = 0;

	if (!h || !protocol || !entries || !count)
		return EFI_INVALID_PARAMETER;
	p = find_proto(h, protocol);
	if (!p)
		return EFI_NOT_FOUND;
	for (o = p->opens; o; o = o->next)
		n++;
	buf = pool(n, sizeof(*buf));
	if (!buf)
		return EFI_OUT_OF_RESOURCES;
	*entries = buf;
	*count = n;
	for (o = p->opens; o; o = o->next)
		*buf++ = o->info;
	return EFI_SUCCESS;
}

/* The GUIDs returned are the database's own copies, valid while installed. */
EFI_STATUS EFIAPI ProtocolsPerHandle(EFI_HANDLE handle, EFI_GUID ***protocols, UINTN *count)
{
	struct handle *h = find_handle(handle);
	EFI_GUID **buf;
	struct proto *p;
	UINTN n = 0;

	if (!h || !protocols || !count)
		return EFI_INVALID_PARAMETER;
	for (p = h->protos; p; p = p->next)
		n++;
	buf = pool(n, sizeof(*buf));
	if (!buf)
		return EFI_OUT_OF_RESOURCES;
	*protocols = buf;
	*count = n;
	for (p = h->protos; p; p = p->next)
		*buf++ = &p->guid;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI RegisterProtocolNotify(EFI_GUID *protocol, EFI_EVENT event,
					 VOID **registration)
{
	struct notify *n, **tail = &notifies;

	if (!protocol || !event || !registration)
		return EFI_INVALID_PARAMETER;
	efi_event_close_hook = efi_protocol_event_closed;
	n = efi_alloc(sizeof(*n));
	if (!n)
		return EFI_OUT_OF_RESOURCES;
	n->guid = *protocol;
	n->event = event;
	n->seen = install_seq;
	while (*tail)
		tail = &(*tail)->next;
	*tail = n;
	*registration = n;
	return EFI_SUCCESS;
}

static struct notify *find_notify(const VOID *registration)
{
	for (struct notify *n = notifies; n; n = n->next)
		if (n == registration)
			return n;
	return NULL;
}

/* The handle with the earliest interface installed or reinstalled since the registration
 * last saw one. */
static struct handle *next_notified(const struct notify *n)
{
	struct handle *best = NULL;
	UINT64 seq = 0;

	for (struct handle *h = handles; h; h = h->next) {
		struct proto *p = find_proto(h, &n->guid);

		if (p && p->seq > n->seen && (!best || p->seq < seq)) {
			best = h;
			seq = p->seq;
		}
	}
	return best;
}

/* ByRegisterNotify hands out one handle a call and moves the registration past it. */
static EFI_STATUS locate_notified(const VOID *key, UINTN *size, EFI_HANDLE *buffer)
{
	struct notify *n = find_notify(key);
	struct handle *h;

	if (!n)
		return EFI_INVALID_PARAMETER;
	h = next_notified(n);
	if (!h)
		return EFI_NOT_FOUND;
	if (*size < sizeof(EFI_HANDLE)) {
		*size = sizeof(EFI_HANDLE);
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!buffer)
		return EFI_INVALID_PARAMETER;
	*size = sizeof(EFI_HANDLE);
	*buffer = h;
	n->seen = find_proto(h, &n->guid)->seq;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI LocateHandle(EFI_LOCATE_SEARCH_TYPE type, EFI_GUID *protocol,
			       VOID *key, UINTN *size, EFI_HANDLE *buffer)
{
	struct handle *h;
	UINTN need = 0;

	if (!size || (UINT32)type > ByProtocol ||     /* AllHandles, ByRegisterNotify, ByProtocol */
	    (type == ByProtocol && !protocol))
		return EFI_INVALID_PARAMETER;
	if (type == ByRegisterNotify)
		return locate_notified(key, size, buffer);
	for (h = handles; h; h = h->next)
		if (type == AllHandles || find_proto(h, protocol))
			need += sizeof(EFI_HANDLE);
	if (!need)
		return EFI_NOT_FOUND;
	if (*size < need) {
		*size = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!buffer)
		return EFI_INVALID_PARAMETER;
	*size = need;
	for (h = handles; h; h = h->next)
		if (type == AllHandles || find_proto(h, protocol))
			*buffer++ = h;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI LocateHandleBuffer(EFI_LOCATE_SEARCH_TYPE type, EFI_GUID *protocol,
				     VOID *key, UINTN *count, EFI_HANDLE **buffer)
{
	EFI_HANDLE *buf = NULL;
	UINTN size = 0;
	EFI_STATUS s;

	if (!count || !buffer)
		return EFI_INVALID_PARAMETER;
	*count = 0;
	*buffer = NULL;
	/* Size, allocate, fill: again if the database grew while the pool was allocating. */
	while ((s = LocateHandle(type, protocol, key, &size, buf)) == EFI_BUFFER_TOO_SMALL) {
		if (buf)
			FreePool(buf);
		buf = pool(1, size);
		if (!buf)
			return EFI_OUT_OF_RESOURCES;
	}
	if (s) {
		if (buf)
			FreePool(buf);
		return s;
	}
	*count = size / sizeof(EFI_HANDLE);
	*buffer = buf;
	return EFI_SUCCESS;
}

/* With a registration, the next interface it has not seen (the Protocol is the one it was
 * registered for); without one, the first installed. */
EFI_STATUS EFIAPI LocateProtocol(EFI_GUID *protocol, VOID *registration, VOID **interface)
{
	struct handle *h;
	struct notify *n;
	struct proto *p;

	if (!protocol || !interface)
		return EFI_INVALID_PARAMETER;
	*interface = NULL;
	if (registration) {
		n = find_notify(registration);
		if (!n)
			return EFI_INVALID_PARAMETER;
		h = next_notified(n);
		if (!h)
			return EFI_NOT_FOUND;
		p = find_proto(h, &n->guid);
		n->seen = p->seq;
		*interface = p->interface;
		return EFI_SUCCESS;
	}
	for (h = handles; h; h = h->next) {
		p = find_proto(h, protocol);
		if (p) {
			*interface = p->interface;
			return EFI_SUCCESS;
		}
	}
	return EFI_NOT_FOUND;
}

/* The handle supporting protocol whose device path is the longest prefix of the first
 * instance of *path; *path moves past that prefix (section 7.3.7). */
EFI_STATUS EFIAPI LocateDevicePath(EFI_GUID *protocol, EFI_DEVICE_PATH **path,
				   EFI_HANDLE *device)
{
	struct handle *best = NULL;
	INTN len, best_len = -1;

	if (!protocol || !path || !*path)
		return EFI_INVALID_PARAMETER;
	len = devpath_len(*path, true);
	if (len < 0)
		return EFI_INVALID_PARAMETER;
	for (struct handle *h = handles; h; h = h->next) {
		struct proto *dp = find_proto(h, &efi_device_path_guid);
		UINTN size = dp ? efi_devpath_size(dp->interface) : 0;
		INTN n = (INTN)size - (INTN)END_DEVICE_PATH_LENGTH;

		if (size && n > best_len && n <= len && find_proto(h, protocol) &&
		    !memcmp(dp->interface, *path, n)) {
			best = h;
			best_len = n;
		}
	}
	if (!best)
		return EFI_NOT_FOUND;
	if (!device)
		return EFI_INVALID_PARAMETER;
	*device = best;
	*path = (EFI_DEVICE_PATH *)((UINT8 *)*path + best_len);
	return EFI_SUCCESS;
}
