#!/usr/bin/python3
"""`make bench`: boot one Debian kernel and initramfs with QEMU's direct boot, EDK2,
U-Boot (bootefi and booti) and EFI-lite, interleaved, in TCG; print a table and write
docs/benchmarks.md and docs/benchmarks.png (a --quick run writes to build/bench)."""
import argparse
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import initramfs                                    # noqa: E402  (tests/initramfs.py)
from qemu import BUILD, FIRMWARE                    # noqa: E402
from contenders import CONFIGS, CONTENDERS, EFI, LABEL, Contenders  # noqa: E402
import disk                                         # noqa: E402
import report                                       # noqa: E402
import timing                                       # noqa: E402

CACHE = os.environ.get("EFILITE_CACHE", os.path.expanduser("~/.cache/efilite"))
APPEND = "console=ttyAMA0 earlycon panic=-1"
TIMEOUT = 300
# The init reads the guest counter first thing, then says so and powers off at once.
INIT = """#!/bin/busybox sh
/bin/cntvct
echo "INIT: reached"
exec /bin/busybox poweroff -f
"""
# Deterministic guest time: one instruction per nanosecond, and idle time skipped
# rather than spent in real time.
ICOUNT = ["-icount", "shift=0,sleep=off"]
ICOUNT_RUNS = 2


class Progress:
    def __init__(self, total):
        self.done, self.total, self.tty = 0, total, sys.stderr.isatty()

    def __call__(self, what):
        self.done += 1
        line = f"[{self.done}/{self.total}] {what}"
        sys.stderr.write(f"\r\033[K{line}" if self.tty else line + "\n")
        sys.stderr.flush()

    def end(self):
        if self.tty:
            sys.stderr.write("\r\033[K")


class OtherLoad:
    """How many CPUs other processes kept busy, on average, since it was made: all busy
    time in /proc/stat (steal included) minus the bench's own and its QEMUs'."""

    def __init__(self):
        self.start = self._sample()

    @staticmethod
    def _sample():
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:9]]
        t = os.times()
        # user nice system idle iowait irq softirq steal: all but idle and iowait
        busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
        return busy - (t.user + t.system + t.children_user + t.children_system), t.elapsed

    def cpus(self):
        (b0, t0), (b1, t1) = self.start, self._sample()
        return max(0.0, (b1 - b0) / (t1 - t0))


def build_initrd(work):
    """busybox, the counter program (built here, never committed) and the bench's init."""
    prog = os.path.join(work, "cntvct")
    subprocess.run(["aarch64-linux-gnu-gcc", "-static", "-nostdlib", "-ffreestanding",
                    "-fno-stack-protector", "-Os", "-Wall", "-Wextra", "-Werror",
                    "-Wl,--build-id=none", "-s", os.path.join(HERE, "cntvct.c"), "-o", prog],
                   check=True)
    with open(prog, "rb") as f:
        files = [("bin/cntvct", 0o100755, f.read())]
    return initramfs.build(os.path.join(work, "bench-initrd.cpio.gz"),
                           os.path.join(CACHE, "busybox-static/bin/busybox"), init=INIT,
                           files=files)


def check(boot, name, cfg, cmd, path):
    """Keep the log; stop the bench if the contender did not boot the way it should."""
    with open(path, "wb") as f:
        f.write(boot.log)
    problem = ("timed out" if boot.timed_out else
               "init was not reached" if "init" not in boot.times else
               f"QEMU exited with {boot.returncode}" if boot.returncode else
               "no counter line from init" if timing.guest_seconds(boot.log) is None else
               "the EFI stub did not run" if name in EFI and "stub" not in boot.times else
               "the EFI stub ran" if name not in EFI and "stub" in boot.times else None)
    if problem:
        tail = "\n".join(boot.text().splitlines()[-25:])
        raise SystemExit(f"bench: {LABEL[name]} failed to boot ({cfg.name}): {problem}\n"
                         f"command: {' '.join(cmd)}\nlog: {path}\n--- last lines ---\n"
                         f"{tail}\n{boot.stderr.decode(errors='replace')}")


def boot(c, name, cfg, append, extra, logs, kind):
    """One boot, its log kept as LOGS/NAME-KIND-CONFIG.log (the last of each kind)."""
    cmd = c.cmd(name, cfg, append) + extra
    b = timing.timed_boot(cmd, TIMEOUT)
    check(b, name, cfg, cmd, os.path.join(logs, f"{name}-{kind}-{cfg.smp}cpu-{cfg.mem}.log"))
    return b


