"""NV variables in pflash bank 1 (`-drive if=pflash,unit=1,format=raw,file=VARS`) survive
a QEMU restart, whether an EFI application or Linux (efivarfs, at runtime) wrote them,
and a QEMU killed with SIGKILL in the middle of a loop of SetVariable calls restarts
with a valid store that lost no completed write."""
import glob
import os
import random
import re
import select
import signal
import subprocess
import struct
import time
import uuid
import zlib
import initramfs
from qemu import BUILD, boot, qemu_cmd
from test_linux import BASE, linux

VARLOOP = os.path.join(BUILD, "efi-apps", "varloop.efi")
CACHE = os.environ.get("CACHE", os.path.expanduser("~/.cache/efilite"))
GUID = "3b5d2a76-5a52-4c27-9c24-13d6e8c0f5a1"
KILLS = 50                  # QEMUs killed in the middle of a SetVariable loop (issue 12)


def vars_file(tmp_path):
    path = tmp_path / "vars.fd"
    with open(path, "wb") as f:
        f.truncate(64 << 20)            # what make's build/efilite-vars.fd is
    return str(path)


def pflash(path, readonly=False):
    return ["-drive", f"if=pflash,unit=1,format=raw,file={path}" +
            (",readonly=on" if readonly else "")]


def test_variable_survives_restart(tmp_path):
    fd = vars_file(tmp_path)
    value = f"persist-{random.randrange(1 << 30)}"
    run = boot(kernel=VARLOOP, append=f"set {value}", extra=pflash(fd), timeout=60)
    assert not run.timed_out and "set: Success" in run.log, run.log
    assert "variables: no store in flash bank 1 at 0x4000000 (blank or foreign): formatted" in run.log
    # ResetSystem, not a return: the firmware's power-off message never comes.
    assert "the EFI application returned" not in run.log, run.log
    run = boot(kernel=VARLOOP, append="get", extra=pflash(fd), timeout=60)
    assert f"get: Success [{value}]" in run.log, run.log
    assert "variables: NV store in flash bank 1 at 0x4000000" in run.log, run.log
    assert "formatted" not in run.log and "warning" not in run.log, run.log
    # Read-only: what it holds is still there, one warning says changes are not kept.
    run = boot(kernel=VARLOOP, append="get", extra=pflash(fd, readonly=True), timeout=60)
    assert f"get: Success [{value}]" in run.log, run.log
    assert run.log.count("warning:") == 1 and "is read-only" in run.log, run.log


def test_blank_zero_bank_formatted_and_vars_file_made(tmp_path):
    # make's empty store is the sparse 64 MiB QEMU asks for.
    made = os.path.join(BUILD, "efilite-vars.fd")
    assert os.path.getsize(made) == 64 << 20
    assert os.stat(made).st_blocks * 512 < 1 << 20, "not sparse"
    fd = vars_file(tmp_path)
    with open(fd, "r+b") as f:          # garbage where the store goes
        f.write(os.urandom(1 << 20))
    run = boot(kernel=VARLOOP, append="get", extra=pflash(fd), timeout=60)
    assert "get: Not Found" in run.log and "formatted" in run.log, run.log


def store_record(name, data, attr=7, guid=GUID):
    """One record of runtime/varstore.c's log, written independently of it."""
    g = uuid.UUID(guid).bytes_le
    body = (name + "\0").encode("utf-16-le") + data
    body += b"\0" * (-len(body) % 4)
    words = (32 + len(body) + 4) // 4
    rec = struct.pack("<IIII", 0x5652 << 16 | words, attr, 2 * len(name) + 2, len(data)) + g + body
    return rec + struct.pack("<I", zlib.crc32(rec))


def loop_value(n):
    return bytes((n >> (8 * i)) & 0xff if i < 4 else (n + i) & 0xff for i in range(1024))


def test_full_log_scanned_and_compacted(tmp_path):
    """A log that fills its 256 KiB sector, as written by this test: the firmware reads
    the newest record (and says how long the scan took), and the next write compacts."""
    fd = vars_file(tmp_path)
    header = struct.pack("<III", 0x564c4645, 1, 5)
    log, n = header + struct.pack("<I", zlib.crc32(header)), 0
    while len(log) + len(store_record("EfiliteLoop", loop_value(n + 1))) <= 0x40000:
        n += 1
        log += store_record("EfiliteLoop", loop_value(n))
    with open(fd, "r+b") as f:
        f.write(log)
    p = subprocess.Popen(qemu_cmd(kernel=VARLOOP, append="loop", extra=pflash(fd)),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    try:
        out, m = read_until(p, rf"loop: {(n + 10) // 10 * 10 + 10}, ", time.monotonic() + 120)
    finally:
        p.kill()
        p.communicate()
    assert m and f"loop: start at {n}, valid" in out, out
    scan = re.search(r"variables: NV store in flash bank 1 at 0x4000000, read in (\d+) us", out)
    assert scan, out
    print(f"full log of {n} records of 1 KiB: scanned in {int(scan[1])} us")
    # Compacted into sector 1 (sequence 6), the old one left as it was.
    with open(fd, "rb") as f:
        data = f.read(0x80000)
    assert data[:len(log)] == log
    assert struct.unpack_from("<III", data, 0x40000) == (0x564c4645, 1, 6)


def read_until(p, pattern, deadline):
    """Output of p until a line matching pattern (or the deadline): (text, match)."""
    out = b""
    while time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 0.2)
        if r:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
            m = re.search(pattern, out.decode("utf-8", "replace"))
            if m:
                return out.decode("utf-8", "replace"), m
    return out.decode("utf-8", "replace"), None


