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

$(ST_OUT)/%.o: $(ST_DIR)/%.c $(ST_DIR)/selftest.mk
	@mkdir -p $(dir $@)
	@echo "  EFICC   $<"
	@$(CC) $(ST_CFLAGS) -c $< -o $@
$(ST_OUT)/child.efi: $(ST_OUT)/child.o
	$(call efi_app_link,$<,$@)
$(ST_OUT)/child_image.o: $(ST_DIR)/child_image.S $(ST_OUT)/child.efi
	@$(CC) -c -DCHILD_EFI='"$(ST_OUT)/child.efi"' $< -o $@
$(B)/efi-apps/selftest.efi: $(ST_OBJS)
	$(call efi_app_link,$(ST_OBJS),$@)

check: $(B)/efi-apps/selftest.efi
selftest: all $(B)/efi-apps/selftest.efi
	$(PYTHON) $(ST_DIR)/run.py

-include $(ST_OBJS:.o=.d)
