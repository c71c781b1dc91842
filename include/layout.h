/* Fixed addresses of QEMU's virt machine and of EFI-lite's own memory, shared by the
 * linker script, the assembler, the C code and the build-time table generator.
 * Only the flash and the base of DRAM are fixed by QEMU; the DRAM window is our choice. */
#ifndef EFILITE_LAYOUT_H
#define EFILITE_LAYOUT_H

#define FLASH_BASE     0x00000000      /* flash bank 0: our image, read-only */
#define FLASH_SIZE     0x04000000
#define DEVICE_BASE    0x08000000      /* GIC, UART, RTC, fw_cfg, GPIO, virtio-mmio */
#define DEVICE_SIZE    0x38000000      /* ... up to DRAM, PCIe windows included */
#define DRAM_BASE      0x40000000

/* The baked DRAM window: three 2 MiB blocks at the base of DRAM. */
#define DTB_BASE       DRAM_BASE       /* QEMU puts the DTB here: mapped read-only */
#define DTB_MAX        0x00200000
#define GUARD_BASE     (DRAM_BASE + 0x00200000)  /* unmapped until the run-time tables */
#define FWRAM_BASE     (DRAM_BASE + 0x00400000)  /* stacks, .data, .bss, early heap */
#define FWRAM_SIZE     0x00200000
#define FWRAM_END      (FWRAM_BASE + FWRAM_SIZE)

#define STACK_SIZE     0x10000         /* main stack (SP_EL0), grows down to FWRAM_BASE */
#define EXC_STACK_SIZE 0x2000          /* exception stack (SP_ELx), just above it */
#define STACK_TOP      (FWRAM_BASE + STACK_SIZE)
#define EXC_STACK_TOP  (STACK_TOP + EXC_STACK_SIZE)
#define FWDATA_BASE    EXC_STACK_TOP   /* .data then .bss */

/* Used only when the device tree cannot be read, to say so: virt's fixed PL011. */
#define FALLBACK_UART  0x09000000

#endif
