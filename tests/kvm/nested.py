"""The nested-KVM environment: an outer guest under TCG at EL2 (Debian's generic kernel,
which brings up KVM) whose initramfs holds Debian's arm64 QEMU with the libraries it
loads, the firmware images, the cloud kernel and the test initramfs. Its init
(outer-init.sh) runs each inner guest with -accel kvm and prints what it saw; split()
turns that log back into one section per inner run."""
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import diskimg                                  # noqa: E402
import initramfs                                # noqa: E402
from qemu import BUILD, boot                    # noqa: E402

CACHE = os.environ.get("EFILITE_CACHE", os.path.expanduser("~/.cache/efilite"))
QEMU_TREE = os.path.join(CACHE, "qemu-system-arm")      # tools/setup: fetch_libs
BUSYBOX = os.path.join(CACHE, "busybox-static", "bin", "busybox")
AAVMF = "/usr/share/AAVMF"
LIBDIRS = ("lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu", "lib")
INTERP = "lib/ld-linux-aarch64.so.1"
# A disk for the disk boot, as tests/test_disk_boot.py has it.
WHEREAMI_FILES = {"/EFI/BOOT/BOOTAA64.EFI": os.path.join(BUILD, "efi-apps", "whereami.efi"),
                  "/EFI/BOOT/Note With Long Name.txt": b"found by name\n"}

# The outer machine of issue 13: -cpu max for EL2 with VHE; impdef pointer
# authentication because QEMU's architected one (QARMA) costs much more under TCG.
OUTER = dict(machine="virt,virtualization=on,gic-version=3", cpu="max,pauth-impdef=on",
             mem="3G", smp=2)
OUTER_APPEND = "console=ttyAMA0 earlycon panic=-1 quiet"

# Every character on the inner console is a trap through both layers: the inner kernel
# runs quiet, and its init prints afterwards only the kernel lines the assertions need.
DMESG = r"""dmesg | grep -E "efi: EFI v|EFI stub|KASLR|Memory: |FIRMWARE BUG|Firmware Bug|WARNING|\
rtc-efi|Remapping|efivars|secureboot|efi: memattr|\|RUN\|" | sed 's/^\[[ 0-9.]*\] /DMESG: /'
"""
INNER_INIT = initramfs.INIT.replace('echo "INIT: done"\n', DMESG + 'echo "INIT: done"\n')
assert INNER_INIT != initramfs.INIT


def _kernel(flavour):
    found = sorted(glob.glob(os.path.join(CACHE, f"linux-image-{flavour}", "boot", "vmlinuz-*")))
    assert found, f"no {flavour} kernel in {CACHE}: run tools/setup"
    return found[-1]


