/* A loader that predates W^X, in miniature: it writes code into EfiLoaderCode pages
 * and runs it, doing no cache maintenance of its own (the firmware's flips must). Its
 * load options choose what it does:
 *   split     code in one page stores into another; then the code is rewritten and run
 *             again (it must return the new value: the I-cache was invalidated)
 *   self      code stores into its own page (the case that would livelock)
 *   exclusive the same with a load/store-exclusive pair (the one case that gets RWX)
 *   memattr   what an NX_COMPAT image does instead: EFI_MEMORY_ATTRIBUTE_PROTOCOL
 *             makes the page read-only and executable before the call
 * It always says whether EFI_MEMORY_ATTRIBUTE_PROTOCOL is there. tests/test_wx.py runs it
 * as it is and with IMAGE_DLLCHARACTERISTICS_NX_COMPAT set in its header. */
#include <efi.h>
#include <efilib.h>

#define EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID \
	{ 0xf4560cf6, 0x40ec, 0x4b4a, { 0xa1, 0x92, 0xbf, 0x1d, 0x57, 0xd0, 0xb1, 0x89 } }

#ifndef EFI_MEMORY_RO
#define EFI_MEMORY_RO 0x20000ULL      /* UEFI 2.10 section 7.2.3; older gnu-efi lacks it */
#endif

typedef struct memattr {
	EFI_STATUS (EFIAPI *Get)(struct memattr *, EFI_PHYSICAL_ADDRESS, UINT64, UINT64 *);
	EFI_STATUS (EFIAPI *Set)(struct memattr *, EFI_PHYSICAL_ADDRESS, UINT64, UINT64);
	EFI_STATUS (EFIAPI *Clear)(struct memattr *, EFI_PHYSICAL_ADDRESS, UINT64, UINT64);
} MEMATTR;

typedef UINT32 (*stub_fn)(volatile UINT32 *where, UINT32 value);

/* f(where, value): *where = value; return ret. A64: str w1, [x0]; mov w0, #ret; ret */
static void write_stub(volatile UINT32 *code, UINT32 ret)
{
	code[0] = 0xb9000001;
	code[1] = 0x52800000 | (ret << 5);
	code[2] = 0xd65f03c0;
}

static EFI_PHYSICAL_ADDRESS pages(UINTN n)
{
	EFI_PHYSICAL_ADDRESS a;

	if (uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderCode, n, &a))
		return 0;
	return a;
}

static void split(void)
{
	EFI_PHYSICAL_ADDRESS a = pages(2);
	volatile UINT32 *code = (UINT32 *)a, *data = (UINT32 *)(a + 4096);
	UINT32 r1, r2;

	Print(L"wxtest: code at %lx\n", a);
	write_stub(code, 7);
	r1 = ((stub_fn)code)(data, 0x1234);
	write_stub(code, 9);
	r2 = ((stub_fn)code)(data + 1, 0x5678);
	Print(L"wxtest: split: %d then %d, data %x %x\n", r1, r2, data[0], data[1]);
	uefi_call_wrapper(BS->FreePages, 2, a, 2);
}

/* SCTLR_ELx.WXN: off only while an RWX page exists. */
static int wxn(void)
{
	UINT64 el, sctlr;

	asm volatile("mrs %0, CurrentEL" : "=r"(el));
	if ((el >> 2 & 3) == 2)
		asm volatile("mrs %0, sctlr_el2" : "=r"(sctlr));
	else
		asm volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	return sctlr >> 19 & 1;
}

static void self(void)
{
	EFI_PHYSICAL_ADDRESS a = pages(1);
	volatile UINT32 *code = (UINT32 *)a, *data = (UINT32 *)(a + 2048);
	UINT32 r;

	Print(L"wxtest: code at %lx\n", a);
	write_stub(code, 11);
	r = ((stub_fn)code)(data, 0xabcd);
	Print(L"wxtest: self: %d, data %x, WXN %d\n", r, data[0], wxn());
	uefi_call_wrapper(BS->FreePages, 2, a, 1);
	Print(L"wxtest: self: freed, WXN %d\n", wxn());
}

/* f(where, value): do ldxr w2, [x0]; stxr w3, w1, [x0] while w3; return 13 */
static void exclusive(void)
{
	static const UINT32 insns[] = { 0x885f7c02, 0x88037c01, 0x35ffffc3, 0x528001a0,
					0xd65f03c0 };
	EFI_PHYSICAL_ADDRESS a = pages(1);
	volatile UINT32 *code = (UINT32 *)a, *data = (UINT32 *)(a + 2048);
	UINT32 r;

	Print(L"wxtest: code at %lx\n", a);
	for (unsigned i = 0; i < sizeof(insns) / sizeof(insns[0]); i++)
		code[i] = insns[i];
	r = ((stub_fn)code)(data, 0xfeed);
	Print(L"wxtest: exclusive: %d, data %x, WXN %d\n", r, data[0], wxn());
	uefi_call_wrapper(BS->FreePages, 2, a, 1);
	Print(L"wxtest: exclusive: freed, WXN %d\n", wxn());
}

static void with_memattr(MEMATTR *ma)
{
	EFI_PHYSICAL_ADDRESS a = pages(2);
	volatile UINT32 *code = (UINT32 *)a, *data = (UINT32 *)(a + 4096);
	UINT32 r;

	write_stub(code, 5);
	/* What a loader must do itself once code is written: clean and invalidate. */
	asm volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" :: "r"(a) : "memory");
	if (uefi_call_wrapper(ma->Set, 4, ma, a, 4096, EFI_MEMORY_RO) ||
	    uefi_call_wrapper(ma->Clear, 4, ma, a, 4096, EFI_MEMORY_XP)) {
		Print(L"wxtest: memattr: cannot make the page RX\n");
		return;
	}
	r = ((stub_fn)code)(data, 0x4242);
	Print(L"wxtest: memattr: %d, data %x\n", r, data[0]);
	uefi_call_wrapper(ma->Set, 4, ma, a, 4096, EFI_MEMORY_XP);
	uefi_call_wrapper(ma->Clear, 4, ma, a, 4096, EFI_MEMORY_RO);
	uefi_call_wrapper(BS->FreePages, 2, a, 2);
}

static int has_word(EFI_LOADED_IMAGE *li, const CHAR16 *w)
{
	const CHAR16 *s = li->LoadOptions;
	UINTN n = li->LoadOptionsSize / 2, len = StrLen(w);

	for (UINTN i = 0; s && i + len <= n; i++)
		if (!StrnCmp(s + i, w, len) && (i + len == n || s[i + len] == ' ' || !s[i + len]))
			return 1;
	return 0;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static EFI_GUID ma_guid = EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID;
	EFI_LOADED_IMAGE *li;
	MEMATTR *ma = NULL;
	EFI_STATUS s;

	InitializeLib(image, st);
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li))
		return EFI_LOAD_ERROR;
	s = uefi_call_wrapper(BS->LocateProtocol, 3, &ma_guid, NULL, (void **)&ma);
	Print(L"wxtest: EFI_MEMORY_ATTRIBUTE_PROTOCOL: %s (%r), WXN %d\n",
	      s ? L"absent" : L"present", s, wxn());
	if (has_word(li, L"memattr") && ma)
		with_memattr(ma);
	if (has_word(li, L"split"))
		split();
	if (has_word(li, L"self"))
		self();
	if (has_word(li, L"exclusive"))
		exclusive();
	Print(L"wxtest: done\n");
	return EFI_SUCCESS;
}
