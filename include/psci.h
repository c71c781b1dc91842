/* PSCI (Arm DEN 0022): power off and reset through QEMU's (or the hypervisor's) PSCI. */
#ifndef EFILITE_PSCI_H
#define EFILITE_PSCI_H

#include <stdint.h>

#define PSCI_SYSTEM_OFF   0x84000008
#define PSCI_SYSTEM_RESET 0x84000009

void psci_system_off(void) __attribute__((noreturn));
void psci_system_reset(void) __attribute__((noreturn));

#endif
