"""Disks: PCI enumeration (root bus, behind a pcie-root-port), virtio over PCI (transitional
0x1001 and modern 0x1042) and virtio-mmio (legacy v1 and v2), virtio-blk with 4 KiB
blocks, read-only, empty and several disks at once. The FAULT_TEST firmware reads the
first 32 MiB of each disk and logs its CRC-32, then writes the last block: the tests
compare both with the image files."""
import os
import re
import shutil
import zlib
import pytest
from qemu import BUILD, boot

TEST_FW = os.path.join(BUILD, "fault", "efilite.bin")
FIRMWARE = os.path.join(BUILD, "efilite.bin")
MiB = 1 << 20


@pytest.fixture(scope="session")
def images(tmp_path_factory):
    """Random images, made once: 32 MiB, 4 MiB and empty."""
    d = tmp_path_factory.mktemp("disks")
    out = {}
    for name, size in (("big", 32 * MiB), ("small", 4 * MiB), ("empty", 0)):
        path = d / f"{name}.img"
        path.write_bytes(os.urandom(size))
        out[name] = path
    return out


def copy(images, name, tmp_path):
    """A private copy: the firmware writes to its disks."""
    dst = tmp_path / f"{name}.img"
    shutil.copyfile(images[name], dst)
    return dst


def run(extra, machine="virt", bios=TEST_FW):
    r = boot(bios=bios, machine=machine, extra=extra, timeout=30)
    assert not r.timed_out, r.log
    assert "fatal: nothing to boot" in r.log, r.log
    assert "warning" not in r.log and "error" not in r.log, r.log
    return r.log


def check_read(log, name, path):
    """path: the image as it was before the boot (the firmware writes to copies)."""
    data = path.read_bytes()[:32 * MiB]
    m = re.search(rf"disk {re.escape(name)}: read (\d+) bytes, crc32 ([0-9a-f]{{8}}), "
                  rf"(\d+) requests", log)
    assert m, log
    assert int(m[1]) == len(data)
    assert int(m[2], 16) == zlib.crc32(data), "CRC of the read differs from the image"
    # 1 MiB requests: tens for 32 MiB, not thousands.
    assert int(m[3]) == (len(data) + MiB - 1) // MiB
    return data