def test_sigkill_during_setvariable_loop(tmp_path):
    fd = vars_file(tmp_path)
    rng = random.Random(7)
    start, kills, last_done, logs = time.monotonic(), 0, 0, []
    while kills < KILLS:
        cmd = qemu_cmd(kernel=VARLOOP, append="loop", extra=pflash(fd))
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        try:
            log, m = read_until(p, r"loop: (start at (\d+), valid|start, no variable|INVALID)[^\n]*\n",
                                time.monotonic() + 60)
            assert m, log
            assert "INVALID" not in m[0], log
            if kills:
                # Every write the last run reported done is there: nothing lost.
                assert (int(m[2]) if m[2] else 0) >= last_done, (last_done, log)
                assert "formatted" not in log, log
            # Let it write for a while, then pull the plug at a random instant.
            more, _ = read_until(p, r"(?!x)x", time.monotonic() + rng.uniform(0.1, 0.8))
            log += more
        finally:
            p.send_signal(signal.SIGKILL)
            rest = p.communicate()[0].decode("utf-8", "replace")
        log += rest
        done = [int(n) for n in re.findall(r"loop: (\d+), 10 writes", log)]
        last_done = max(done + [last_done])
        logs.append(log)
        kills += 1
    print(f"{kills} SIGKILLs in {time.monotonic() - start:.1f} s, last counter {last_done}")
    assert last_done > 0, logs[-1]


INIT = initramfs.PROLOGUE + r"""echo "INIT: reached"
insmod /lib/modules/$(uname -r)/efivarfs.ko 2>/dev/null
mount -t efivarfs efivarfs /sys/firmware/efi/efivars
d=/sys/firmware/efi/efivars
echo "INIT: flash node: $(cat /proc/device-tree/flash@0/status)"
[ -e $d/EfiliteLinux-GUID ] && echo "INIT: read: $(tail -c +5 $d/EfiliteLinux-GUID)"
[ -e $d/EfiliteKiB9-GUID ] && echo "INIT: kib: $(tail -c +5 $d/EfiliteKiB9-GUID | wc -c) bytes, ends $(tail -c 2 $d/EfiliteKiB9-GUID)"
if grep -q vars=write /proc/cmdline; then
    printf '\007\000\000\000written by Linux' > $d/EfiliteLinux-GUID
    # 10 runtime SetVariable calls of 1 KiB each (each value new: the same value
    # again costs no flash), timed.
    mkdir -p /tmp
    for i in 0 1 2 3 4 5 6 7 8 9; do
        (printf '\007\000\000\000'; head -c 1023 /dev/zero | tr '\000' x; echo $i) > /tmp/var$i
    done
    t0=$(cut -d' ' -f1 /proc/uptime)
    # (Ten variables: efivarfs makes a file immutable once written, and busybox has
    # no chattr.)
    for i in 0 1 2 3 4 5 6 7 8 9; do
        cat /tmp/var$i > $d/EfiliteKiB$i-GUID || echo "INIT: write $i failed"
    done
    t1=$(cut -d' ' -f1 /proc/uptime)
    echo "INIT: 10 writes of 1 KiB: $t0 $t1"
fi
echo "INIT: done"
poweroff -f
""".replace("GUID", GUID)


def test_efivarfs_write_survives_restart(cloud_kernel, tmp_path):
    modules = [(m.split(os.sep)[-5], m) for m in glob.glob(os.path.join(
        CACHE, "linux-image-*", "lib", "modules", "*", "kernel", "fs", "efivarfs", "efivarfs.ko"))]
    initrd = initramfs.build(str(tmp_path / "initrd.cpio.gz"),
                             os.path.join(CACHE, "busybox-static", "bin", "busybox"),
                             init=INIT, modules=modules)
    fd = vars_file(tmp_path)
    run = linux(cloud_kernel, initrd, append=BASE + " efi=debug vars=write", extra=pflash(fd))
    log = run.log
    assert "INIT: done" in log, log
    # The bank is runtime MMIO in the memory map, and the OS leaves the device alone.
    assert re.search(r"efi:   0x000004000000-0x00000407ffff \[MMIO +\|RUN\|", log), log
    assert "INIT: flash node: disabled" in log, log
    m = re.search(r"INIT: 10 writes of 1 KiB: ([\d.]+) ([\d.]+)", log)
    assert m and "INIT: write" not in log, log
    print(f"10 runtime SetVariable of 1 KiB: {float(m[2]) - float(m[1]):.2f} s")
    run = linux(cloud_kernel, initrd, append=BASE, extra=pflash(fd))
    assert "INIT: read: written by Linux" in run.log, run.log
    assert "INIT: kib: 1025 bytes, ends 9" in run.log, run.log


