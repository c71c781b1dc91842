"""Runtime services after ExitBootServices and SetVirtualAddressMap, as Linux uses them."""
import datetime
import re
from qemu import boot_until
from test_linux import BASE, check_init, linux


def test_runtime_services_in_linux(cloud_kernel, initrd):
    log = check_init(linux(cloud_kernel, initrd, append=BASE + " efi=debug"))
    # Linux remapped the runtime regions itself, as the Memory Attributes Table asks.
    assert "Remapping and enabling EFI services." in log, log
    regions = re.findall(r"efi:   0x([0-9a-f]+)-0x([0-9a-f]+) \[(Runtime Code|Runtime Data)\|RUN\|",
                         log)
    assert [r[2] for r in regions].count("Runtime Code") == 1 and len(regions) >= 2, log
    for start, end, _ in regions:
        assert int(start, 16) % 0x10000 == 0 and (int(end, 16) + 1) % 0x10000 == 0, regions
    assert re.search(r"efi: memattr: .*\[Runtime Code\|RUN\|.*\|RO\|", log), log
    assert re.search(r"efi: memattr: .*\[Runtime Data\|RUN\|.*\|XP\|", log), log
    assert re.search(r"efi:   0x000009010000-0x000009010fff \[MMIO +\|RUN\|", log), log
    # GetTime gives the host's date (QEMU's RTC starts at the host's UTC time).
    m = re.search(r"rtc-efi rtc-efi\.0: setting system clock to (\d{4}-\d\d-\d\d)T", log)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert m and abs((datetime.date.fromisoformat(m[1]) - today).days) <= 1, log
    # The variable services: Linux registers them, and a variable written reads back.
    assert "Registered efivars operations" in log, log
    assert "INIT: efivar: written at runtime" in log, log
    # The variables an OS expects, all visible at runtime, and Secure Boot honestly off.
    names = re.search(r"INIT: efivars: (.*)", log)[1].split()
    glob_guid = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
    for v in ("PlatformLang", "PlatformLangCodes", "Timeout", "OsIndicationsSupported",
              "BootCurrent", "BootOrder", "Boot0000", "SecureBoot", "SetupMode"):
        assert f"{v}-{glob_guid}" in names, names
    assert "secureboot: Secure boot disabled" in log, log


def test_reboot_through_reset_system(cloud_kernel, initrd):
    # arm64 Linux reboots through ResetSystem when runtime services work: the machine
    # must come back (a second banner), not stop.
    banner = "RAM node 0:"                  # once per firmware banner
    log = boot_until(banner, 2, timeout=90, kernel=cloud_kernel,
                     append=BASE + " test=reboot", extra=["-initrd", initrd])
    assert "INIT: done" in log and "reboot: Restarting system" in log, log
    assert log.count(banner) == 2, log