def check_write(log, name, path, block):
    """The firmware wrote its message to the last block, and nothing else changed."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        f.seek(size - block)
        last = f.read(block)
    msg = f"EFI-lite wrote block {size // block - 1} of {name}".encode()
    assert f"disk {name}: wrote block {size // block - 1} and flushed" in log, log
    assert last.startswith(msg + b"\0"), last[:80]


def drive(path, id="d0", opts=""):
    return ["-drive", f"if=none,id={id},format=raw,file={path}{opts}"]


def test_root_bus_transitional(images, tmp_path):
    img = copy(images, "big", tmp_path)
    log = run(["-drive", f"if=virtio,format=raw,file={img}"])
    name = "PciRoot(0)/Pci(0x1,0x0)"
    assert f"disk {name}: virtio-blk (pci 1af4:1001 transitional), 65536 blocks of " \
           "512 bytes\n" in log, log
    orig = check_read(log, name, images["big"])
    check_write(log, name, img, 512)
    assert img.read_bytes()[:-512] == orig[:-512]


def test_behind_root_port_modern(images, tmp_path):
    img = copy(images, "small", tmp_path)
    log = run(["-device", "pcie-root-port,id=rp1,chassis=1", "-device",
               "pcie-root-port,id=rp2,chassis=2", *drive(img),
               "-device", "virtio-blk-pci,bus=rp2,drive=d0"])
    name = "PciRoot(0)/Pci(0x2,0x0)/Pci(0x0,0x0)"
    assert f"disk {name}: virtio-blk (pci 1af4:1042 modern), 8192 blocks of 512 bytes\n" \
        in log, log
    check_read(log, name, images["small"])
    check_write(log, name, img, 512)


def test_disable_legacy(images, tmp_path):
    img = copy(images, "small", tmp_path)
    log = run([*drive(img), "-device", "virtio-blk-pci,drive=d0,disable-legacy=on,addr=5"])
    name = "PciRoot(0)/Pci(0x5,0x0)"
    assert f"disk {name}: virtio-blk (pci 1af4:1042 modern), 8192 blocks" in log, log
    check_read(log, name, images["small"])


@pytest.mark.parametrize("legacy,version", [("true", "mmio v1, legacy"),
                                            ("false", "mmio v2")])
def test_virtio_mmio(images, tmp_path, legacy, version):
    img = copy(images, "small", tmp_path)
    log = run(["-global", f"virtio-mmio.force-legacy={legacy}", *drive(img),
               "-device", "virtio-blk-device,drive=d0"])
    m = re.search(r"disk (virtio-mmio@0x[0-9a-f]+): virtio-blk \((.*?)\), 8192 blocks of "
                  r"512 bytes\n", log)
    assert m and m[2] == version, log
    check_read(log, m[1], images["small"])
    check_write(log, m[1], img, 512)


def test_two_disks_and_serial(images, tmp_path):
    a, b = copy(images, "big", tmp_path), copy(images, "small", tmp_path)
    log = run([*drive(a, "d0"), "-device", "virtio-blk-pci,drive=d0,serial=first-disk",
               *drive(b, "d1"), "-device", "virtio-blk-pci,drive=d1,serial=second"])
    assert 'Pci(0x1,0x0): virtio-blk (pci 1af4:1001 transitional), 65536 blocks of 512 ' \
           'bytes, serial "first-disk"' in log, log
    assert 'Pci(0x2,0x0): virtio-blk (pci 1af4:1001 transitional), 8192 blocks of 512 ' \
           'bytes, serial "second"' in log, log
    check_read(log, "PciRoot(0)/Pci(0x1,0x0)", images["big"])
    check_read(log, "PciRoot(0)/Pci(0x2,0x0)", images["small"])


def test_4k_sectors(images, tmp_path):
    img = copy(images, "big", tmp_path)
    log = run([*drive(img), "-device", "virtio-blk-pci,drive=d0,"
               "logical_block_size=4096,physical_block_size=4096"])
    name = "PciRoot(0)/Pci(0x1,0x0)"
    # Capacity stays in 512-byte sectors on the wire: 32 MiB is 8192 blocks of 4 KiB.
    assert f"disk {name}: virtio-blk (pci 1af4:1001 transitional), 8192 blocks of " \
           "4096 bytes\n" in log, log
    check_read(log, name, images["big"])
    check_write(log, name, img, 4096)


def test_read_only(images):
    img = images["small"]
    log = run([*drive(img, opts=",readonly=on"), "-device", "virtio-blk-pci,drive=d0"])
    name = "PciRoot(0)/Pci(0x1,0x0)"
    assert f"disk {name}: virtio-blk (pci 1af4:1001 transitional), 8192 blocks of 512 " \
           "bytes, read-only\n" in log, log
    check_read(log, name, images["small"])
    assert f"disk {name}: write refused" in log, log


def test_empty_disk(images, tmp_path):
    img = copy(images, "empty", tmp_path)
    log = run([*drive(img), "-device", "virtio-blk-pci,drive=d0"])
    assert "disk PciRoot(0)/Pci(0x1,0x0): virtio-blk (pci 1af4:1001 transitional), " \
           "0 blocks of 512 bytes\n" in log, log
    assert os.path.getsize(img) == 0


def test_highmem_off(images, tmp_path):
    # The ECAM moves to 0x3f00_0000 and the windows with it: all from the device tree.
    img = copy(images, "small", tmp_path)
    log = run(["-device", "pcie-root-port,id=rp1", *drive(img),
               "-device", "virtio-blk-pci,bus=rp1,drive=d0"], machine="virt,highmem=off")
    name = "PciRoot(0)/Pci(0x1,0x0)/Pci(0x0,0x0)"
    assert f"disk {name}: virtio-blk (pci 1af4:1042 modern)" in log, log
    check_read(log, name, images["small"])


def test_default_build_logs_disks(images):
    # The default firmware finds the disk without reading it.
    log = run(["-drive", f"if=virtio,format=raw,file={images['small']},readonly=on"],
              bios=FIRMWARE)
    assert "disk PciRoot(0)/Pci(0x1,0x0): virtio-blk (pci 1af4:1001 transitional), " \
           "8192 blocks of 512 bytes, read-only\n" in log, log
    assert "crc32" not in log


def test_quiet_at_exit_boot_services(images, cloud_kernel):
    # Linux after ExitBootServices: the bridge we opened for the disk behind it has
    # decoding and bus mastering off again (Linux says it turns them on from 0000), the
    # device tree's windows are what Linux uses too, and nothing complains.
    r = boot(bios=FIRMWARE, kernel=cloud_kernel, append="console=ttyAMA0 panic=-1",
             extra=["-device", "pcie-root-port,id=rp1", *drive(images["small"], opts=",readonly=on"),
                    "-device", "virtio-blk-pci,bus=rp1,drive=d0"], timeout=120)
    log = r.log
    assert "disk PciRoot(0)/Pci(0x1,0x0)/Pci(0x0,0x0): virtio-blk (pci 1af4:1042 modern)" \
        in log, log
    assert "EFI-lite: stages (us since start)" in log, log
    assert "pcieport 0000:00:01.0: enabling device (0000 -> 0003)" in log, log
    assert "pci 0000:01:00.0: [1af4:1042] type 00 class 0x010000" in log, log
    for bad in ("WARNING", "FIRMWARE BUG", "Firmware Bug", "EFI-lite crash"):
        assert bad not in log, log
