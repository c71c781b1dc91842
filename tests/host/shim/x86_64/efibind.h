/* Host unit tests run on x86-64 but test code written for arm64's UEFI binding:
 * both are LP64, so the arm64 binding serves (EFIAPI is empty there). */
#include <aarch64/efibind.h>
