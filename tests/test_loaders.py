"""The boot loaders users run, from disk (issue 16): GRUB made by grub-mkimage, Debian's
signed GRUB through a Boot#### entry reading an ext4 root, shim 16.1 and its fallback
across two QEMU runs, systemd-boot 252 with a type #1 entry and a UKI, and a UKI alone.
The disks are tests/loaders.py's. Every case runs under EFI-lite; with EFILITE_ORACLE=1
under EDK2 (Debian's AAVMF) as well, which is how the disks and the assertions were
validated."""
import os
import re
import pytest

import loaders as L
import loadopt as lo
from test_linux import BAD

ORACLE = os.environ.get("EFILITE_ORACLE") == "1"
ESC = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")


def firmwares():
    """EFI-lite, and the EDK2 oracle (opt-in)."""
    return [pytest.param("efilite"),
            pytest.param("edk2", marks=pytest.mark.skipif(
                not ORACLE, reason="the EDK2 oracle runs with EFILITE_ORACLE=1"))]


@pytest.fixture(scope="session")
def kit(tmp_path_factory):
    """The kernel, the efivarfs-reporting initramfs and a factory for the disks, each
    built once in the session."""
    work = str(tmp_path_factory.mktemp("loaders"))
    kernel, initrd = L.cloud_kernel(), L.build_initrd(os.path.join(work, "initrd.img"))
    made = {}

    def disk(name):
        if name not in made:
            path = os.path.join(work, f"{name}.img")
            if name == "grub":
                made[name] = L.gpt_disk(path, L.grub_esp_files(work, kernel, initrd))
            elif name == "debian":
                made[name] = L.gpt_disk(path, L.debian_esp_files(), L.debian_root(kernel, initrd))
            elif name == "shim":
                files = dict(L.debian_esp_files(), **{"/EFI/BOOT/BOOTAA64.EFI": L.SHIM,
                                                       "/EFI/BOOT/fbaa64.efi": L.FALLBACK})
                made[name] = L.gpt_disk(path, files, L.debian_root(kernel, initrd))
            elif name in ("sdboot-type1", "sdboot-uki"):
                default = "efilite-type1.conf" if name.endswith("type1") else "efilite-uki.efi"
                made[name] = L.gpt_disk(path, L.sdboot_esp_files(work, kernel, initrd, default))
            elif name == "uki-only":
                made[name] = L.gpt_disk(path, {"/EFI/Linux/efilite-uki.efi": L.uki(
                    os.path.join(work, "uki-only.efi"), kernel, initrd,
                    f"{L.APPEND} loader=uki-only")})
        return made[name]
    return disk


def check(run, fw, tag):
    """The kernel's own lines and the initramfs' report: the variables it listed."""
    log = ESC.sub("", run.log)
    assert not run.timed_out, log
    assert "INIT: reached" in log and "INIT: done" in log, log
    for bad in BAD:
        assert bad not in log, f"{bad!r} in:\n{log}"
    assert L.FIRMWARES[fw].efi_line in log, log
    assert "KASLR enabled" in log, log
    # The command line the loader gave names its config: the chain ran end to end.
    assert re.search(rf"^INIT: cmdline: .*{re.escape(L.APPEND)} loader={tag}$", log, re.M), log
    assert run.returncode == 0, log
    return log, L.variables(log)


def boot_current(v):
    """None when there is none: EFI-lite has no BootCurrent while an entry that is no
    Boot#### runs (EDK2 names its own removable-media entry)."""
    return int.from_bytes(v["BootCurrent"], "little") if "BootCurrent" in v else None


def boot_order(v):
    return [int.from_bytes(v["BootOrder"][i:i + 2], "little")
            for i in range(0, len(v["BootOrder"]), 2)]


@pytest.mark.parametrize("fw", firmwares())
def test_grub_mkimage_from_the_esp(fw, kit, tmp_path):
    """grub-mkimage's GRUB as \\EFI\\BOOT\\BOOTAA64.EFI: its root and prefix come from the
    loaded image's device, it reads the kernel and initrd from the FAT ESP."""
    f = L.FIRMWARES[fw]
    run = L.boot_disk(f, kit("grub"), f.vars_file(tmp_path / "vars.fd"))
    log, _ = check(run, fw, "embedded")
    assert "Welcome to GRUB!" in log, log
    assert "EFILITE-GRUB: embedded config, prefix (hd0,gpt1)/EFI/BOOT root hd0,gpt1" in log, log
    assert "EFILITE-GRUB: embedded: kernel loaded from the ESP" in log, log
    assert "EFILITE-GRUB: embedded: initrd loaded, booting" in log, log


