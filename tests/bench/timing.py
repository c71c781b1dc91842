"""One timed boot: QEMU's serial output read unbuffered from a pipe, every chunk stamped
on arrival, and what the bench reads from a log (markers, the guest counter, EFI-lite's
stage line, the EFI memory map the kernel received)."""
import bisect
import os
import re
import select
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

# Milestones on the serial console, in boot order; "output" is the first byte of all.
MARKERS = [("stub", b"EFI stub: Booting Linux Kernel"),
           ("kernel", b"Booting Linux on physical CPU"),
           ("init", b"INIT: reached")]
STAGES = ("reset", "main", "dt", "memmap", "mmu", "efi", "exit")
STAGE_RE = re.compile(rb"EFI-lite: stages \(us since start\): " +
                      rb" ".join(s.encode() + rb" (\d+)" for s in STAGES))
VERSION_RE = re.compile(rb"EFI-lite (\S+) at EL\d")
COUNTER_RE = re.compile(rb"BENCH: cntvct (\d+) cntfrq (\d+)")
MEMMAP_RE = re.compile(r"efi:\s+0x([0-9a-f]+)-0x([0-9a-f]+) \[([^|\]]+)\|")
# What arm64 Linux takes as RAM (drivers/firmware/efi/efi-init.c, is_usable_memory):
# boot-services and loader memory is free once the kernel runs. MMIO is not RAM. Every
# other type stays out of the kernel's reach: the firmware keeps it.
USABLE = {"Loader Code", "Loader Data", "Boot Code", "Boot Data", "Conventional",
          "Persistent"}
NOT_RAM = {"MMIO", "MMIO Port"}


@dataclass
class Boot:
    log: bytes
    times: dict = field(default_factory=dict)   # milestone -> seconds since QEMU start
    returncode: int = 0
    timed_out: bool = False
    stderr: bytes = b""

    def text(self):
        return self.log.decode("utf-8", "replace").replace("\r\n", "\n")


def timed_boot(cmd, timeout, markers=None):
    """Run QEMU until it exits, stamping each chunk of serial output as it arrives;
    markers: the milestones to find (default MARKERS)."""
    chunks = []
    with tempfile.TemporaryFile() as err:
        start = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=err)
        fd, timed_out = p.stdout.fileno(), False
        while True:
            left = start + timeout - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                p.kill()
                timed_out = True
                break
            data = os.read(fd, 1 << 16)
            if not data:
                break
            chunks.append((time.monotonic() - start, data))
        p.wait()
        end = time.monotonic() - start
        p.stdout.close()
        err.seek(0)
        boot = Boot(b"".join(d for _, d in chunks), milestones(chunks, markers), p.returncode,
                    timed_out, err.read())
    if not timed_out:
        boot.times["exit"] = end
    return boot


def milestones(chunks, markers=None):
    """Arrival time of the first output byte and of the chunk that completes each marker."""
    if not chunks:
        return {}
    ends, total = [], 0
    for _, data in chunks:
        total += len(data)
        ends.append(total)
    log = b"".join(d for _, d in chunks)
    times = {"output": chunks[0][0]}
    for name, marker in markers or MARKERS:
        i = log.find(marker)
        if i >= 0:
            times[name] = chunks[bisect.bisect_right(ends, i + len(marker) - 1)][0]
    return times


def guest_seconds(log):
    """Guest time at init from the bench's counter line, or None."""
    m = COUNTER_RE.search(log)
    return int(m[1]) / int(m[2]) if m else None


def stages(log):
    """EFI-lite's boot stages in microseconds since its start, or None."""
    m = STAGE_RE.search(log)
    return dict(zip(STAGES, (int(t) for t in m.groups()))) if m else None


def firmware_ram(text, ram_bytes):
    """Bytes of RAM the firmware keeps at hand-off, by memory type, from the map that
    efi=debug prints; RAM the map does not describe at all counts as "(absent)"."""
    held, covered = {}, 0
    for m in MEMMAP_RE.finditer(text):
        kind = m[3].strip()
        size = int(m[2], 16) + 1 - int(m[1], 16)
        if kind in NOT_RAM:
            continue
        covered += size
        if kind not in USABLE:
            held[kind] = held.get(kind, 0) + size
    if not covered:
        return None
    if ram_bytes > covered:
        held["(absent)"] = ram_bytes - covered
    return held


def ms(values):
    """Median and range in milliseconds: '231 (228-240)'."""
    if not values:
        return "-"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med * 1e3:.0f}"
    return f"{med * 1e3:.0f} ({min(values) * 1e3:.0f}-{max(values) * 1e3:.0f})"
