/* W^X for loaders that predate it (docs/handoff.md, "W^X and loaders without NX_COMPAT"):
 * their EfiLoaderCode pages are read-write and execute-never until an instruction is
 * fetched there, then read-only and executable until the next write, and so on. A store
 * into its own page (that would livelock) runs out of line; only a store-exclusive that
 * does makes its page RWX, with SCTLR.WXN off while any such page exists. */
#ifndef EFILITE_WX_H
#define EFILITE_WX_H

#include <stdbool.h>
#include <stdint.h>

struct wx_stats {
	uint64_t to_x;          /* flips to read-only-executable (instruction fetches) */
	uint64_t to_w;          /* flips to read-write, execute-never (writes) */
	uint64_t out_of_line;   /* stores into their own page, run from a trampoline */
	uint64_t rwx_made;      /* pages made RWX so far (a store-exclusive into its page) */
	uint64_t rwx_now;       /* of those, still mapped RWX */
};

/* [base, base+size) (4 KiB aligned) becomes flip pages, starting read-write,
 * execute-never; release makes them plain read-write, execute-never again (freed). */
int wx_mark(uint64_t base, uint64_t size);
void wx_release(uint64_t base, uint64_t size);
/* The image sets the permissions of [base, base+size) itself (the memory attribute
 * protocol): they stop being flip pages, and RWX ones stop counting. */
void wx_unflip(uint64_t base, uint64_t size);

/* The crash report's hook (boot/crash.c), for aborts and BRKs: where to resume (the
 * faulting instruction, or a trampoline), or 0 when the exception is not the flips'. */
uint64_t wx_abort(uint64_t esr, uint64_t far, uint64_t elr);

const struct wx_stats *wx_stats(void);

#endif
