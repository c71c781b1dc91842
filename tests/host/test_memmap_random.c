/* The memory map (mm/memmap.c) against a reference model: random set, reserve,
 * allocate and free operations, compared descriptor by descriptor after each one. */
#include "memmap_test.h"

/* ---- random operations against a reference model ---- */

#define M_BASE  GiB     /* aligned to every alignment used below */
#define M_PAGES (MEMMAP_MAX * 3 / 2)  /* enough for more than MEMMAP_MAX runs */
#define M_OPS   100000

struct model {
	bool present[M_PAGES];
	UINT32 type[M_PAGES];
	UINT64 attr[M_PAGES];
	bool fixed[M_PAGES];
	unsigned nr_fixed;      /* memmap_reserve calls that fixed pages */
};

static struct model md;
static UINT64 rng;
static unsigned op_no;

static UINT64 rnd64(void)
{
	UINT64 z = (rng += 0x9e3779b97f4a7c15ULL);     /* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static UINT64 rnd(UINT64 n)
{
	return rnd64() % n;
}

static bool same(const struct model *x, UINT64 a, UINT64 b)
{
	return x->type[a] == x->type[b] && x->attr[a] == x->attr[b];
}

/* The model as descriptors; returns how many. */
static size_t model_descs(const struct model *x, EFI_MEMORY_DESCRIPTOR *out)
{
	size_t n = 0;

	for (UINT64 p = 0; p < M_PAGES; p++) {
		if (!x->present[p])
			continue;
		if (p && x->present[p - 1] && same(x, p - 1, p)) {
			out[n - 1].NumberOfPages++;
			continue;
		}
		out[n++] = (EFI_MEMORY_DESCRIPTOR){
			.Type = x->type[p], .PhysicalStart = M_BASE + p * PAGE,
			.NumberOfPages = 1, .Attribute = x->attr[p],
		};
	}
	return n;
}

static void print_desc(size_t i, const char *what, const EFI_MEMORY_DESCRIPTOR *d)
{
	print_message("%3zu %-5s %#llx+%llu type %u attr %#llx\n", i, what,
		      (unsigned long long)d->PhysicalStart, (unsigned long long)d->NumberOfPages,
		      d->Type, (unsigned long long)d->Attribute);
}

static void check_model(void)
{
	static EFI_MEMORY_DESCRIPTOR want[M_PAGES], got[MEMMAP_MAX];
	size_t n = model_descs(&md, want);
	UINTN size = sizeof(got), key, desc_size;
	UINT32 version;

	check_sane(&m);
	assert_int_equal(memmap_get(&m, &size, got, &key, &desc_size, &version), EFI_SUCCESS);
	if (size != n * sizeof(got[0]) || memcmp(got, want, size)) {
		for (size_t i = 0; i < n || i < size / sizeof(got[0]); i++)
			if (memcmp(&got[i], &want[i], sizeof(got[i]))) {
				print_desc(i, "map", &got[i]);
				print_desc(i, "model", &want[i]);
			}
		fail_msg("op %u: map differs from the model", op_no);
	}
}

/* Commit x to the model unless it needs more descriptors than the map holds. */
static EFI_STATUS model_commit(const struct model *x)
{
	static EFI_MEMORY_DESCRIPTOR scratch[M_PAGES];

	if (model_descs(x, scratch) > MEMMAP_MAX)
		return EFI_OUT_OF_RESOURCES;
	md = *x;
	return EFI_SUCCESS;
}

static EFI_STATUS model_set(UINT64 p, UINT64 n, UINT32 type, UINT64 attr)
{
	struct model x = md;

	for (UINT64 i = p; i < p + n; i++) {
		x.present[i] = true;
		x.type[i] = type;
		x.attr[i] = attr;
	}
	return model_commit(&x);
}

static EFI_STATUS model_reserve(UINT64 p, UINT64 n, UINT32 type, UINT64 attr)
{
	EFI_STATUS status;

	if (md.nr_fixed == MEMMAP_FIXED_MAX)
		return EFI_OUT_OF_RESOURCES;
	status = model_set(p, n, type, attr);
	if (status != EFI_SUCCESS || !n)
		return status;
	md.nr_fixed++;
	for (UINT64 i = p; i < p + n; i++)
		md.fixed[i] = true;
	return status;
}

static bool valid_request(UINT32 type, UINT64 pages, UINT64 align)
{
	return is_allocatable(type) && pages && align >= PAGE && !(align & (align - 1));
}

/* Whether n pages at model page p are free, of one attribute, and aligned. */
static bool model_fits(UINT64 p, UINT64 n, UINT64 align)
{
	if (p + n > M_PAGES || (M_BASE + p * PAGE) % align)
		return false;
	for (UINT64 i = p; i < p + n; i++)
		if (!md.present[i] || md.type[i] != EfiConventionalMemory ||
		    md.attr[i] != md.attr[p])
			return false;
	return true;
}

static EFI_STATUS model_claim(UINT64 p, UINT64 n, UINT32 type, UINT64 *addr)
{
	UINT64 attr = md.attr[p] & ~EFI_MEMORY_RUNTIME;
	EFI_STATUS status;

	if (is_runtime(type))
		attr |= EFI_MEMORY_RUNTIME;
	status = model_set(p, n, type, attr);
	if (status == EFI_SUCCESS)
		*addr = M_BASE + p * PAGE;
	return status;
}

/* What AllocatePages must do, by brute force over every page. */
static EFI_STATUS model_alloc(EFI_ALLOCATE_TYPE how, UINT32 type, UINT64 n, UINT64 align,
			      UINT64 *addr)
{
	UINT64 p;

	if (!valid_request(type, n, align) || how >= MaxAllocateType)
		return EFI_INVALID_PARAMETER;
	if (how == AllocateAddress) {
		if (*addr % align)
			return EFI_INVALID_PARAMETER;
		p = (*addr - M_BASE) / PAGE;
		if (*addr < M_BASE || !model_fits(p, n, PAGE))
			return EFI_NOT_FOUND;
		return model_claim(p, n, type, addr);
	}
	for (p = M_PAGES; p-- > 0;)
		if (model_fits(p, n, align) &&
		    (how == AllocateAnyPages || M_BASE + (p + n) * PAGE - 1 <= *addr))
			return model_claim(p, n, type, addr);
	return EFI_OUT_OF_RESOURCES;
}

static EFI_STATUS model_alloc_random(UINT32 type, UINT64 n, UINT64 align, UINT64 max,
				     UINT64 seed, UINT64 *addr)
{
	UINT64 cand[M_PAGES], count = 0;

	if (!valid_request(type, n, align))
		return EFI_INVALID_PARAMETER;
	for (UINT64 p = 0; p < M_PAGES; p++)
		if (model_fits(p, n, align) && M_BASE + (p + n) * PAGE - 1 <= max)
			cand[count++] = p;
	if (!count)
		return EFI_OUT_OF_RESOURCES;
	return model_claim(cand[seed % count], n, type, addr);
}

static EFI_STATUS model_free(UINT64 base, UINT64 n)
{
	UINT64 p = (base - M_BASE) / PAGE, attr;

	if (base % PAGE || !n)
		return EFI_INVALID_PARAMETER;
	if (base < M_BASE || p + n > M_PAGES || !md.present[p])
		return EFI_NOT_FOUND;
	attr = md.attr[p] & ~EFI_MEMORY_RUNTIME;
	for (UINT64 i = p; i < p + n; i++)
		if (!md.present[i] || md.fixed[i] || !is_allocatable(md.type[i]) ||
		    (md.attr[i] & ~EFI_MEMORY_RUNTIME) != attr)
			return EFI_NOT_FOUND;
	return model_set(p, n, EfiConventionalMemory, attr);
}

static UINT32 random_set_type(void)
{
	static const UINT32 types[] = {
		EfiConventionalMemory, EfiConventionalMemory, EfiConventionalMemory,
		EfiConventionalMemory, EfiReservedMemoryType, EfiLoaderData, EfiBootServicesData,
		EfiRuntimeServicesData, EfiMemoryMappedIO, EfiACPIMemoryNVS, 0x80000001,
		14 /* EfiPersistentMemory: never allocated, so never freed */,
	};

	return types[rnd(ARRAY_SIZE(types))];
}

static UINT64 random_attr(void)
{
	static const UINT64 attrs[] = { WB, WB, RAM, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME };

	return attrs[rnd(4)];
}

static UINT32 random_alloc_type(void)
{
	static const UINT32 invalid[] = { EfiConventionalMemory, 14, 15, 0x6fffffff };

	if (!rnd(20))
		return invalid[rnd(4)];
	return allocatable_types[rnd(ARRAY_SIZE(allocatable_types))];
}

static UINT64 random_pages(void)
{
	return rnd(50) ? 1 + rnd(rnd(4) ? 8 : 40) : 0;
}

static UINT64 random_align(void)
{
	return rnd(50) ? PAGE << rnd(rnd(4) ? 3 : 10) : rnd(3 * PAGE);
}

/* Any byte from a page below the model to a page above it. */
static UINT64 random_addr(void)
{
	return M_BASE - PAGE + rnd((M_PAGES + 2) * PAGE);
}

struct stats {
	unsigned ok[5], fail[5], full, reserved, fixed_full, fixed_refused;
};

/* One random operation on both the map and the model; they must agree. */
static void random_op(bool fragment, struct stats *st)
{
	EFI_STATUS got, want;
	UINT64 addr, maddr;
	UINTN key = m.key;
	unsigned kind = fragment && rnd(4) ? 0 : rnd(5);
	bool no_change = false;

	/* memmap_reserve: a few small ranges, often enough to fill the fixed list */
	if (kind == 0 && !rnd(1024 / MEMMAP_FIXED_MAX)) {
		UINT64 p = rnd(M_PAGES), n = rnd(M_PAGES - p + 1) % 9;
		UINT32 type = random_set_type();
		UINT64 attr = random_attr();

		got = memmap_reserve(&m, M_BASE + p * PAGE, n, type, attr);
		want = model_reserve(p, n, type, attr);
		no_change = !n;
		st->reserved += got == EFI_SUCCESS;
		st->fixed_full += got == EFI_OUT_OF_RESOURCES && md.nr_fixed == MEMMAP_FIXED_MAX;
	} else if (kind == 0) {         /* memmap_set */
		UINT64 p = rnd(M_PAGES), n = fragment ? 1 : rnd(M_PAGES - p + 1);
		UINT32 type = random_set_type();
		UINT64 attr = random_attr();

		got = memmap_set(&m, M_BASE + p * PAGE, n, type, attr);
		want = model_set(p, n, type, attr);
		no_change = !n;
	} else if (kind == 1 || kind == 2) {    /* memmap_alloc */
		EFI_ALLOCATE_TYPE how = rnd(20) ? rnd(3) : MaxAllocateType;
		UINT32 type = random_alloc_type();
		UINT64 n = random_pages(), align = random_align();

		addr = random_addr();
		if (how == AllocateAddress && rnd(4) && align)
			addr &= ~(align - 1);   /* mostly a valid request */
		maddr = addr;
		got = memmap_alloc(&m, how, type, n, align, &addr);
		want = model_alloc(how, type, n, align, &maddr);
		assert_int_equal(addr, maddr);
	} else if (kind == 3) { /* memmap_alloc_random */
		UINT32 type = random_alloc_type();
		UINT64 n = random_pages(), align = random_align();
		UINT64 max = rnd(8) ? random_addr() : ~0ULL, seed = rnd64();

		addr = maddr = 0;
		got = memmap_alloc_random(&m, type, n, align, max, seed, &addr);
		want = model_alloc_random(type, n, align, max, seed, &maddr);
		assert_int_equal(addr, maddr);
	} else {                /* memmap_free: often some or all of an allocated run */
		UINT64 p = rnd(M_PAGES), n = 1 + rnd(16);

		if (rnd(4)) {
			while (p < M_PAGES && (!md.present[p] || !is_allocatable(md.type[p])))
				p++;
			for (n = 1; rnd(8) && p + n < M_PAGES && same(&md, p, p + n); n++)
				;
		}
		addr = M_BASE + p * PAGE + (rnd(50) ? 0 : 1 + rnd(PAGE - 1));
		n = rnd(50) ? n : 0;
		got = memmap_free(&m, addr, n);
		want = model_free(addr, n);
		for (UINT64 i = p; got == EFI_NOT_FOUND && i < p + n && i < M_PAGES; i++)
			if (md.fixed[i]) {
				st->fixed_refused++;
				break;
			}
	}
	if (got != want)
		fail_msg("op %u (kind %u): status %#llx, model says %#llx", op_no, kind,
			 (unsigned long long)got, (unsigned long long)want);
	assert_int_equal(m.key, key + (got == EFI_SUCCESS && !no_change));
	if (got == EFI_SUCCESS)
		st->ok[kind]++;
	else
		st->fail[kind]++;
	st->full += got == EFI_OUT_OF_RESOURCES && kind == 0;
	check_model();
}

static UINT64 test_seed(void)
{
	const char *s = getenv("TEST_SEED");

	return s ? strtoull(s, NULL, 0) : 0x5eed0f3f11a1ULL;
}

static void test_random_vs_model(void **state)
{
	struct stats st = { 0 };
	unsigned left = 0;
	bool fragment = false;

	rng = test_seed();
	print_message("random ops: seed %#llx (set TEST_SEED to change)\n",
		      (unsigned long long)rng);
	for (op_no = 0; op_no < M_OPS; op_no++, left--) {
		if (!left) {
			/* A new phase: fresh map with some RAM; a third fragment it. */
			UINT64 p = rnd(M_PAGES / 2);
			UINT64 n = M_PAGES / 4 + rnd(M_PAGES - p - M_PAGES / 4);

			memmap_init(&m);
			memset(&md, 0, sizeof(md));
			left = 200 + rnd(4000);
			fragment = !rnd(3);
			assert_int_equal(memmap_set(&m, M_BASE + p * PAGE, n, EfiConventionalMemory,
						    WB), EFI_SUCCESS);
			assert_int_equal(model_set(p, n, EfiConventionalMemory, WB), EFI_SUCCESS);
		}
		random_op(fragment, &st);
	}
	print_message("ok/failed: set %u/%u alloc %u/%u random %u/%u free %u/%u; "
		      "set with map full %u; reserved %u, with the list full %u; frees of "
		      "fixed pages %u\n", st.ok[0], st.fail[0], st.ok[1] + st.ok[2],
		      st.fail[1] + st.fail[2], st.ok[3], st.fail[3], st.ok[4], st.fail[4], st.full,
		      st.reserved, st.fixed_full, st.fixed_refused);
	/* Every path was taken often, the capacity limit included. */
	for (int k = 0; k < 5; k++)
		assert_true(st.ok[k] > M_OPS / 50 && st.fail[k] > M_OPS / 500);
	assert_true(st.full > 10);
	assert_true(st.reserved > 100 && st.fixed_full > 10 && st.fixed_refused > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_random_vs_model, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
