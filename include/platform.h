/* What the device tree tells us about the machine: filled once at boot by dt_parse(). */
#ifndef EFILITE_PLATFORM_H
#define EFILITE_PLATFORM_H

#include <stdint.h>
#include <stdbool.h>

#define PLAT_MAX_RAM      16   /* /memory regions (several nodes, several reg entries) */
#define PLAT_MAX_RESERVED 16   /* /reserved-memory children plus memreserve entries */

struct region {
	uint64_t base, size;
	int node;               /* NUMA node id (numa-node-id), 0 when absent */
};

enum psci_conduit { PSCI_NONE, PSCI_HVC, PSCI_SMC };

struct platform {
	const void *fdt;
	uint32_t fdt_size;                      /* fdt_totalsize() */

	struct region ram[PLAT_MAX_RAM];        /* sorted by base, not merged */
	unsigned nr_ram;
	struct region reserved[PLAT_MAX_RESERVED]; /* /reserved-memory + /memreserve/, sorted
						    * by base, may overlap */
	unsigned nr_reserved;

	uint64_t uart;          /* PL011 named by /chosen/stdout-path (else first arm,pl011);
				 * 0 when there is none */
	uint64_t rtc;           /* arm,pl031; 0 when absent */
	uint64_t fwcfg;         /* qemu,fw-cfg-mmio; 0 when absent */
	uint64_t fwcfg_size;
	uint64_t flash1;        /* cfi-flash's second bank (the variable store), 0 when absent */
	uint64_t flash1_size;
	enum psci_conduit psci; /* /psci method */
	uint64_t poweroff_gpio; /* PL061 with a gpio-poweroff line (for when PSCI is absent) */
	unsigned poweroff_pin;
	bool poweroff_active_low;
	unsigned nr_cpus;       /* /cpus/cpu@* with device_type "cpu" */

	uint8_t rng_seed[64];   /* /chosen/rng-seed (QEMU gives 32 bytes) */
	unsigned rng_seed_len;
	uint64_t kaslr_seed;    /* /chosen/kaslr-seed, 0 when absent */
	const char *bootargs;   /* /chosen/bootargs inside the fdt, NULL when absent */
};

extern struct platform plat;

/* Parse fdt into p. Returns 0, or a negative number with *why set to a message
 * naming what is wrong (bad header, no /memory, no usable RAM ...). */
int dt_parse(const void *fdt, struct platform *p, const char **why);

/* Sum of all RAM. */
uint64_t plat_ram_total(const struct platform *p);

#endif