def _needed(path):
    out = subprocess.run(["aarch64-linux-gnu-readelf", "-d", path], check=True,
                         capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def _resolve(rel):
    """A path inside QEMU_TREE with its symbolic links followed inside the tree."""
    for _ in range(16):
        path = os.path.join(QEMU_TREE, rel)
        if not os.path.islink(path):
            return path
        target = os.readlink(path)
        rel = target.lstrip("/") if target.startswith("/") else \
            os.path.normpath(os.path.join(os.path.dirname(rel), target))
    raise AssertionError(f"symlink loop at {rel}")


def libraries(binary):
    """{soname: file} of every library binary loads, walking DT_NEEDED."""
    found, todo = {}, _needed(binary)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        hits = [p for p in (_resolve(os.path.join(d, name)) for d in LIBDIRS) if os.path.isfile(p)]
        assert hits, f"{name} (needed by QEMU) not in {QEMU_TREE}: run tools/setup"
        found[name] = hits[0]
        todo += _needed(hits[0])
    return found


def _file(name, path, mode=0o100644, data=None):
    if data is None:
        with open(path, "rb") as f:
            data = f.read()
    return (name, mode, data)


def outer_initrd(firmware, selftest, out):
    """The outer guest's (uncompressed) initramfs; returns its path and the library count."""
    qemu = os.path.join(QEMU_TREE, "usr", "bin", "qemu-system-aarch64")
    libs = libraries(qemu)
    cloud = _kernel("cloud-arm64")
    version = cloud.split("vmlinuz-")[1]
    efivarfs = glob.glob(os.path.join(CACHE, "linux-image-cloud-arm64", "lib", "modules",
                                      version, "kernel", "fs", "efivarfs", "efivarfs.ko"))
    inner = initramfs.build(os.path.join(BUILD, "kvm", "inner-initrd.cpio.gz"), BUSYBOX,
                            init=INNER_INIT, modules=[(version, m) for m in efivarfs])
    with open(os.path.join(AAVMF, "AAVMF_CODE.fd"), "rb") as f:
        code = f.read().rstrip(b"\0")           # padded back to 64 MiB in the guest
    with open(os.path.join(HERE, "outer-init.sh")) as f:
        init = f.read()
    disk = diskimg.esp(os.path.join(BUILD, "kvm", "disk.img"), WHEREAMI_FILES, size_mib=8)
    files = [("lib", 0o040755, b""), ("lib/aarch64-linux-gnu", 0o040755, b""),
             ("usr", 0o040755, b""), ("usr/bin", 0o040755, b""), ("kvm", 0o040755, b""),
             _file("usr/bin/qemu-system-aarch64", qemu, 0o100755),
             _file(INTERP, _resolve(INTERP), 0o100755),
             *(_file(f"lib/aarch64-linux-gnu/{n}", p, 0o100755) for n, p in sorted(libs.items())),
             _file("kvm/efilite.bin", firmware), _file("kvm/selftest.efi", selftest),
             _file("kvm/wxtest.efi", os.path.join(BUILD, "efi-apps", "wxtest.efi")),
             _file("kvm/vmlinuz", cloud), _file("kvm/initrd.gz", inner),
             ("kvm/AAVMF_CODE.fd", 0o100644, code), _file("kvm/disk.img", disk)]
    path = initramfs.build(out, BUSYBOX, init=init, files=files, compress=False)
    return path, len(libs)


def run_outer(firmware, selftest, runs=None, timeout=2400):
    """Boot the outer guest once (through EFI-lite, at EL2) and let its init run the
    inner guests; runs=("efilite-linux", ...) picks some of them."""
    initrd, nlibs = outer_initrd(firmware, selftest, os.path.join(BUILD, "kvm", "outer.cpio"))
    append = OUTER_APPEND + (f" kvm_runs={','.join(runs)}" if runs else "")
    run = boot(kernel=_kernel("arm64"), append=append, extra=["-initrd", initrd],
               timeout=timeout, bios=firmware, **OUTER)
    return run, nlibs


_STAMPED = re.compile(r"^([\w-]+) ([0-9.]+)\| (.*)$", re.M)
_BEGIN = re.compile(r"^KVM: begin ([\w-]+) at ([0-9.]+)$", re.M)
_END = re.compile(r"^KVM: end ([\w-]+) at ([0-9.]+)$", re.M)


def split(log):
    """{run: (lines, [(seconds since the run began, line)], seconds)} from the outer log;
    lines is the inner guest's console output as one string, as a TCG boot test sees it."""
    begin = {m[1]: float(m[2]) for m in _BEGIN.finditer(log)}
    end = {m[1]: float(m[2]) for m in _END.finditer(log)}
    runs = {}
    for name, t0 in begin.items():
        stamped = [(float(t) - t0, line) for n, t, line in _STAMPED.findall(log) if n == name]
        runs[name] = ("\n".join(line for _, line in stamped) + "\n", stamped,
                      end[name] - t0 if name in end else None)
    return runs


def first(stamped, text):
    """Seconds into the run when text first appeared, or None."""
    return next((t for t, line in stamped if text in line), None)


if __name__ == "__main__":
    # Boot it by hand: nested.py [RUN,...] prints the outer log.
    r, n = run_outer(os.path.join(BUILD, "efilite.bin"),
                     os.path.join(BUILD, "efi-apps", "selftest.efi"),
                     runs=sys.argv[1].split(",") if len(sys.argv) > 1 else None)
    print(r.log)
    print(f"{n} libraries; outer QEMU {r.seconds:.1f} s, rc {r.returncode}, "
          f"timed out {r.timed_out}")
