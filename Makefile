# EFI-lite: `make` builds build/efilite.bin; `make run` boots it; `make check` tests it.
CROSS    ?= aarch64-linux-gnu-
CC        = $(CROSS)gcc
OBJCOPY   = $(CROSS)objcopy
NM        = $(CROSS)nm
HOSTCC   ?= gcc
CACHE    ?= $(HOME)/.cache/efilite
GNUEFI    = $(CACHE)/gnu-efi/usr/include/efi
LIBFDT_A  = /usr/lib/aarch64-linux-gnu/libfdt.a
PYTHON    = /usr/bin/python3
B        ?= build
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
DATE     := $(shell git log -1 --format=%cd --date=format:%m/%d/%Y 2>/dev/null || echo 01/01/1970)
LOGLEVEL ?= 3        # 1 error, 2 warning, 3 info, 4 debug
FAULT_TEST ?=        # set to build a firmware that faults on purpose (crash report test)

# Everything make needs from the system; tools/setup installs what is missing.
SETUP_STAMP = $(CACHE)/.done
NEEDED = $(CC) qemu-system-aarch64 dtc $(PYTHON)
NEEDED_FILES = $(SETUP_STAMP) $(LIBFDT_A) /usr/include/cmocka.h
MISSING := $(foreach t,$(NEEDED),$(if $(shell command -v $(t) 2>/dev/null),,$(t))) \
	   $(foreach f,$(NEEDED_FILES),$(if $(wildcard $(f)),,$(f)))
ifneq ($(strip $(MISSING)),)
$(info setup: missing $(strip $(MISSING)); running tools/setup)
$(shell tools/setup >&2)
endif

CFLAGS = -std=gnu11 -Os -g -ffreestanding -nostdlib -fno-pic -fno-pie -mgeneral-regs-only -ffixed-x18 \
	 -fshort-wchar -fno-omit-frame-pointer -fstack-protector-strong \
	 -ffunction-sections -fdata-sections -fno-common -mbranch-protection=none \
	 -Wall -Wextra -Werror -Wno-unused-parameter \
	 -nostdinc -isystem $(shell $(CC) -print-file-name=include) -Iinclude -Iinclude/libc \
	 -I$(GNUEFI) -I$(GNUEFI)/aarch64 -idirafter /usr/include \
	 -DLOGLEVEL=$(strip $(LOGLEVEL)) \
	 $(if $(strip $(FAULT_TEST)),-DFAULT_TEST=$(strip $(FAULT_TEST))) $(LTO) $(EXTRA_CFLAGS)
# Link-time optimisation: 6 KB less code (docs/architecture.md, "Image size"). Fat
# objects, so nm and objdump of each object still see its code (tests/test_structure.py).
# Kept out: runtime/ (its sections are renamed after compiling), lib/libc.o (the
# compiler's own calls to memcpy/memset must find real code), and the objects with MMIO
# accessors, whose code tests/test_mmio_access.py checks as it is linked (and fails for
# one that is missing here); the drivers' other objects are in.
# The link compiles all of it as one unit into one .text section: ld gives each input
# section holding a Cortex-A53 erratum 843419 site a stub section padded to 4 KiB, so
# function sections here could cost a page per site; one section costs one page at most.
LTO      ?= -flto -ffat-lto-objects
LTO_LINK  = $(if $(LTO),-flto-partition=one -fno-function-sections -fno-data-sections)
NO_LTO    = $(B)/lib/libc.o $(addprefix $(B)/,boot/psci.o drivers/pci.o drivers/pl011.o \
	    drivers/virtio.o fwcfg/fwcfg.o)
# EXTRA_CFLAGS and LDFLAGS_EXTRA: for measuring an option's effect on the image size
# (docs/architecture.md, "Image size"), e.g. make B=/tmp/b EXTRA_CFLAGS=-fno-stack-protector
ASFLAGS = -Iinclude -I$(B)/gen -D__ASSEMBLY__
LDFLAGS = -nostdlib -static -no-pie -Wl,--gc-sections -Wl,--no-warn-rwx-segments \
	  -Wl,--build-id=none -T $(B)/efilite.lds $(LTO_LINK) $(LDFLAGS_EXTRA)