@pytest.mark.parametrize("fw", firmwares())
def test_debian_grub_through_a_boot_entry(fw, kit, tmp_path):
    """Debian's signed GRUB, with no removable-media loader on the disk: Boot0001 (an
    HD()-first path, as efibootmgr writes it) starts \\EFI\\debian\\grubaa64.efi, whose
    stub grub.cfg finds the ext4 root by UUID and reads /boot/grub/grub.cfg from it."""
    f = L.FIRMWARES[fw]
    vars_path = f.vars_file(tmp_path / "vars.fd")
    entry = lo.load_option("debian", L.esp_path(r"\EFI\debian\grubaa64.efi"))
    L.set_variables(f, vars_path, {"Boot0001": entry, "BootOrder": bytes([1, 0])})
    run = L.boot_disk(f, kit("debian"), vars_path)
    log, v = check(run, fw, "ext4")
    assert "Welcome to GRUB!" in log, log
    assert "EFILITE-GRUB: stub grub.cfg found root hd0,gpt2" in log, log
    assert "EFILITE-GRUB: ext4 config, prefix (hd0,gpt2)/boot/grub root hd0,gpt2" in log, log
    assert "EFILITE-GRUB: ext4: kernel loaded from ext4" in log, log
    assert boot_current(v) == 1, v
    assert v["Boot0001"] == entry


def debian_entries(v):
    """{number: path} of the Boot#### entries labelled "debian"."""
    out = {}
    for name, value in v.items():
        if re.fullmatch(r"Boot[0-9A-F]{4}", name):
            _, desc, nodes, _ = lo.parse_load_option(value)
            if desc == "debian":
                out[int(name[4:], 16)] = lo.describe_path(nodes)
    return out


# With W^X by faults it boots to init; BootCurrent is still missing after fallback.
@pytest.mark.parametrize("fw", firmwares())
def test_shim_fallback_round_trip(fw, kit, tmp_path):
    """Empty variables, shim as \\EFI\\BOOT\\BOOTAA64.EFI with fbaa64.efi beside it:
    fallback reads \\EFI\\debian\\BOOTAA64.CSV, creates a "debian" entry whose path starts
    at HD(), puts it first in BootOrder and, with no TPM, starts it at once (no reset,
    as on EDK2): shim again, then GRUB from \\EFI\\debian. The next QEMU start with the
    same variables boots through that entry: BootCurrent names it."""
    f = L.FIRMWARES[fw]
    vars_path, disk = f.vars_file(tmp_path / "vars.fd"), kit("shim")
    log, v = check(L.boot_disk(f, disk, vars_path), fw, "ext4")
    assert len(re.findall(f.banner, log, re.M)) == 1, log     # no reset on the way
    entries = debian_entries(v)
    want = f"HD(1,GPT,{L.ESP_GUID},{L.ESP_START:#x},{L.ESP_BLOCKS:#x})/File(\\EFI\\debian\\shimaa64.efi)"
    assert list(entries.values()) == [want], (entries, log)
    number = next(iter(entries))
    assert boot_order(v)[0] == number, v
    assert boot_current(v) != number, v          # the first run came in by \EFI\BOOT
    assert "MokListRT" in v, v                   # shim ran, and made its variables
    assert "EFILITE-GRUB: stub grub.cfg found root hd0,gpt2" in log, log

    log, v = check(L.boot_disk(f, disk, vars_path), fw, "ext4")
    assert boot_current(v) == number, v
    assert debian_entries(v) == entries, v       # fallback did not run again
    assert "Welcome to GRUB!" in log, log


def text(v, name):
    assert name in v, (name, sorted(v))
    return L.text_var(v[name])


