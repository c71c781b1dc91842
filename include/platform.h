/* What the device tree tells us about the machine: filled once at boot by dt_parse(). */
#ifndef EFILITE_PLATFORM_H
#define EFILITE_PLATFORM_H

#include <stdint.h>
#include <stdbool.h>
#include "psci.h"

#define PLAT_MAX_RAM      16   /* /memory regions (several nodes, several reg entries) */
/* /reserved-memory children plus /memreserve/ entries. Real trees have tens (phones'
 * carve-outs); Linux's early memblock table starts with 128 too. */
#define PLAT_MAX_RESERVED 128
#define PLAT_MAX_VIRTIO_MMIO 32 /* virt's virtio-mmio slots */

struct region {
	uint64_t base, size;
	int node;               /* NUMA node id (numa-node-id), 0 when absent */
	const char *name;       /* the node's name (in the fdt), NULL for /memreserve/ */
};


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
	const char *uart_why;   /* when uart is 0: why, "device tree: console ..." */
	uint64_t rtc;           /* arm,pl031; 0 when absent */
	uint64_t fwcfg;         /* qemu,fw-cfg-mmio; 0 when absent */
	uint64_t fwcfg_size;
	uint64_t ecam;          /* pci-host-ecam-generic config space; 0 when absent */
	uint64_t ecam_size;
	int pcie_node;          /* its node offset in fdt (drivers/pci_host.c reads the rest) */
	uint64_t flash1;        /* cfi-flash's second bank (the variable store), 0 when absent */
	uint64_t flash1_size;
	enum psci_conduit psci; /* /psci method */
	uint64_t poweroff_gpio; /* PL061 with a gpio-poweroff line (for when PSCI is absent) */
	unsigned poweroff_pin;
	bool poweroff_active_low;
	unsigned nr_cpus;       /* /cpus/cpu@* with device_type "cpu" */
	struct region virtio_mmio[PLAT_MAX_VIRTIO_MMIO]; /* virtio,mmio children of the
				 * root, their first reg entry, in tree order */
	unsigned nr_virtio_mmio;

	uint8_t rng_seed[64];   /* /chosen/rng-seed (QEMU gives 32 bytes) */
	unsigned rng_seed_len;
	uint64_t kaslr_seed;    /* /chosen/kaslr-seed, 0 when absent */
	const char *bootargs;   /* /chosen/bootargs inside the fdt, NULL when absent */
};


/* Parse fdt into p. Returns 0, or a negative number with *why set to a message
 * naming what is wrong (bad header, no /memory, no usable RAM ...). */
int dt_parse(const void *fdt, struct platform *p, const char **why);

/* boot/crash.c: the RAM the device tree declared (kept, not copied), so a crash report
 * can say that a faulting address lies in RAM the machine may not have. */
void crash_set_ram(const struct region *ram, unsigned nr_ram);
/* A handler the crash report asks first about a synchronous exception EFI-lite or an
 * image took on SP_EL0 (mm/wx.c's flips): where to resume, or 0 when not handled. */
void crash_set_abort_hook(uint64_t (*hook)(uint64_t esr, uint64_t far, uint64_t elr));

/* NULL when p->uart is a PL011 that answers (drivers/pl011_check.c), else why not: the
 * caller then falls back to virt's. */
const char *console_check(const struct platform *p);

/* Sum of all RAM. */
uint64_t plat_ram_total(const struct platform *p);

#endif