SRCS_C = $(filter-out mm/mkbaked.c,$(wildcard boot/*.c lib/*.c mm/*.c drivers/*.c fs/*.c efi/*.c runtime/*.c fwcfg/*.c))
SRCS_S = $(wildcard boot/*.S efi/*.S)
OBJS   = $(SRCS_C:%.c=$(B)/%.o) $(SRCS_S:%.S=$(B)/%.o) $(B)/gen/version.o

all: $(B)/efilite.bin $(B)/efilite-vars.fd

# An empty variable store for -drive if=pflash,unit=1,format=raw,file=...: QEMU wants
# exactly 64 MiB; sparse, and formatted by the firmware at its first boot.
$(B)/efilite-vars.fd:
	@mkdir -p $(B)
	@truncate -s 64M $@

$(OBJS): Makefile               # a changed flag rebuilds everything

$(B)/lib/libc.o: CFLAGS += -fno-tree-loop-distribute-patterns
$(NO_LTO): LTO =

# Runtime code (runtime/): no stack protector (its canary lives in boot-services
# memory), and every section renamed .rt.* so the linker script can place the blob.
$(B)/runtime/%.o: LTO =
$(B)/runtime/%.o: runtime/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (runtime)"
	@$(CC) $(filter-out -fstack-protector-strong,$(CFLAGS)) -fno-stack-protector \
		-fno-tree-loop-distribute-patterns -MMD -MP -c $< -o $@.tmp
	@$(OBJCOPY) --prefix-alloc-sections=.rt $@.tmp $@ && rm -f $@.tmp

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@
$(B)/%.o: %.S $(B)/gen/baked.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(ASFLAGS) -MMD -MP -c $< -o $@
$(B)/efilite.lds: linker/efilite.lds.S include/layout.h
	@mkdir -p $(B)
	@$(CC) -E -P -x c -Iinclude -D__ASSEMBLY__ $< -o $@

# Link once with zeroed table space, generate the baked tables from the linked symbols
# with the same encoder the firmware uses (mm/pgtable.c), then patch them in.
# ld's Cortex-A53 erratum 843419 fix (kept: the image may run under KVM on an A53)
# gives an ADRP it cannot turn into an ADR (a DRAM address) a veneer, in a stub section
# it pads to 4 KiB. It flags only an ADRP in the last two words of a 4 KiB page, so a few
# words of padding after the vectors (__erratum_pad, linker script) move them all: the
# link is tried again with 4, 8, ... bytes until no veneer is needed.
$(B)/efilite.elf: $(OBJS) $(B)/efilite.lds $(B)/host/mkbaked
	@echo "  LD      $@"
	@for pad in 0 4 8 12 16 20 24 28 32 36 40 44 48 52 56 60; do \
		$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--defsym=__erratum_pad=$$pad $(OBJS) $(LIBFDT_A) \
			-o $@.tmp || exit 1; \
		$(NM) $@.tmp | grep -q ' e843419@' || break; \
		echo "  LD      $@: an erratum 843419 veneer; again, $$((pad + 4)) bytes further"; \
	done
	@$(NM) $@.tmp | $(B)/host/mkbaked $(B)/baked.bin
	@$(OBJCOPY) --update-section .pgtables=$(B)/baked.bin $@.tmp $@
	@rm -f $@.tmp
$(B)/efilite.bin: $(B)/efilite.elf
	@$(OBJCOPY) -O binary $< $@
	@echo "efilite.bin: $$(stat -c %s $@) bytes"

# The version lives in one generated file, rewritten only when it changes, so every
# object agrees on it and nothing else rebuilds.
$(B)/gen/version.c: FORCE
	@mkdir -p $(dir $@)
	@printf 'const char efilite_version[] = "%s", efilite_date[] = "%s";\n' \
		'$(VERSION)' '$(DATE)' > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@
$(B)/gen/version.o: $(B)/gen/version.c
	@$(CC) $(CFLAGS) -c $< -o $@

$(B)/gen/baked.h: $(B)/host/mkbaked
	@mkdir -p $(dir $@)
	@$< --header $@

# ---- host programs and unit tests (native, against the same sources) ----
HOSTCFLAGS = -std=gnu11 -g -O1 -fshort-wchar -Wall -Wextra -Werror -Wno-unused-parameter \
	     -Iinclude -Itests/host/shim -I$(GNUEFI) -DHOST_TEST \
	     -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_FDT  = /usr/lib/$(shell $(HOSTCC) -print-multiarch)/libfdt.so.1
$(B)/host/mkbaked: mm/mkbaked.c mm/pgtable.c include/pgtable.h include/layout.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) $(filter-out -fsanitize%,$(HOSTCFLAGS)) mm/mkbaked.c mm/pgtable.c -o $@

HOST_TESTS = $(B)/host/test_pgtable_encoding $(B)/host/test_pgtable_map \
	     $(B)/host/test_pgtable_random $(B)/host/test_memmap $(B)/host/test_memmap_random $(B)/host/test_pool $(B)/host/test_dt \
	     $(B)/host/test_protocol $(B)/host/test_event $(B)/host/test_pecoff \
	     $(B)/host/test_console $(B)/host/test_rng $(B)/host/test_fwcfg \
	     $(B)/host/test_variables $(B)/host/test_acpi_loader $(B)/host/test_smbios \
	     $(B)/host/test_devpath $(B)/host/test_lib $(B)/host/test_rtc $(B)/host/test_memattr \
	     $(B)/host/test_block_io $(B)/host/test_part $(B)/host/test_fat \
	     $(B)/host/test_devpath_text $(B)/host/test_virtqueue $(B)/host/test_pci_host \
	     $(B)/host/test_varstore $(B)/host/test_boot_options $(B)/host/test_wx
$(B)/host/test_boot_options: tests/host/test_boot_options.c efi/load_option.c fwcfg/bootorder.c
$(B)/host/test_wx: tests/host/test_wx.c mm/wx.c
$(B)/host/test_varstore: tests/host/test_varstore.c tests/host/nor_sim.c runtime/variables.c \
			 runtime/varstore.c
$(B)/host/test_virtqueue: tests/host/test_virtqueue.c drivers/virtqueue.c
$(B)/host/test_pci_host: tests/host/test_pci_host.c drivers/pci_host.c $(patsubst tests/dts/%.dts,$(B)/host/dts/%.dtb,$(wildcard tests/dts/*.dts))
FAT_SRCS = fs/fat.c fs/fat_table.c fs/fat_data.c fs/fat_dir.c fs/fat_file.c fs/fat_rw.c
$(B)/host/test_fat: tests/host/test_fat.c $(FAT_SRCS) $(wildcard fs/*.h)
$(B)/host/test_part:    tests/host/test_part.c fs/part.c fs/part_mbr.c fs/part_gpt.c lib/crc32.c \
			fs/part_int.h
STUBS = tests/host/stubs.c efi/guids.c
$(B)/host/test_devpath_text: tests/host/test_devpath_text.c $(STUBS) \
	efi/devpath_text.c efi/devpath_from_text.c efi/devpath_forms.c efi/protocol.c efi/status.c \
	lib/printf.c \
	tests/efi/selftest/devpath_samples.h
$(B)/host/test_devpath: tests/host/test_devpath.c efi/devpath.c efi/protocol.c $(STUBS)
$(B)/host/test_variables: tests/host/test_variables.c runtime/variables.c runtime/varstore.c \
			  tests/host/nor_sim.c
$(B)/host/test_rtc:     tests/host/test_rtc.c runtime/services.c
$(B)/host/test_block_io: tests/host/test_block_io.c efi/block_io.c
$(B)/host/test_memattr: tests/host/test_memattr.c efi/memattr.c
# lib/printf.c under other names: the test's own printf stays the C library's.
$(B)/host/test_lib:     tests/host/test_lib.c lib/utf.c lib/crc32.c lib/printf.c
# The firmware's printf (lib/printf.c) under names of its own, apart from the host libc's.
FW_PRINTF = -Dvsnprintf=fw_vsnprintf -Dsnprintf=fw_snprintf -Dvformat=fw_vformat
$(B)/host/test_lib $(B)/host/test_devpath_text: HOSTCFLAGS += $(FW_PRINTF)
$(B)/host/test_acpi_loader: tests/host/test_acpi_loader.c efi/acpi_loader.c
$(B)/host/test_smbios:  tests/host/test_smbios.c efi/smbios_build.c
$(B)/host/test_protocol: tests/host/test_protocol.c efi/protocol.c $(STUBS)
$(B)/host/test_event:   tests/host/test_event.c efi/event.c $(STUBS)
$(B)/host/test_pecoff:  tests/host/test_pecoff.c efi/pecoff.c
# fail() (include/why.h) for the parsers of untrusted input, in their tests and fuzzers too
$(B)/host/test_pecoff $(B)/host/test_acpi_loader $(B)/host/test_smbios $(B)/host/test_part \
$(B)/host/test_dt $(B)/fuzz/fuzz_pecoff $(B)/fuzz/fuzz_acpi_loader $(B)/fuzz/fuzz_smbios \
$(B)/fuzz/fuzz_part $(B)/fuzz/fuzz_dt: lib/why.c
$(B)/host/test_console: tests/host/test_console.c efi/simple_text.c lib/utf.c $(STUBS)
$(B)/host/test_rng:     tests/host/test_rng.c efi/rng.c
$(B)/host/test_fwcfg:   tests/host/test_fwcfg.c fwcfg/filedir.c fwcfg/bool.c
PGTABLE_HARNESS = tests/host/pgtable_harness.c mm/pgtable.c
$(B)/host/test_pgtable_encoding: tests/host/test_pgtable_encoding.c $(PGTABLE_HARNESS)
$(B)/host/test_pgtable_map:      tests/host/test_pgtable_map.c $(PGTABLE_HARNESS)
$(B)/host/test_pgtable_random:   tests/host/test_pgtable_random.c $(PGTABLE_HARNESS)
MEMMAP_TEST = tests/host/memmap_test.c mm/memmap.c
$(B)/host/test_memmap:  tests/host/test_memmap.c $(MEMMAP_TEST)
$(B)/host/test_memmap_random: tests/host/test_memmap_random.c $(MEMMAP_TEST)
$(B)/host/test_pool:    tests/host/test_pool.c mm/pool.c mm/memmap.c
$(B)/host/test_dt:      tests/host/test_dt.c boot/dt.c boot/dt_edit.c $(patsubst tests/dts/%.dts,$(B)/host/dts/%.dtb,$(wildcard tests/dts/*.dts))
$(HOST_TESTS) $(FUZZ_TARGETS): $(wildcard include/*.h include/efi/*.h tests/host/*.h) Makefile
$(HOST_TESTS):
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) $(HOSTCFLAGS) $(filter %.c,$^) -o $@ -lcmocka $(if $(filter %/test_dt %/test_pci_host,$@),$(HOST_FDT))
$(B)/host/dts/hostile-%.dtb: tests/dts/virt.dts     # they /include/ it
$(B)/host/dts/%.dtb: tests/dts/%.dts
	@mkdir -p $(dir $@)
	@dtc -q -I dts -O dtb $< -o $@

# ---- fuzz targets (clang's libFuzzer): a short run in make check, a long one in make fuzz ----
FUZZ_TARGETS = $(B)/fuzz/fuzz_pecoff $(B)/fuzz/fuzz_acpi_loader $(B)/fuzz/fuzz_smbios \
	       $(B)/fuzz/fuzz_part $(B)/fuzz/fuzz_fat $(B)/fuzz/fuzz_devpath_text \
	       $(B)/fuzz/fuzz_virtqueue $(B)/fuzz/fuzz_pci_host $(B)/fuzz/fuzz_dt \
	       $(B)/fuzz/fuzz_varstore $(B)/fuzz/fuzz_boot_options
$(B)/fuzz/fuzz_boot_options: tests/fuzz/fuzz_boot_options.c efi/load_option.c fwcfg/bootorder.c
FUZZCFLAGS = -std=gnu11 -g -O1 -fshort-wchar -Iinclude -Itests/host/shim -I$(GNUEFI) \
	     -DHOST_TEST -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	     -Wall -Wextra -Werror -Wno-unused-parameter
$(B)/fuzz/fuzz_pecoff: tests/fuzz/fuzz_pecoff.c efi/pecoff.c
$(B)/fuzz/fuzz_acpi_loader: tests/fuzz/fuzz_acpi_loader.c efi/acpi_loader.c
$(B)/fuzz/fuzz_smbios: tests/fuzz/fuzz_smbios.c efi/smbios_build.c
$(B)/fuzz/fuzz_part: tests/fuzz/fuzz_part.c fs/part.c fs/part_mbr.c fs/part_gpt.c lib/crc32.c \
		     tests/fuzz/no_coverage.txt \
		     fs/part_int.h include/part.h include/blkdev.h include/crc32.h
$(B)/fuzz/fuzz_part: FUZZCFLAGS += -fsanitize-coverage-ignorelist=tests/fuzz/no_coverage.txt
$(B)/fuzz/fuzz_fat: tests/fuzz/fuzz_fat.c $(FAT_SRCS) $(wildcard fs/*.h)
$(B)/fuzz/fuzz_devpath_text: tests/fuzz/fuzz_devpath_text.c efi/devpath_text.c \
	efi/devpath_from_text.c efi/devpath_forms.c efi/protocol.c efi/guids.c lib/printf.c
$(B)/fuzz/fuzz_devpath_text: FUZZCFLAGS += $(FW_PRINTF)
$(B)/fuzz/fuzz_virtqueue: tests/fuzz/fuzz_virtqueue.c drivers/virtqueue.c
$(B)/fuzz/fuzz_pci_host: tests/fuzz/fuzz_pci_host.c drivers/pci_host.c
$(B)/fuzz/fuzz_dt: tests/fuzz/fuzz_dt.c boot/dt.c
$(B)/fuzz/fuzz_varstore: tests/fuzz/fuzz_varstore.c tests/host/nor_sim.c runtime/variables.c \
			runtime/varstore.c
$(FUZZ_TARGETS):
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@clang $(FUZZCFLAGS) $(filter %.c,$^) -o $@ $(if $(filter %/fuzz_pci_host %/fuzz_dt,$@),$(HOST_FDT))
FUZZ_SECONDS ?= 600
fuzz: $(FUZZ_TARGETS)
	for f in $(FUZZ_TARGETS); do c=$(B)/fuzz/corpus-$$(basename $$f); mkdir -p $$c; \
		if [ $$(basename $$f) = fuzz_fat ]; then tests/fuzz/fat_seeds.sh $$c; fi; \
		$$f -max_total_time=$(FUZZ_SECONDS) $$c || exit 1; done

# ---- EFI applications for the tests, built with Debian's gnu-efi ----
GNUEFI_LIB = $(CACHE)/gnu-efi/usr/lib
EFI_APPS   = $(patsubst tests/efi/%.c,$(B)/efi-apps/%.efi,$(wildcard tests/efi/*.c))
EFIAPP_CFLAGS = -fpic -fshort-wchar -ffreestanding -fno-stack-protector -Wall -Werror \
		-I$(GNUEFI) -I$(GNUEFI)/aarch64
# gnu-efi objects to a PE application: $(call efi_app_link,objects,app.efi). Debian's
# crt0 takes the PE subsystem from EFI_SUBSYSTEM (0xa: an EFI application).
define efi_app_link
	@echo "  EFIAPP  $(2)"
	@$(CROSS)ld -nostdlib -znocombreloc -shared -Bsymbolic --defsym=EFI_SUBSYSTEM=0xa \
		--no-warn-rwx-segments -T $(GNUEFI_LIB)/elf_aarch64_efi.lds \
		$(GNUEFI_LIB)/crt0-efi-aarch64.o $(1) $(GNUEFI_LIB)/libefi.a \
		$(GNUEFI_LIB)/libgnuefi.a -o $(2:.efi=.so)
	@$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc -O binary $(2:.efi=.so) $(2)
endef
$(B)/efi-apps/%.o: tests/efi/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(EFIAPP_CFLAGS) -c $< -o $@
$(B)/efi-apps/%.efi: $(B)/efi-apps/%.o
	$(call efi_app_link,$<,$@)

-include tests/efi/selftest/selftest.mk

# ---- using it ----
# make run: Debian's cloud kernel through EFI-lite to a busybox shell.
RUN_KERNEL = $(lastword $(sort $(wildcard $(CACHE)/linux-image-cloud-arm64/boot/vmlinuz-*)))
$(B)/run-initrd.cpio.gz: tests/initramfs.py
	@$(PYTHON) tests/initramfs.py $@ $(CACHE)/busybox-static/bin/busybox --shell
ifeq ($(DISK),)
run: all $(B)/run-initrd.cpio.gz
	qemu-system-aarch64 -M virt -cpu cortex-a57 -m 1G -nographic -no-reboot -net none \
		-bios $(B)/efilite.bin -kernel $(RUN_KERNEL) -initrd $(B)/run-initrd.cpio.gz \
		-append "console=ttyAMA0 earlycon"
else
# make run DISK=image (raw or qcow2): boot it, its variables kept beside it in
# image.vars.fd (made on the first run), so the next run sees what this one wrote.
DISK_VARS   = $(DISK).vars.fd
DISK_FORMAT = $(if $(shell head -c 4 '$(DISK)' 2>/dev/null | grep -a QFI),qcow2,raw)
run: all
	@[ -f '$(DISK_VARS)' ] || cp --sparse=always $(B)/efilite-vars.fd '$(DISK_VARS)'
	qemu-system-aarch64 -M virt -cpu cortex-a57 -smp 2 -m 2G -nographic \
		-bios $(B)/efilite.bin -drive if=pflash,unit=1,format=raw,file='$(DISK_VARS)' \
		-drive if=virtio,format=$(DISK_FORMAT),file='$(DISK)' \
		-netdev user,id=net0 -device virtio-net-pci,netdev=net0,romfile=
endif

$(B)/fault/efilite.bin: FORCE
	$(MAKE) --no-print-directory B=$(B)/fault FAULT_TEST=1 $@
FORCE:

check: all $(HOST_TESTS) $(FUZZ_TARGETS) $(EFI_APPS) $(B)/fault/efilite.bin
	$(PYTHON) -m pytest -q tests

# EFI-lite and EDK2 under a real KVM, nested in a TCG guest at EL2 (tests/kvm): it takes
# minutes, so it is not part of check. The report says what KVM's tracepoints saw.
check-kvm: all $(B)/efi-apps/selftest.efi $(EFI_APPS) $(CACHE)/qemu-system-arm/.done
	$(PYTHON) -m pytest -q tests/kvm/nested_kvm.py; s=$$?; cat $(B)/kvm/report.txt; exit $$s
$(CACHE)/qemu-system-arm/.done:      # Debian's arm64 QEMU, for machines set up before it
	tools/setup

# ---- install: the images libvirt maps as pflash, and the descriptor it picks them by ----
# QEMU's virt machine refuses a pflash drive that is not exactly the 64 MiB bank, so the
# code image is efilite.bin padded (sparse) to 64 MiB; the variable store template is a
# blank bank, which the firmware formats on first boot.
PREFIX  ?= /usr/local
DATADIR  = $(PREFIX)/share/efilite
# Priority 70 sorts after Debian's AAVMF descriptors (40-60): libvirt picks EFI-lite for a
# domain that names its loader, and by itself only where no other UEFI is installed.
# libvirt 9.0 reads only /usr/share/qemu/firmware and /etc/qemu/firmware (and per-user
# ~/.config/qemu/firmware), so with PREFIX=/usr/local pass QEMU_FW_DIR=/etc/qemu/firmware.
FW_PRIO ?= 70
QEMU_FW_DIR ?= $(PREFIX)/share/qemu/firmware
FW_JSON  = $(QEMU_FW_DIR)/$(FW_PRIO)-efilite-aarch64.json
$(B)/efilite-code.fd: $(B)/efilite.bin
	@cp $< $@.tmp && truncate -s 64M $@.tmp && mv $@.tmp $@
install: $(B)/efilite-code.fd $(B)/efilite-vars.fd
	install -d $(DESTDIR)$(DATADIR) $(dir $(DESTDIR)$(FW_JSON))
	install -m 644 $^ $(DESTDIR)$(DATADIR)/
	sed 's|@DATADIR@|$(DATADIR)|g' tools/firmware/efilite-aarch64.json.in \
		> $(DESTDIR)$(FW_JSON)
uninstall:
	rm -f $(DESTDIR)$(DATADIR)/efilite-code.fd $(DESTDIR)$(DATADIR)/efilite-vars.fd \
		$(DESTDIR)$(FW_JSON)
	rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true

# Boot times against QEMU's direct boot, EDK2 and U-Boot: docs/benchmarks.md.
bench: all $(B)/efi-apps/setvar.efi     # setvar: EDK2's Timeout for the disk section
	$(PYTHON) tests/bench/bench.py

clean:
	rm -rf $(B)

.PHONY: all run check check-kvm clean fuzz bench selftest install uninstall FORCE
-include $(OBJS:.o=.d)
