/* child.efi, built first, embedded in the self-test for LoadImage from a buffer. */
	.section .rodata
	.balign 8
	.global child_efi, child_efi_end
child_efi:
	.incbin CHILD_EFI
child_efi_end:
