"""The bench's results: medians with their range, the project's design targets,
docs/benchmarks.md and its chart (gnuplot)."""
import datetime
import os
import platform
import statistics
import subprocess

from contenders import CONTENDERS, EFI, LABEL
import disk
import timing

NAMES = [n for n, _, _ in CONTENDERS]
PEERS = [n for n in NAMES if n not in ("direct", "efilite")]
COLUMNS = [("output", "firmware output"), ("stub", "EFI stub"), ("kernel", "kernel"),
           ("init", "init"), ("exit", "QEMU exit")]
KIB, MIB = 1 << 10, 1 << 20
# The image target is wave 2's (DESIGN.md §7: disks and variables included); wave 1's
# 64 KiB was for a firmware without them.
TARGET_RATIO, TARGET_EDK2, TARGET_SIZE, TARGET_RAM = 1.10, 5.0, 128 * KIB, 2 * MIB


class Results:
    def __init__(self, contenders, configs, runs, append):
        self.c, self.configs, self.runs, self.append = contenders, configs, runs, append
        self.others = 0.0    # CPUs kept busy by other processes meanwhile, on average
        self.times = {}      # (config, contender) -> [{milestone: seconds}]
        self.guest = {}      # (config, contender) -> [guest seconds at init, -icount]
        self.stages = {}     # (config, "wall" or "guest") -> [EFI-lite's stage dict]
        self.ram = {}        # contender -> {memory type: bytes} or None
        self.version = "?"   # EFI-lite's, from its banner
        self.disk = None     # disk.DiskResults: the disk section

    def add(self, cfg, name, boot):
        self.times.setdefault((cfg.name, name), []).append(boot.times)
        if name == "efilite":
            self._stages(cfg, "wall", boot.log)
            m = timing.VERSION_RE.search(boot.log)
            self.version = m[1].decode() if m else self.version

    def add_icount(self, cfg, name, boot):
        self.guest.setdefault((cfg.name, name), []).append(timing.guest_seconds(boot.log))
        if name == "efilite":
            self._stages(cfg, "guest", boot.log)

    def _stages(self, cfg, clock, log):
        st = timing.stages(log)
        if st:
            self.stages.setdefault((cfg.name, clock), []).append(st)

    def values(self, cfg, name, milestone):
        return [t[milestone] for t in self.times[(cfg.name, name)] if milestone in t]

    def median(self, cfg, name, milestone):
        v = self.values(cfg, name, milestone)
        return statistics.median(v) if v else None


def spread(values):
    return max(values) - min(values)


def size_text(n):
    v, unit = (n / MIB, "MiB") if n >= MIB else (n / KIB, "KiB")
    return f"{v:.1f}".removesuffix(".0") + " " + unit


def image_size(path):
    """Bytes of a firmware image without the padding that fills a flash bank."""
    with open(path, "rb") as f:
        data = f.read()
    return len(data.rstrip(b"\0")), len(data)


def timing_table(res, cfg):
    rows = ["| Contender | " + " | ".join(t for _, t in COLUMNS) +
            " | kernel vs direct | init vs direct | EFI-lite sooner (kernel / init) |",
            "|---" * (len(COLUMNS) + 4) + "|"]
    for name in NAMES:
        cells = [LABEL[name]]
        for m, _ in COLUMNS:
            has = not (m == "output" and name == "direct") and not (m == "stub" and name not in EFI)
            cells.append(timing.ms(res.values(cfg, name, m)) if has else "-")
        for m in ("kernel", "init"):
            cells.append(f"{res.median(cfg, name, m) / res.median(cfg, 'direct', m):.2f}x")
        if name in PEERS:
            cells.append(" / ".join(f"{res.median(cfg, name, m) / res.median(cfg, 'efilite', m):.1f}x"
                                    for m in ("kernel", "init")))
        else:
            cells.append("-")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def guest_table(res):
    rows = ["| Contender | " + " | ".join(cfg.name for cfg in res.configs) + " |",
            "|---" * (len(res.configs) + 1) + "|"]
    for name in NAMES:
        cells = [LABEL[name]]
        for cfg in res.configs:
            g, d = res.guest[(cfg.name, name)], res.guest[(cfg.name, "direct")]
            cost = (statistics.median(g) - statistics.median(d)) * 1e3
            cells.append(f"{timing.ms(g)}" + ("" if name == "direct" else f", {cost:+.1f} ms"))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def footprint_table(res):
    rows = ["| Contender | image | firmware RAM at hand-off | of which |", "|---|---|---|---|"]
    for name in NAMES:
        fw = res.c.firmware[name]
        if fw is None:
            image = "-"
        else:
            used, total = image_size(fw)
            image = size_text(used) + (f" (in a {size_text(total)} flash file)"
                                       if total > 2 * used else "")
        held = res.ram.get(name)
        ram = size_text(sum(held.values())) if held else "- (no EFI memory map)"
        parts = ", ".join(f"{k} {size_text(v)}" for k, v in sorted(held.items())) if held else ""
        rows.append(f"| {LABEL[name]} | {image} | {ram} | {parts} |")
    return "\n".join(rows)