def check_loader_variables(fw, v, selected):
    """What systemd-boot tells the OS about itself (the Boot Loader Interface)."""
    assert text(v, "LoaderInfo").startswith("systemd-boot 252"), v
    assert text(v, "LoaderDevicePartUUID") == L.ESP_GUID.upper()
    assert text(v, "LoaderImageIdentifier") == r"\EFI\BOOT\BOOTAA64.EFI"
    # Its own entry for firmware setup comes where OsIndicationsSupported offers it (EDK2).
    entries = text(v, "LoaderEntries").split("\0")
    assert entries[:2] == ["efilite-uki.efi", "efilite-type1.conf"], entries
    assert set(entries[2:]) <= {"auto-reboot-to-firmware-setup"}, entries
    assert text(v, "LoaderEntrySelected") == selected
    assert text(v, "LoaderFirmwareInfo").startswith({"efilite": "EFI-lite", "edk2": "EDK II"}[fw])
    assert text(v, "LoaderFirmwareType") == {"efilite": "UEFI 2.100", "edk2": "UEFI 2.70"}[fw]
    init, execute = int(text(v, "LoaderTimeInitUSec")), int(text(v, "LoaderTimeExecUSec"))
    assert 0 < init < execute, (init, execute)


@pytest.mark.parametrize("fw", firmwares())
@pytest.mark.parametrize("entry,selected", [("type1", "efilite-type1.conf"),
                                            ("uki", "efilite-uki.efi")])
def test_systemd_boot(fw, entry, selected, kit, tmp_path):
    """systemd-boot 252 with loader.conf's timeout 0 boots its default: the type #1 entry
    (the kernel through LoadImage from the ESP, the initrd through its own LoadFile2) or
    the UKI in \\EFI\\Linux (systemd-stub runs the .linux section it carries)."""
    f = L.FIRMWARES[fw]
    run = L.boot_disk(f, kit(f"sdboot-{entry}"), f.vars_file(tmp_path / "vars.fd"))
    log, v = check(run, fw, entry)
    assert "EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path" in log, log
    check_loader_variables(fw, v, selected)
    if entry == "uki":
        assert text(v, "StubInfo").startswith("systemd-stub 252"), v
    else:
        assert "StubInfo" not in v, v
        assert re.search(r"^INIT: cmdline: initrd=\\initrd.img ", log, re.M), log
    if fw == "efilite":
        assert re.search(r"EFI-lite: booting removable media \S+/HD\(1,GPT,%s,0x800,"
                         r"0x20000\)/\\EFI\\BOOT\\BOOTAA64.EFI\n" % L.ESP_GUID.upper(), log), log


def test_uki_alone_on_the_esp(kit, tmp_path):
    """No boot loader and no boot entry, only \\EFI\\Linux\\*.efi: EFI-lite's boot
    manager starts the UKI itself (EDK2 does not: nothing to compare with)."""
    f = L.EFILITE
    run = L.boot_disk(f, kit("uki-only"), f.vars_file(tmp_path / "vars.fd"))
    log, v = check(run, "efilite", "uki-only")
    assert text(v, "StubInfo").startswith("systemd-stub 252"), v
    assert "LoaderInfo" not in v, v
    assert re.search(r"EFI-lite: booting UKI \S+/HD\(1,GPT,%s,0x800,0x20000\)/\\EFI\\Linux\\"
                     r"efilite-uki.efi\n" % L.ESP_GUID.upper(), log), log


# What Debian's efibootmgr 18 wrote (efivarfs, attributes stripped) for
# `efibootmgr -c -d /dev/vda -p 1 -L debian -l '\EFI\debian\grubaa64.efi'` on the
# "debian" disk, under EFI-lite: the entry set_variables writes must be the same bytes.
EFIBOOTMGR_DEBIAN = (
    "010000006400640065006200690061006e00000004012a0001000000000800000000000000000200000000"
    "00619c4a2f7e3b054d8c1a5e6f7081a2b30202040436005c004500460049005c00640065006200690061"
    "006e005c00670072007500620061006100360034002e0065006600690000007fff0400")


def test_load_option_is_what_efibootmgr_writes():
    entry = lo.load_option("debian", L.esp_path(r"\EFI\debian\grubaa64.efi"))
    assert entry.hex() == EFIBOOTMGR_DEBIAN
    attributes, desc, nodes, optional = lo.parse_load_option(entry)
    assert (attributes, desc, optional) == (1, "debian", b"")
    assert lo.describe_path(nodes) == (f"HD(1,GPT,{L.ESP_GUID},0x800,0x20000)/"
                                      r"File(\EFI\debian\grubaa64.efi)")