def disk_section(work, kernel, runs, icount_runs, logs, progress):
    """GRUB and systemd-boot + UKI from disk under EFI-lite, EDK2 and U-Boot."""
    bench = disk.DiskBench(work, kernel, os.path.join(work, "cntvct"), FIRMWARE)
    return disk.run(bench, CONFIGS[0], runs, icount_runs, ICOUNT, logs, progress)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 0)) or None,
                    help="timed boots per contender and configuration (default 5; "
                         "or BENCH_RUNS)")
    ap.add_argument("--quick", action="store_true",
                    help="1 run, 1 CPU / 1 GiB only, results in build/bench")
    ap.add_argument("--kernel", help="kernel Image (default: the newest cloud kernel)")
    ap.add_argument("--disk-only", action="store_true",
                    help="only the disk section (1 CPU / 1 GiB), printed and written to "
                         "build/bench/out/disk.md")
    args = ap.parse_args()
    runs = args.runs or (1 if args.quick else 5)
    configs = CONFIGS[:1] if args.quick else CONFIGS
    work = os.path.join(BUILD, "bench")
    logs = os.path.join(work, "logs")
    os.makedirs(logs, exist_ok=True)
    kernels = sorted(glob.glob(os.path.join(CACHE, "linux-image-cloud-arm64/boot/vmlinuz-*")))
    kernel = args.kernel or (kernels[-1] if kernels else None)
    if not kernel:
        raise SystemExit(f"bench: no cloud kernel in {CACHE}: run tools/setup")
    c = Contenders(work, kernel, build_initrd(work), FIRMWARE)
    names = [n for n, _, _ in CONTENDERS]
    icount_runs = min(runs, ICOUNT_RUNS)
    disk_boots = len(disk.FIRMWARES) * len(disk.IMAGES) * (runs + icount_runs)
    others = OtherLoad()
    if args.disk_only:
        progress = Progress(disk_boots)
        d = disk_section(work, kernel, runs, icount_runs, logs, progress)
        progress.end()
        out = os.path.join(work, "out")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "disk.md"), "w") as f:
            f.write(disk.section(d) + "\n")
        print(disk.section(d) + f"\n\nWritten: {os.path.join(out, 'disk.md')}")
        return
    progress = Progress(len(names) * (1 + len(configs) * (runs + icount_runs)) + disk_boots)
    res = report.Results(c, configs, runs, APPEND)

    # A first boot of each warms the host's page cache; with efi=debug the kernel
    # prints the memory map it received.
    for name in names:
        b = boot(c, name, CONFIGS[0], APPEND + " efi=debug", [], logs, "memmap")
        res.ram[name] = timing.firmware_ram(b.text(), CONFIGS[0].ram)
        progress(f"{LABEL[name]}: memory map at hand-off read")

    for cfg in configs:
        for run in range(runs):
            # Rotate the order so no contender always follows the same one.
            for name in names[run % len(names):] + names[:run % len(names)]:
                b = boot(c, name, cfg, APPEND, [], logs, "timed")
                res.add(cfg, name, b)
                progress(f"{cfg.name}, run {run + 1}/{runs}: {LABEL[name]} "
                         f"kernel {b.times['kernel']:.3f} s, init {b.times['init']:.3f} s")
        for run in range(icount_runs):
            for name in names:
                b = boot(c, name, cfg, APPEND, ICOUNT, logs, "icount")
                res.add_icount(cfg, name, b)
                progress(f"{cfg.name}, icount {run + 1}/{icount_runs}: {LABEL[name]} "
                         f"init at {timing.guest_seconds(b.log):.4f} s guest time")
    res.disk = disk_section(work, kernel, runs, icount_runs, logs, progress)
    progress.end()
    res.others = others.cpus()
    if res.others > 0.2:
        print(f"bench: warning: other processes kept {res.others:.1f} CPUs busy; "
              "the wall times are noisy", file=sys.stderr)

    out = os.path.join(work, "out") if args.quick else os.path.join(HERE, "..", "..", "docs")
    print(report.write(res, os.path.normpath(out)))


if __name__ == "__main__":
    main()
