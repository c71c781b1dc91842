/* System registers, barriers and the per-EL choice of register names. */
#ifndef EFILITE_SYSREG_H
#define EFILITE_SYSREG_H

#include <stdint.h>

#define read_sysreg(r) ({ uint64_t __v; asm volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(r, v) asm volatile("msr " #r ", %0" :: "r"((uint64_t)(v)))
#define isb()   asm volatile("isb" ::: "memory")
#define dsb(o)  asm volatile("dsb " #o ::: "memory")
#define dmb(o)  asm volatile("dmb " #o ::: "memory")

static inline unsigned current_el(void)
{
	return (read_sysreg(CurrentEL) >> 2) & 3;
}

/* Read the register of the current EL: EL3 and EL2 share the EL2 register layout. */
#define read_elx(name) ({ unsigned __el = current_el();			\
	__el == 1 ? read_sysreg(name##_el1) :				\
	__el == 2 ? read_sysreg(name##_el2) : read_sysreg(name##_el3); })

#endif
