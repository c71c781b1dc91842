"""The boot manager: BootNext, BootOrder and Boot#### (full paths, the HD() and FILEPATH
short forms, device-only paths), QEMU's bootindex, the removable-media path, UKIs in
\\EFI\\Linux, and the menu. A first QEMU run writes the variables with
tests/efi/setvar.c into a vars file; the next runs boot from it, and
tests/efi/whereami.c says which file ran, with which LoadOptions and BootCurrent."""
import os
import re
import shutil
import subprocess
import time
import pytest
import diskimg
import loadopt as lo
from qemu import BUILD, boot, qemu_cmd

WHEREAMI = os.path.join(BUILD, "efi-apps", "whereami.efi")
SETVAR = os.path.join(BUILD, "efi-apps", "setvar.efi")
NOTE = {"/EFI/BOOT/Note With Long Name.txt": b"found by name\n"}


@pytest.fixture(scope="session")
def images(tmp_path_factory):
    d = tmp_path_factory.mktemp("bootmgr")
    a = diskimg.esp(str(d / "a.img"), {"/EFI/BOOT/BOOTAA64.EFI": WHEREAMI,
                                       "/EFI/test/a.efi": WHEREAMI,
                                       "/EFI/test/b.efi": WHEREAMI, **NOTE}, size_mib=40)
    b = diskimg.esp(str(d / "b.img"), {"/EFI/BOOT/BOOTAA64.EFI": WHEREAMI,
                                       "/EFI/test/c.efi": WHEREAMI, **NOTE},
                    scheme="mbr", size_mib=40)
    uki = diskimg.esp(str(d / "uki.img"), {"/EFI/Linux/linux-6.9.efi": WHEREAMI,
                                           "/EFI/Linux/linux-6.10.efi": WHEREAMI,
                                           "/EFI/Linux/.hidden-7.0.efi": WHEREAMI,
                                           **NOTE}, size_mib=40)
    return {"a": a, "b": b, "uki": uki}


def vars_file(tmp_path):
    path = str(tmp_path / "vars.fd")
    shutil.copyfile(os.path.join(BUILD, "efilite-vars.fd"), path)
    return path


def drives(vars_fd, *disks):
    extra = ["-drive", f"if=pflash,unit=1,format=raw,file={vars_fd}"]
    for d in disks:
        extra += ["-drive", f"if=virtio,format=raw,file={d}"]
    return extra


def set_vars(vars_fd, **variables):
    """Write the variables through tests/efi/setvar.c, in a QEMU run of their own."""
    run = boot(kernel=SETVAR, append=lo.setvar_options(variables),
               extra=drives(vars_fd), timeout=30)
    for name in variables:
        assert f"setvar: {name}: Success" in run.log, run.log
    return run


def booted(log):
    """(source, file, load options, BootCurrent) of each image that ran, in order."""
    runs = []
    for part in log.split("EFI-lite: booting ")[1:]:
        head = part.split("\n", 1)[0]
        file = re.search(r"whereami: file (\S+)", part)
        opts = re.search(r"whereami: load options (.*)", part)
        cur = re.search(r"whereami: BootCurrent (\w+)", part)
        runs.append((head.split(" ")[0], file and file[1], opts and opts[1], cur and cur[1]))
    return runs


@pytest.fixture(scope="session")
def options(images, tmp_path_factory):
    """A vars file with every kind of option, BootNext among them."""
    guid, first, blocks = lo.gpt_partition(images["a"])
    short = lo.hd_gpt(1, first, blocks, guid)
    full = lo.pci_root() + lo.pci(1) + short
    fd = vars_file(tmp_path_factory.mktemp("bootmgr-vars"))
    set_vars(fd,
             Boot0001=lo.load_option("a", short + lo.filepath(r"\EFI\test\a.efi") + lo.END,
                                     "opt-a".encode("utf-16-le")),
             Boot0002=lo.load_option("c", lo.filepath(r"\EFI\test\c.efi") + lo.END),
             Boot0003=lo.load_option("inactive", short + lo.filepath(r"\EFI\test\a.efi") +
                                     lo.END, attributes=0),
             Boot0004=lo.load_option("b", full + lo.filepath(r"\EFI\test\b.efi") + lo.END),
             Boot0005=lo.load_option("disk b", lo.pci_root() + lo.pci(2) + lo.END),
             Boot0006=b"\x01\x00\x00\x00\xff\x00d\x00",          # a path past the end
             BootOrder=lo.u16(3, 1, 4, 6, 7, 5, 2),
             BootNext=lo.u16(4))
    return fd


