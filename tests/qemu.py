"""Start QEMU's virt machine with a hard timeout and capture its serial log."""
import os
import subprocess
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("B", os.path.join(ROOT, "build"))
FIRMWARE = os.path.join(BUILD, "efilite.bin")
# How a boot without -kernel and without anything bootable ends.
NOTHING_TO_BOOT = ("EFI-lite: fatal: nothing to boot: no -kernel, no boot option, and no "
                   "disk holds \\EFI\\BOOT\\BOOTAA64.EFI or a UKI in \\EFI\\Linux\n"
                   "EFI-lite: powering off\n")


@dataclass
class Run:
    log: str
    returncode: int
    seconds: float
    timed_out: bool


def placeholder_kernel():
    """QEMU takes -append only with -kernel: a file to stand in until payloads boot."""
    path = os.path.join(BUILD, "placeholder-kernel")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(b"not a kernel\n")
    return path


def qemu_cmd(bios=FIRMWARE, machine="virt", cpu="cortex-a57", mem="1G", smp=1,
             kernel=None, append=None, extra=()):
    cmd = ["qemu-system-aarch64", "-M", machine, "-cpu", cpu, "-m", mem,
           "-smp", str(smp), "-display", "none", "-serial", "stdio",
           "-monitor", "none", "-net", "none", "-no-reboot"]
    if bios:                    # None: the firmware comes as pflash drives in extra
        cmd += ["-bios", bios]
    if append is not None:
        cmd += ["-kernel", kernel or placeholder_kernel(), "-append", append]
    elif kernel:
        cmd += ["-kernel", kernel]
    return cmd + list(extra)


def boot(timeout=30, **kw):
    """Boot and wait for QEMU to exit (the firmware powers off) or the timeout."""
    start = time.monotonic()
    try:
        p = subprocess.run(qemu_cmd(**kw), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        out, rc, timed_out = p.stdout, p.returncode, False
    except subprocess.TimeoutExpired as e:
        out, rc, timed_out = e.stdout or b"", -1, True
    log = out.decode("utf-8", "replace").replace("\r\n", "\n")
    return Run(log, rc, time.monotonic() - start, timed_out)


def boot_until(text, count, timeout=60, **kw):
    """Boot without -no-reboot and stop QEMU once text has appeared count times (a
    reboot test): returns the log so far."""
    cmd = [a for a in qemu_cmd(**kw) if a != "-no-reboot"]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out, deadline = b"", time.monotonic() + timeout
    try:
        while out.count(text.encode()) < count and time.monotonic() < deadline:
            chunk = p.stdout.read1(4096) if hasattr(p.stdout, "read1") else p.stdout.read(1)
            if not chunk:
                break
            out += chunk
    finally:
        p.kill()
        p.wait()
    return out.decode("utf-8", "replace").replace("\r\n", "\n")
