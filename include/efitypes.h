/* UEFI types and constants: taken from gnu-efi's headers (Debian's gnu-efi package). */
#ifndef EFILITE_EFITYPES_H
#define EFILITE_EFITYPES_H
#include <efi.h>
#endif
