/* Reads that may fault: boot/crash.c turns a synchronous abort on the probing load into
 * a return of -1 instead of a crash report. For memory whose existence is in doubt (RAM
 * the device tree declares, the word at a crashing ELR), never for devices with read
 * side effects. */
#ifndef EFILITE_PROBE_H
#define EFILITE_PROBE_H

#include <stdint.h>

/* 0 and *val set when the 64-bit read at addr (8-byte aligned) completes; -1 when it
 * aborted. */
int probe_read64(uint64_t addr, uint64_t *val);
/* The same for a 32-bit read (4-byte aligned). */
int probe_read32(uint64_t addr, uint32_t *val);

/* For the exception handler: where execution resumes when the exception at elr is a
 * probing load's abort, else 0. */
uint64_t probe_fixup(uint64_t elr);

#endif
