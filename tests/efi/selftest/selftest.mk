# The in-guest EFI conformance self-test (docs/conformance.md), included by the Makefile.
# build/efi-apps/selftest.efi embeds a second, small image (child.c) to load from memory.
# `make selftest` runs it under EFI-lite and EDK2 and prints the two side by side; make
# check runs the EFI-lite half (tests/test_selftest.py).
ST_DIR    = tests/efi/selftest
ST_OUT    = $(B)/efi-apps/selftest
ST_OBJS   = $(patsubst $(ST_DIR)/%.c,$(ST_OUT)/%.o,$(filter-out $(ST_DIR)/child.c, \
	    $(wildcard $(ST_DIR)/*.c))) $(ST_OUT)/child_image.o
ST_CFLAGS = $(EFIAPP_CFLAGS) -Os -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	    -MMD

# gnu-efi objects to a PE application: $(call st_link,objects,app.efi)
define st_link
	@echo "  EFIAPP  $(2)"
	@$(CROSS)ld -nostdlib -znocombreloc -shared -Bsymbolic --defsym=EFI_SUBSYSTEM=0xa \
		--no-warn-rwx-segments -T $(GNUEFI_LIB)/elf_aarch64_efi.lds \
		$(GNUEFI_LIB)/crt0-efi-aarch64.o $(1) $(GNUEFI_LIB)/libefi.a \
		$(GNUEFI_LIB)/libgnuefi.a -o $(2:.efi=.so)
	@$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc -O binary $(2:.efi=.so) $(2)
endef

$(ST_OUT)/%.o: $(ST_DIR)/%.c $(ST_DIR)/selftest.mk
	@mkdir -p $(dir $@)
	@echo "  EFICC   $<"
	@$(CC) $(ST_CFLAGS) -c $< -o $@
$(ST_OUT)/child.efi: $(ST_OUT)/child.o
	$(call st_link,$<,$@)
$(ST_OUT)/child_image.o: $(ST_DIR)/child_image.S $(ST_OUT)/child.efi
	@$(CC) -c -DCHILD_EFI='"$(ST_OUT)/child.efi"' $< -o $@
$(B)/efi-apps/selftest.efi: $(ST_OBJS)
	$(call st_link,$(ST_OBJS),$@)

check: $(B)/efi-apps/selftest.efi
selftest: all $(B)/efi-apps/selftest.efi
	$(PYTHON) $(ST_DIR)/run.py

-include $(ST_OBJS:.o=.d)
