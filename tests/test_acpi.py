"""ACPI and SMBIOS from QEMU's fw_cfg, as Debian's kernel sees them: the tables the
kernel lists, the CPUs it brings up through the MADT, and what /sys/class/dmi/id says.
Malformed loader scripts and SMBIOS tables are the host tests' (test_acpi_loader,
test_smbios)."""
import datetime
import re
from test_linux import BASE, check_init, linux

# What QEMU 7.2 builds for -M virt; the kernel prints "ACPI: XSDT 0x... (v01 BOCHS ...)".
TABLES = ("RSDP", "XSDT", "FACP", "DSDT", "GTDT", "APIC", "SPCR", "MCFG")


def acpi_tables(log):
    return set(re.findall(r"^\[ *[\d.]+\] ACPI: ([A-Z0-9]{4}) 0x[0-9A-F]+ ", log, re.M))


def firmware_version(log):
    return re.search(r"^EFI-lite (\S+) at EL", log, re.M)[1]


def test_acpi_force(cloud_kernel, initrd):
    log = check_init(linux(cloud_kernel, initrd, append=BASE + " acpi=force", smp=4))
    assert re.search(r"EFI-lite: ACPI RSDP at 0x[0-9a-f]+ \(2 files loaded\)", log), log
    assert set(TABLES) <= acpi_tables(log), log
    # The kernel took PSCI from the FADT, the CPUs from the MADT, the console from SPCR.
    assert "psci: probing for conduit method from ACPI." in log, log
    assert "smp: Brought up 1 node, 4 CPUs" in log and "INIT: cpus: 4" in log, log
    assert "ACPI: SPCR: console: pl011,mmio,0x9000000" in log, log
    present = re.search(r"INIT: acpi: (.*)", log)[1].split()
    for t in ("APIC", "DSDT", "FACP", "GTDT", "SPCR"):
        assert t in present, present
    # With ACPI there is no PL031 driver: the clock is rtc-efi, our GetTime, and it
    # reads the host's date (QEMU's RTC starts at the host's UTC time).
    m = re.search(r"rtc-efi rtc-efi\.0: setting system clock to (\d{4}-\d\d-\d\d)T", log)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert m and abs((datetime.date.fromisoformat(m[1]) - today).days) <= 1, log
    assert "rtc-pl031" not in log, log


def test_device_tree_by_default(cloud_kernel, initrd):
    # Both are offered; without acpi=force the kernel keeps to the device tree.
    log = check_init(linux(cloud_kernel, initrd))
    efi = re.search(r"\] efi: (.*SMBIOS.*)", log)[1]
    assert re.search(r"ACPI 2\.0=0x[0-9a-f]+ ", efi) and "SMBIOS 3.0=" in efi, log
    assert "Machine model: linux,dummy-virt" in log, log
    assert not acpi_tables(log), log


def test_acpi_off(cloud_kernel, initrd):
    log = check_init(linux(cloud_kernel, initrd, machine="virt,acpi=off"))
    assert "EFI-lite: no ACPI tables from QEMU (acpi=off?): device tree only" in log, log
    assert "ACPI 2.0=" not in log and "SMBIOS 3.0=" in log, log


def test_ras_write_pointer(cloud_kernel, initrd):
    # ras=on adds a GHES error block that QEMU wants to learn the address of
    # (WRITE_POINTER): it is loaded as a third file, the address goes back to QEMU by a
    # fw_cfg DMA write, and the tables stay whole.
    log = check_init(linux(cloud_kernel, initrd, machine="virt,ras=on",
                           append=BASE + " acpi=force"))
    assert "fw_cfg: " not in log and "ACPI: no fw_cfg file" not in log, log
    assert "(3 files loaded)" in log, log
    assert set(TABLES) | {"HEST"} <= acpi_tables(log), log


def test_smbios(cloud_kernel, initrd):
    log = check_init(linux(cloud_kernel, initrd,
                           extra=["-smbios", "type=1,manufacturer=Foo,product=Bar"]))
    version = firmware_version(log)
    assert re.search(r"EFI-lite: SMBIOS 3\.0 entry point at 0x[0-9a-f]+", log), log
    assert "SMBIOS 3.0.0 present." in log, log
    # QEMU's type 1, and our type 0 naming the firmware.
    m = re.search(r"INIT: dmi: (.*)", log)
    fields = m[1].split(" | ") if m else []
    assert fields[:4] == ["Foo", "Bar", "EFI-lite", version], log
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", fields[4]), log
    assert f"DMI: Foo Bar, BIOS {version} {fields[4]}" in log, log


def test_smbios_type0_from_qemu(cloud_kernel, initrd):
    # A type 0 on the command line is QEMU's to give: ours is not added.
    log = check_init(linux(cloud_kernel, initrd,
                           extra=["-smbios", "type=0,vendor=Acme,version=9.9"]))
    m = re.search(r"INIT: dmi: (.*)", log)
    assert m and m[1].split(" | ")[2:4] == ["Acme", "9.9"], log
