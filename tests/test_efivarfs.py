"""Linux's own efivarfs selftest (tools/testing/selftests/efivarfs of Debian's
linux-source-6.1, unchanged) against EFI-lite's persistent variable store: Debian's
cloud kernel, a fresh vars file in pflash bank 1, efivarfs.sh under Debian's
bash-static with its two C programs built here statically for arm64, and Debian's
chattr (busybox has none). The assertions are on the script's own result lines.

`python3 tests/test_efivarfs.py edk2` runs the same initramfs under EDK2 (Debian's
AAVMF), the oracle: docs/uefi.md has both results."""
import os
import re
import subprocess
import sys
import tempfile
import initramfs
from qemu import BUILD, FIRMWARE, boot

CACHE = os.environ.get("EFILITE_CACHE", os.path.expanduser("~/.cache/efilite"))
SELFTEST = os.path.join(CACHE, "linux-source-6.1", "tools", "testing", "selftests", "efivarfs")
PROGRAMS = ("create-read", "open-unlink")
AAVMF = "/usr/share/AAVMF"
BASE = "console=ttyAMA0 panic=-1 quiet"

# The selftest, then one variable of the selftest's GUID that stays. With
# efivarfs=after (the next boot on the same vars file), the variables of that GUID the
# kernel finds: that one alone, if every write and delete reached the flash.
INIT = initramfs.PROLOGUE + r"""echo "INIT: reached"
insmod /lib/modules/$(uname -r)/efivarfs.ko
mount -t efivarfs efivarfs /sys/firmware/efi/efivars
d=/sys/firmware/efi/efivars
echo "INIT: $(dmesg | grep -o 'efi: EFI v.*')"
if grep -q efivarfs=after /proc/cmdline; then
    echo "INIT: left: $(ls $d | grep -e -GUID | tr '\n' ' ')"
else
    (cd /efivarfs && bash ./efivarfs.sh)
    echo "INIT: efivarfs.sh exit $?"
    printf '\007\000\000\000kept' > $d/EfiliteKept-GUID
fi
echo "INIT: done"
poweroff -f
"""


def cloud_kernel_files():
    """(kernel, (version, efivarfs.ko)) of the newest cloud kernel in the cache."""
    root = os.path.join(CACHE, "linux-image-cloud-arm64")
    version = sorted(os.listdir(os.path.join(root, "lib", "modules")))[-1]
    ko = os.path.join(root, "lib", "modules", version, "kernel", "fs", "efivarfs", "efivarfs.ko")
    return os.path.join(root, "boot", f"vmlinuz-{version}"), (version, ko)


def build_initrd(out_dir):
    """The initramfs: busybox, bash, chattr with its libraries, the selftest in /efivarfs."""
    files, dirs = [], set()

    def add(name, data, mode=0o100755):
        for k in range(1, name.count("/") + 1):
            d = "/".join(name.split("/")[:k])
            if d not in dirs:
                dirs.add(d)
                files.append((d, 0o040755, b""))
        files.append((name, mode, data))

    def add_file(name, path):
        with open(path, "rb") as f:     # symlinks become the file they name
            add(name, f.read())

    for prog in PROGRAMS:               # as the selftest's Makefile does, plus -static
        exe = os.path.join(out_dir, prog)
        subprocess.run(["aarch64-linux-gnu-gcc", "-static", "-s", "-Wall", "-O2", "-o", exe,
                        os.path.join(SELFTEST, prog + ".c")], check=True)
        add_file(f"efivarfs/{prog}", exe)
    add_file("efivarfs/efivarfs.sh", os.path.join(SELFTEST, "efivarfs.sh"))
    add_file("bin/bash", os.path.join(CACHE, "bash-static", "bin", "bash-static"))
    add_file("bin/chattr", os.path.join(CACHE, "e2fsprogs", "usr", "bin", "chattr"))
    add_file("lib/ld-linux-aarch64.so.1",
             os.path.join(CACHE, "libc6", "lib", "ld-linux-aarch64.so.1"))
    for pkg, lib in (("libc6", "libc.so.6"), ("libext2fs2", "libe2p.so.2"),
                     ("libcom-err2", "libcom_err.so.2")):
        add_file(f"lib/aarch64-linux-gnu/{lib}",
                 os.path.join(CACHE, pkg, "lib", "aarch64-linux-gnu", lib))
    _, module = cloud_kernel_files()
    return initramfs.build(os.path.join(out_dir, "initrd.cpio"),
                           os.path.join(CACHE, "busybox-static", "bin", "busybox"),
                           init=INIT.replace("GUID", selftest_guid()), modules=[module],
                           files=files, compress=False)