def test_boot_next_then_boot_order(images, options, tmp_path):
    fd = vars_file(tmp_path)
    shutil.copyfile(options, fd)
    log = boot(extra=drives(fd, images["a"], images["b"]), timeout=60).log
    assert booted(log) == [
        ("Boot0004", r"\EFI\test\b.efi", None, "0004"),        # BootNext, a full path
        ("Boot0001", r"\EFI\test\a.efi", "opt-a", "0001"),     # HD() short form + data
        ("Boot0005", r"\EFI\BOOT\BOOTAA64.EFI", None, "0005"),  # a disk: removable path
        ("Boot0002", r"\EFI\test\c.efi", None, "0002"),        # FILEPATH only, disk b
        ("removable", r"\EFI\BOOT\BOOTAA64.EFI", None, None),  # disk a: no Boot####
    ], log
    assert 'EFI-lite: Boot0003 "inactive" (BootOrder): not an active boot option: skipped' in log, log
    assert "Boot0006 (BootOrder) is malformed: skipped" in log, log
    assert "Boot0007 (BootOrder) does not exist" in log, log
    assert re.search(r'booting Boot0001 "a" \(BootOrder\) PciRoot\(0x0\)/Pci\(0x1,0x0\)/'
                     r'HD\(1,GPT,[0-9A-F-]+,0x800,0x[0-9A-F]+\)/\\EFI\\test\\a.efi\n', log), log
    assert log.endswith("EFI-lite: fatal: nothing more to boot: every boot option was tried\n"
                        "EFI-lite: powering off\n"), log
    # BootNext was consumed: the next start begins with BootOrder.
    log = boot(extra=drives(fd, images["a"], images["b"]), timeout=60).log
    assert booted(log)[0] == ("Boot0001", r"\EFI\test\a.efi", "opt-a", "0001"), log


def test_bootindex_before_bus_order(images, tmp_path):
    fd = vars_file(tmp_path)
    extra = drives(fd) + [
        "-drive", f"if=none,id=a,format=raw,file={images['a']}",
        "-device", "virtio-blk-pci,drive=a,bootindex=2",
        "-device", "pcie-root-port,id=rp1",
        "-drive", f"if=none,id=b,format=raw,file={images['b']}",
        "-device", "virtio-blk-pci,drive=b,bus=rp1,bootindex=1"]
    log = boot(extra=extra, timeout=60).log
    assert [b[0] for b in booted(log)] == ["bootindex", "bootindex"], log
    assert re.search(r"booting bootindex PciRoot\(0x0\)/Pci\(0x2,0x0\)/Pci\(0x0,0x0\)/HD\(1,MBR,",
                     log), log
    assert log.index("Pci(0x2,0x0)/Pci(0x0,0x0)/HD") < log.index("Pci(0x1,0x0)/HD"), log


def test_newest_uki_when_nothing_else(images, tmp_path):
    log = boot(extra=drives(vars_file(tmp_path), images["uki"]), timeout=60).log
    assert booted(log) == [("UKI", r"\EFI\Linux\linux-6.10.efi", None, None)], log


def menu_run(extra, keys, timeout=60):
    """Boot, type keys once the menu is up, return the log."""
    p = subprocess.Popen(qemu_cmd(extra=extra), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, deadline = b"", time.monotonic() + timeout
    try:
        while b"powering off" not in out and time.monotonic() < deadline:
            chunk = p.stdout.read1(4096)
            if not chunk:
                break
            if keys and b"Press 1-" in out + chunk:
                p.stdin.write(keys)
                p.stdin.flush()
                keys = b""
            out += chunk
    finally:
        p.kill()
        p.wait()
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


def test_menu_picks_an_entry(images, tmp_path):
    fd = vars_file(tmp_path)
    extra = drives(fd, images["a"], images["b"]) + ["-boot", "menu=on,splash-time=30000"]
    log = menu_run(extra, b"2")
    assert "EFI-lite boot menu:\n  1. removable media PciRoot(0x0)/Pci(0x1,0x0)/HD(" in log, log
    assert "1 boots in 30000 ms" in log, log
    assert "whereami: device PciRoot(0x0)/Pci(0x2,0x0)/HD(1,MBR," in log.split("booting")[1], log


def test_timeout_variable_counts_down(images, tmp_path):
    fd = vars_file(tmp_path)
    set_vars(fd, Timeout=lo.u16(1))
    start = time.monotonic()
    log = boot(extra=drives(fd, images["a"]), timeout=60).log
    assert "1 boots in 1000 ms" in log, log
    assert booted(log)[0][0] == "removable", log
    assert time.monotonic() - start >= 1


@pytest.mark.parametrize("fmt", ["raw", "qcow2"])
def test_make_run_disk_keeps_its_variables(images, tmp_path, fmt):
    from qemu import ROOT
    disk = str(tmp_path / f"disk.{fmt}")
    subprocess.run(["qemu-img", "convert", "-O", fmt, images["a"], disk], check=True)
    logs = []
    for _ in range(2):
        p = subprocess.run(["make", "-s", "run", f"DISK={disk}"], cwd=ROOT, timeout=120,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        logs.append(p.stdout.replace("\r\n", "\n"))
        assert "whereami: file \\EFI\\BOOT\\BOOTAA64.EFI" in logs[-1], p.stdout + p.stderr
    assert os.path.getsize(disk + ".vars.fd") == 64 << 20
    assert "formatted" in logs[0] and "formatted" not in logs[1], logs
