/* Architectural constants shared by assembler and C (Arm ARM names). */
#ifndef EFILITE_ARCH_H
#define EFILITE_ARCH_H

#define SCTLR_M    (1 << 0)     /* MMU on */
#define SCTLR_C    (1 << 2)     /* data cache */
#define SCTLR_SA   (1 << 3)     /* stack alignment check */
#define SCTLR_I    (1 << 12)    /* instruction cache */
#define SCTLR_WXN  (1 << 19)    /* writable implies execute-never */
/* RES1 bits of Armv8.0 (later extensions give some of them meanings; 1 is their safe value) */
#define SCTLR_EL1_RES1 0x30d00800
#define SCTLR_EL2_RES1 0x30c50830   /* also SCTLR_EL3 */
#define SCTLR_ON   (SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I | SCTLR_WXN)

#define HCR_EL2_RW      (1 << 31)  /* EL1 is AArch64 */
#define SCR_EL3_RW      (1 << 10)  /* lower ELs are AArch64 (and NS = 0: secure) */
#define SPSR_EL1H       0x3c5      /* DAIF masked, EL1 on SP_EL1 */
#define SPSR_EL2T       0x3c8      /* DAIF masked, EL2 on SP_EL0 */
#define CPTR_EL2_RES1   0x33ff     /* TFP (bit 10) clear: FP/SIMD not trapped */
#define CNTHCTL_EL1PCEN (3)        /* EL1 may use the physical counter and timer */
#define CPACR_FPEN      (3 << 20)  /* FP/SIMD usable at EL1 and EL0 (UEFI requires it) */

#endif