def script():
    with open(os.path.join(SELFTEST, "efivarfs.sh")) as f:
        return f.read()


def subtests():
    """The subtests efivarfs.sh runs, in its order, read from the script itself."""
    return re.findall(r"^run_test (\S+)$", script(), re.M)


def selftest_guid():
    return re.search(r"^test_guid=(\S+)$", script(), re.M)[1]


def results(log):
    """{subtest: "PASS" | "FAIL"} from the script's own lines, and its exit code."""
    found = dict(re.findall(r"^running (\S+)\n-+\n(?:(?!running ).*\n)*?  \[(PASS|FAIL)\]$",
                            log, re.M))
    m = re.search(r"^INIT: efivarfs\.sh exit (\d+)$", log, re.M)
    return found, int(m[1]) if m else None


def fresh_vars(out_dir, firmware):
    """A copy of the firmware's own blank variable store."""
    template = os.path.join(AAVMF, "AAVMF_VARS.fd") if firmware == "edk2" else \
        os.path.join(BUILD, "efilite-vars.fd")
    path = os.path.join(out_dir, "vars.fd")
    subprocess.run(["cp", "--sparse=always", template, path], check=True)
    return path


def run(firmware, initrd, vars_fd, after=False):
    """Boot the cloud kernel with the selftest's initramfs: under EFI-lite (-bios) or,
    as the oracle, EDK2 (Debian's AAVMF code from pflash, as libvirt runs it)."""
    kernel, _ = cloud_kernel_files()
    drives = [f"if=pflash,unit=1,format=raw,file={vars_fd}"]
    kw = dict(bios=FIRMWARE, timeout=120)
    if firmware == "edk2":
        drives.insert(0, f"if=pflash,unit=0,format=raw,readonly=on,file={AAVMF}/AAVMF_CODE.fd")
        kw = dict(bios=None, timeout=600)
    extra = [a for d in drives for a in ("-drive", d)] + ["-initrd", initrd]
    return boot(kernel=kernel, append=BASE + (" efivarfs=after" if after else ""),
                extra=extra, **kw)


def check_selftest(log):
    """Every subtest of efivarfs.sh passed, by its own lines, and it exited with 0."""
    found, rc = results(log)
    expected = subtests()
    assert len(expected) == 8, expected
    missing = [t for t in expected if t not in found]
    failed = [t for t in expected if found.get(t) == "FAIL"]
    assert not missing and not failed, f"failed {failed}, no result for {missing}:\n{log}"
    assert "skip all tests" not in log and rc == 0, log


def check_after(log):
    """The next boot finds the selftest's GUID on one variable: the one kept."""
    m = re.search(r"^INIT: left: (.*)$", log, re.M)
    assert m, log
    assert m[1].split() == [f"EfiliteKept-{selftest_guid()}"], f"after a restart: {m[1]}\n{log}"


def test_efivarfs_selftest(tmp_path):
    initrd, fd = build_initrd(str(tmp_path)), fresh_vars(str(tmp_path), "efilite")
    first = run("efilite", initrd, fd)
    assert not first.timed_out and "INIT: done" in first.log, first.log
    assert "variables: no store in flash bank 1" in first.log, first.log
    assert "INIT: efi: EFI v2.100 by EFI-lite" in first.log, first.log
    check_selftest(first.log)
    second = run("efilite", initrd, fd, after=True)
    assert not second.timed_out and "variables: NV store in flash bank 1" in second.log, second.log
    check_after(second.log)
    print(f"efivarfs selftest: {len(subtests())} subtests passed, boots of "
          f"{first.seconds:.1f} s and {second.seconds:.1f} s")


if __name__ == "__main__":
    firmware = "edk2" if "edk2" in sys.argv else "efilite"
    with tempfile.TemporaryDirectory() as tmp:
        initrd, fd = build_initrd(tmp), fresh_vars(tmp, firmware)
        runs = [run(firmware, initrd, fd), run(firmware, initrd, fd, after=True)]
    found, rc = results(runs[0].log)
    print(re.search(r"^INIT: (efi: .*)$", runs[0].log, re.M)[1])
    if "-v" in sys.argv:
        print("\n".join(r.log for r in runs))
    for t in subtests():
        print(f"{t}: {found.get(t, 'no result')}")
    left = re.search(r"^INIT: left: (.*)$", runs[1].log, re.M)
    print(f"efivarfs.sh exit {rc}; after a restart, variables of the test GUID: "
          f"{left[1] if left else 'no result'}; "
          f"boots {runs[0].seconds:.1f} s, {runs[1].seconds:.1f} s")