def stage_median(res, cfg, clock, stage):
    """EFI-lite's median time to STAGE in ms, on the wall or the guest clock, or None."""
    runs = res.stages.get((cfg.name, clock))
    return statistics.median(r[stage] for r in runs) / 1e3 if runs else None


def stage_table(res):
    rows = ["| Configuration | clock | " + " | ".join(timing.STAGES) + " |",
            "|---" * (len(timing.STAGES) + 2) + "|"]
    for cfg in res.configs:
        for clock in ("wall", "guest"):
            t = [stage_median(res, cfg, clock, s) for s in timing.STAGES]
            if None not in t:
                cells = [f"{t[0]:.1f}"] + [f"{b:.1f} (+{b - a:.1f})" for a, b in zip(t, t[1:])]
                rows.append(f"| {cfg.name} | {clock} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def targets(res):
    """(target, measured, passed) for each of the design targets that was measured."""
    base = res.configs[0]
    k = {n: res.median(base, n, "kernel") for n in NAMES}
    out = [(f"kernel's first line within {TARGET_RATIO:.2f}x of direct boot ({base.name})",
            f"{k['efilite'] / k['direct']:.3f}x", k["efilite"] / k["direct"] <= TARGET_RATIO),
           (f"kernel's first line at least {TARGET_EDK2:.0f}x sooner than EDK2 ({base.name})",
            f"{k['edk2'] / k['efilite']:.2f}x", k["edk2"] / k["efilite"] >= TARGET_EDK2)]
    size = image_size(res.c.firmware["efilite"])[0]
    out.append((f"image under {size_text(TARGET_SIZE)}", f"{size} bytes", size < TARGET_SIZE))
    held = res.ram.get("efilite")
    if held is not None:
        ram = sum(held.values())
        out.append((f"firmware RAM at hand-off under {size_text(TARGET_RAM)}",
                    size_text(ram), ram < TARGET_RAM))
    # RAM size moves the kernel's own early boot (direct boot too), so what must not
    # move is EFI-lite's cost over direct boot, paired run by run.
    for cfg in [c for c in res.configs if c.mem != base.mem and c.smp == base.smp]:
        a, b = overheads(res, base), overheads(res, cfg)
        delta = statistics.median(b) - statistics.median(a)
        noise = max(spread(a), spread(b))
        measured = (f"{statistics.median(a) * 1e3:+.0f} and {statistics.median(b) * 1e3:+.0f}"
                    f" ms to the kernel's first line (noise {noise * 1e3:.0f} ms)")
        exits = [stage_median(res, c, "guest", "exit") for c in (base, cfg)]
        if None not in exits:
            measured += f"; ExitBootServices at {exits[0]:.2f} and {exits[1]:.2f} ms guest time"
        out.append((f"cost over direct boot with {gib(cfg)} within noise of {gib(base)}",
                    measured, abs(delta) <= noise))
    return out


def gib(cfg):
    return cfg.mem.replace("G", " GiB")


def overheads(res, cfg):
    """EFI-lite's time to the kernel's first line minus direct boot's, in each run."""
    return [e - d for e, d in zip(res.values(cfg, "efilite", "kernel"),
                                  res.values(cfg, "direct", "kernel"))]


def target_table(res):
    rows = ["| Target | Measured | |", "|---|---|---|"]
    rows += [f"| {t} | {m} | {'PASS' if ok else 'MISS'} |" for t, m, ok in targets(res)]
    return "\n".join(rows)


def command(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def environment(res):
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    pkgs = command("dpkg-query", "-W", "-f", "${Package} ${Version}, ",
                   "qemu-system-arm", "qemu-efi-aarch64", "u-boot-qemu").rstrip(", ")
    return "\n".join([
        f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- Host: {cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
        f"other processes kept {res.others:.2f} CPUs busy on average meanwhile (such load "
        "widens the wall-time ranges; guest time is immune to it)",
        f"- QEMU: {command('qemu-system-aarch64', '--version').splitlines()[0]}, TCG, "
        "`-M virt -cpu cortex-a57`",
        f"- Packages: {pkgs}",
        f"- Kernel: {os.path.basename(res.c.kernel)} ({size_text(os.path.getsize(res.c.kernel))}"
        f" Image), command line `{res.append}`",
        f"- Initramfs: busybox and the counter program, "
        f"{size_text(os.path.getsize(res.c.initrd))} gzipped",
        f"- EFI-lite: {res.version} (from its banner)",
        f"- Boots per contender and configuration: {res.runs} timed (interleaved), "
        f"{len(next(iter(res.guest.values())))} under -icount for guest time",
    ])


def chart(res, path):
    """Time to the kernel's first line and to init, per contender and configuration."""
    data, top = [], 0
    for cfg in res.configs:
        for name in NAMES:
            vals = [res.values(cfg, name, m) for m in ("kernel", "init")]
            data.append(f'"{LABEL[name]}" ' + " ".join(
                f"{statistics.median(v):.4f} {min(v):.4f} {max(v):.4f}" for v in vals))
            top = max(top, *vals[1])
        data += ["", ""]
    plots = []
    for i, cfg in enumerate(res.configs):
        plots.append(
            f'set title "{cfg.name}"\n'
            f"plot $data index {i} using 2:3:4:xtic(1) title 'kernel first line' lc rgb '#4477aa', "
            f"'' index {i} using 5:6:7 title 'init reached' lc rgb '#ee8866'")
    script = f"""$data << EOD
{chr(10).join(data)}
EOD
set terminal pngcairo size {360 * len(res.configs)},380 font ",9"
set output "{path}"
set multiplot layout 1,{len(res.configs)} title "Wall time from QEMU start (s), median and range, TCG"
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 noborder
set yrange [0:{top * 1.3:.2f}]
set grid ytics
set errorbars lc rgb "#333333"
set key top left reverse Left
set xtics rotate by -35 scale 0
{chr(10).join(plots)}
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script.encode(), check=True)


METHOD = """\
## Method

- **Contenders.** The same kernel, initramfs and command line for all.
  *QEMU direct boot*: `-kernel/-initrd/-append` without firmware, the floor.
  *EDK2*: Debian's AAVMF_CODE.fd read-only on flash bank 0 and a fresh copy of
  AAVMF_VARS.fd on bank 1 for every boot, as a CI job starting a new VM has (EDK2 writes
  its boot options on a first boot; a reused store saves it about 0.04 s), with
  `-kernel/-initrd/-append`: EDK2 loads the kernel from fw_cfg and starts its EFI stub. It
  gives the kernel ACPI tables, not the device tree.
  *U-Boot bootefi*: `-bios u-boot.bin` and an environment image made by `mkenvimage` on
  flash bank 1, where qemu_arm64's U-Boot looks for it (256 KiB at the bank's start; with
  any other size the CRC fails and U-Boot silently falls back to its default environment
  and distro boot): `bootdelay=0`, `virtio scan; load virtio 0 ${kernel_addr_r} vmlinuz;
  bootefi ${kernel_addr_r} ${fdtcontroladdr}`, the command line and `initrd=initrd.img`
  (read by the stub through U-Boot's file system protocol) in `bootargs`. Kernel and
  initramfs are files on a FAT image (no partition table) on virtio-blk over virtio-mmio.
  *U-Boot booti*: the same U-Boot, `qfw load` then `booti` from fw_cfg: no EFI, a second
  reference. *EFI-lite*: `-bios build/efilite.bin -kernel/-initrd/-append`.
- **Wall time.** From just before QEMU is started to the arrival on its serial pipe (read
  unbuffered, each chunk stamped with the monotonic clock) of: the first byte (the
  firmware's first output), `EFI stub: Booting Linux Kernel`, the kernel's first line
  `Booting Linux on physical CPU` (printed when earlycon starts), `INIT: reached` (the
  initramfs' init), and QEMU's exit after `poweroff -f`. In milliseconds: median
  (min-max). Each run boots every contender once, in a rotating order; one untimed boot of
  each (the one with `efi=debug` below) warms the host's page cache first. Ratios are of
  medians. QEMU's own start-up is in every figure: with `-kernel` it reads the 26 MiB
  Image and the initramfs before the first instruction runs, which is why U-Boot bootefi
  (no `-kernel`) prints first.
- **Guest time.** With `-icount shift=0,sleep=off` QEMU counts one nanosecond per
  instruction and skips idle time, so guest time does not depend on the host's load. The
  init runs a tiny static program first (tests/bench/cntvct.c, built at bench time) that
  prints CNTVCT_EL0 and CNTFRQ_EL0: guest seconds since the machine started. Each cell
  gives that, then the contender's cost over direct boot (median of each). It is nearly
  but not exactly repeatable: KASLR offsets differ from boot to boot, and virtio
  completions arrive in host time.
- **Firmware RAM at hand-off.** One boot per contender with `efi=debug`, whose kernel
  prints the EFI memory map it received. arm64 Linux takes Loader, Boot Services,
  Conventional and Persistent memory as RAM (`is_usable_memory()`), so boot services
  memory is not counted; everything else that is not MMIO stays the firmware's: Runtime
  Services Code/Data, Reserved, ACPI Reclaim/NVS, and RAM the map leaves out. ACPI Reclaim
  includes the 64 KiB block in which the EFI stub itself keeps the final memory map, so
  every EFI firmware carries that; U-Boot's 1 MiB there is its copy of QEMU's device tree.
- **Image size.** The firmware file without the zero padding that fills a flash bank.
- **Targets.** On 1 CPU / 1 GiB, from the medians. RAM size changes the kernel's own
  early boot (direct boot's too), so the RAM-size target compares EFI-lite's cost over
  direct boot, paired run by run, at 1 GiB and 16 GiB: it passes when the medians differ
  by no more than the larger range of the two ("noise").
- **EFI-lite's stages.** The line EFI-lite prints at ExitBootServices gives microseconds
  since the machine started (the generic timer: in TCG it follows host time, under
  -icount guest time): reset (first instruction), main (C entry, MMU on), dt (device tree
  read, console up), memmap, mmu (run-time tables), efi (system table built), exit
  (ExitBootServices). Between efi and exit EFI-lite loads the kernel and initramfs from
  fw_cfg and the kernel's EFI stub runs.
"""


def write(res, out):
    """Write benchmarks.md and benchmarks.png to OUT; return the text for stdout."""
    os.makedirs(out, exist_ok=True)
    parts = ["## Targets (the project's design targets)", target_table(res)]
    for cfg in res.configs:
        parts += [f"## Wall time, {cfg.name} (ms from QEMU start)", timing_table(res, cfg)]
    parts += ["## Guest time at init (s, -icount), and cost over direct boot",
              guest_table(res),
              "## Image and firmware RAM at hand-off", footprint_table(res),
              "## EFI-lite's boot stages (ms since the machine started, median; each stage's own time in brackets)", stage_table(res)]
    if res.disk:
        parts.append(disk.section(res.disk))
    body = "\n\n".join(parts)
    doc = ("# Boot-time benchmarks\n\n"
           "Generated by `make bench` (tests/bench/bench.py); run it again rather than "
           "editing this page.\n\n## Environment\n\n" + environment(res) + "\n\n"
           "![Time to the kernel's first line and to init](benchmarks.png)\n\n" +
           body + "\n\n" + METHOD + disk.METHOD)
    with open(os.path.join(out, "benchmarks.md"), "w") as f:
        f.write(doc)
    chart(res, os.path.join(out, "benchmarks.png"))
    return body + f"\n\nWritten: {os.path.join(out, 'benchmarks.md')} and benchmarks.png"
