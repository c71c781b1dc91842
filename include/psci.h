/* PSCI (Arm DEN 0022): power off and reset through QEMU's (or the hypervisor's) PSCI. */
#ifndef EFILITE_PSCI_H
#define EFILITE_PSCI_H

#include <stdbool.h>
#include <stdint.h>

#define PSCI_SYSTEM_OFF   0x84000008
#define PSCI_SYSTEM_RESET 0x84000009

enum psci_conduit { PSCI_NONE, PSCI_HVC, PSCI_SMC };

/* The conduit from the device tree's /psci; without PSCI, a PL061 line that powers off
 * (poweroff_gpio 0: none). Until called, calls go nowhere and the CPU halts. */
void psci_init(enum psci_conduit conduit, uint64_t poweroff_gpio, unsigned pin, bool active_low);
void psci_system_off(void) __attribute__((noreturn));
void psci_system_reset(void) __attribute__((noreturn));

#endif
