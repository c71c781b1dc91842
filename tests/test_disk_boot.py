"""Without -kernel, EFI-lite boots \\EFI\\BOOT\\BOOTAA64.EFI from a disk: the whole chain of
virtio-blk, the partition table, FAT, SimpleFileSystem and LoadImage from a device path,
checked by an application that says where it was loaded from and reads a file beside it
(tests/efi/whereami.c)."""
import os
import re
import shutil
import pytest
import diskimg
from qemu import BUILD, boot, NOTHING_TO_BOOT

WHEREAMI = os.path.join(BUILD, "efi-apps", "whereami.efi")
NOTE = "/EFI/BOOT/Note With Long Name.txt"
FILES = {"/EFI/BOOT/BOOTAA64.EFI": WHEREAMI, NOTE: b"found by name\n"}
HD = r"HD\(1,(GPT|MBR),[0-9A-Fx-]+,0x800,0x[0-9A-F]+\)"


@pytest.fixture(scope="session")
def disks(tmp_path_factory):
    d = tmp_path_factory.mktemp("diskboot")
    made = {
        "gpt": diskimg.esp(str(d / "gpt.img"), FILES, size_mib=80),     # FAT32
        "mbr": diskimg.esp(str(d / "mbr.img"), FILES, scheme="mbr", size_mib=48),  # FAT16
        "4k": diskimg.esp(str(d / "4k.img"), FILES, sector=4096, start_mib=8),
        "empty": diskimg.esp(str(d / "empty.img"), {"/readme.txt": b"no loader here\n"}),
    }
    return made


def copy(disks, name, tmp_path):
    dst = str(tmp_path / f"{name}.img")
    shutil.copyfile(disks[name], dst)
    return dst


def run(*drives, timeout=60):
    extra = []
    for i, d in enumerate(drives):
        extra += d(i) if callable(d) else ["-drive", f"if=virtio,format=raw,file={d}"]
    return boot(timeout=timeout, extra=extra)


def booted(log, device):
    """The loader ran from device, with one FILEPATH node, and read its neighbour."""
    m = re.search(r"EFI-lite: booting removable media (\S+)/\\EFI\\BOOT\\BOOTAA64.EFI\n", log)
    assert m, log
    assert re.fullmatch(device, m[1]), log
    assert f"whereami: device {m[1]}\n" in log, log
    assert "whereami: file \\EFI\\BOOT\\BOOTAA64.EFI\n" in log, log
    assert "whereami: the note says: found by name\n" in log, log
    assert log.endswith("EFI-lite: fatal: nothing more to boot: every boot option was "
                        "tried\nEFI-lite: powering off\n"), log
    assert "error:" not in log and "crash" not in log.lower(), log


def test_gpt_on_root_bus(disks, tmp_path):
    r = run(copy(disks, "gpt", tmp_path))
    booted(r.log, r"PciRoot\(0x0\)/Pci\(0x1,0x0\)/" + HD)
    assert r.returncode == 0 and not r.timed_out


def test_behind_root_port(disks, tmp_path):
    img = copy(disks, "gpt", tmp_path)
    r = run(lambda i: ["-device", "pcie-root-port,id=rp1,chassis=1",
                       "-drive", f"if=none,id=d0,format=raw,file={img}",
                       "-device", "virtio-blk-pci,bus=rp1,drive=d0"])
    booted(r.log, r"PciRoot\(0x0\)/Pci\(0x1,0x0\)/Pci\(0x0,0x0\)/" + HD)


def test_virtio_mmio(disks, tmp_path):
    img = copy(disks, "gpt", tmp_path)
    r = run(lambda i: ["-drive", f"if=none,id=d0,format=raw,file={img}",
                       "-device", "virtio-blk-device,drive=d0"])
    booted(r.log, r"VenHw\(837DCA9E-E874-4D82-B29A-23FE0E23D1E2,[0-9A-F]+\)/" + HD)


def test_mbr_fat16(disks, tmp_path):
    r = run(copy(disks, "mbr", tmp_path))
    booted(r.log, r"PciRoot\(0x0\)/Pci\(0x1,0x0\)/HD\(1,MBR,0x[0-9A-F]+,0x800,0x[0-9A-F]+\)")


def test_4k_sectors(disks, tmp_path):
    img = copy(disks, "4k", tmp_path)
    r = run(lambda i: ["-drive", f"if=none,id=d0,format=raw,file={img}",
                       "-device", "virtio-blk-pci,drive=d0,logical_block_size=4096,"
                       "physical_block_size=4096"])
    booted(r.log, r"PciRoot\(0x0\)/Pci\(0x1,0x0\)/HD\(1,GPT,[0-9A-F-]+,0x800,0x[0-9A-F]+\)")


def test_second_disk_when_the_first_has_no_loader(disks, tmp_path):
    r = run(copy(disks, "empty", tmp_path), copy(disks, "gpt", tmp_path))
    booted(r.log, r"PciRoot\(0x0\)/Pci\(0x2,0x0\)/" + HD)


def test_read_only_disk(disks):
    r = run(lambda i: ["-drive", f"if=virtio,format=raw,readonly=on,file={disks['gpt']}"])
    booted(r.log, r"PciRoot\(0x0\)/Pci\(0x1,0x0\)/" + HD)


def test_corrupt_primary_gpt_uses_the_backup(disks, tmp_path):
    img = copy(disks, "gpt", tmp_path)
    with open(img, "r+b") as f:
        f.seek(512 + 16)                 # the primary header's CRC
        f.write(b"\xde\xad\xbe\xef")
    r = run(img)
    assert "GPT: primary header bad" in r.log and "using the backup" in r.log, r.log
    booted(r.log, r"PciRoot\(0x0\)/Pci\(0x1,0x0\)/" + HD)


def test_no_loader_anywhere(disks, tmp_path):
    r = run(copy(disks, "empty", tmp_path))
    assert r.log.endswith(NOTHING_TO_BOOT), r.log
    assert r.returncode == 0