EFIBOOTMGR_INIT = initramfs.PROLOGUE + r"""echo "INIT: reached"
v=/lib/modules/$(uname -r)
for m in efivarfs virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
    insmod $v/$m.ko 2>&1 | grep -v "File exists" | sed 's/^/INIT: insmod: /'
done

mount -t efivarfs efivarfs /sys/firmware/efi/efivars
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/block/vda/vda1 ] && break; sleep 1; done
if grep -q vars=write /proc/cmdline; then
    efibootmgr -q -c -d /dev/vda -p 1 -L EfiliteTest -l '\EFI\test\grubaa64.efi' 2>&1 | sed 's/^/INIT: create: /'
    [ -e /sys/firmware/efi/efivars/Boot0001-8be4df61-93ca-11d2-aa0d-00e098032b8c ] || echo "INIT: create failed"
    efibootmgr -q -t 7 || echo "INIT: timeout failed"
fi
efibootmgr -v | sed 's/^/INIT: efibootmgr: /'
echo "INIT: done"
poweroff -f
"""


def test_efibootmgr_boot_entry_survives(cloud_kernel, tmp_path):
    """Debian's efibootmgr (with its libraries, in the initramfs) writes a Boot#### for a
    partition of a virtio disk and a Timeout; both are there after a QEMU restart."""
    files, dirs = [], set()

    def add(name, path):
        for k in range(1, name.count("/") + 1):
            d = "/".join(name.split("/")[:k])
            if d not in dirs:
                dirs.add(d)
                files.append((d, 0o040755, b""))
        with open(path, "rb") as f:             # symlinks become the file they name
            files.append((name, 0o100755, f.read()))

    add("bin/efibootmgr", os.path.join(CACHE, "efibootmgr", "bin", "efibootmgr"))
    add("lib/ld-linux-aarch64.so.1", os.path.join(CACHE, "libc6", "lib", "ld-linux-aarch64.so.1"))
    for lib in ("libc.so.6", "libdl.so.2"):
        add(f"lib/aarch64-linux-gnu/{lib}", os.path.join(CACHE, "libc6", "lib", "aarch64-linux-gnu", lib))
    for pkg, lib in (("libefivar1", "libefivar.so.1"), ("libefiboot1", "libefiboot.so.1"),
                     ("libpopt0", "libpopt.so.0")):
        add(f"lib/aarch64-linux-gnu/{lib}",
            os.path.join(CACHE, pkg, "usr", "lib", "aarch64-linux-gnu", lib))
    mods = os.path.join(os.path.dirname(cloud_kernel), "..", "lib", "modules")
    version = os.listdir(mods)[0]
    modules = [(version, p) for p in glob.glob(os.path.join(mods, version, "kernel", "**", "*.ko"),
                                               recursive=True)
               if os.path.basename(p)[:-3] in ("efivarfs", "virtio", "virtio_ring", "virtio_pci",
                                              "virtio_pci_legacy_dev", "virtio_pci_modern_dev",
                                              "virtio_blk")]
    initrd = initramfs.build(str(tmp_path / "initrd.cpio.gz"),
                             os.path.join(CACHE, "busybox-static", "bin", "busybox"),
                             init=EFIBOOTMGR_INIT, modules=modules, files=files)
    # A disk with an MBR and one EFI system partition: efibootmgr's HD() needs a table.
    disk = tmp_path / "disk.img"
    mbr = bytearray(512)
    struct.pack_into("<I", mbr, 440, 0x5eed1e55)
    struct.pack_into("<B3sB3sII", mbr, 446, 0, b"\0\0\0", 0xef, b"\0\0\0", 2048, 30720)
    mbr[510:512] = b"\x55\xaa"
    with open(disk, "wb") as f:
        f.write(mbr)
        f.truncate(16 << 20)
    fd = vars_file(tmp_path)
    extra = pflash(fd) + ["-drive", f"if=virtio,format=raw,file={disk}"]
    run = linux(cloud_kernel, initrd, append=BASE + " vars=write", extra=extra)
    assert "INIT: done" in run.log and "failed" not in run.log.split("INIT: reached")[1], run.log
    run = linux(cloud_kernel, initrd, append=BASE, extra=extra)
    log = run.log
    assert "INIT: done" in log, log
    assert re.search(r"INIT: efibootmgr: Boot0001\* EfiliteTest\s+HD\(1,MBR,0x5eed1e55,0x800,0x7800\)"
                     r"/File\(\\EFI\\test\\grubaa64.efi\)", log), log
    assert "INIT: efibootmgr: Timeout: 7 seconds" in log, log
