"""`make bench`'s disk section: the same two disk images (tests/loaders.py) booted by
EFI-lite, EDK2 and U-Boot: GRUB from the ESP, and systemd-boot with a UKI. A boot that
fails (EFI-lite before the W^X and boot-manager work of issue 16) is a "failed" row,
not the end of the bench."""
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import initramfs                                    # noqa: E402  (tests/initramfs.py)
import loaders                                      # noqa: E402  (tests/loaders.py)
from contenders import (AAVMF_CODE, FLASH_BANK, UBOOT, UBOOT_ADDRS,  # noqa: E402
                        UBOOT_ENV_SIZE, machine)
import timing                                       # noqa: E402

FIRMWARES = [("efilite", "EFI-lite"), ("edk2", "EDK2 (AAVMF)"), ("uboot", "U-Boot")]
IMAGES = [("grub", "GRUB (grub-mkimage) from the ESP"),
          ("sdboot", "systemd-boot 252 and a UKI")]
# Where the loader starts: GRUB greets; systemd-boot with timeout 0 prints nothing, so
# the firmware's own line announcing the image it starts stands in for it.
HANDOFF = {"efilite": b"EFI-lite: booting", "edk2": b"BdsDxe: starting",
           "uboot": b"Booting /"}
LOADER_MARKER = {"grub": lambda fw: b"Welcome to GRUB!", "sdboot": lambda fw: HANDOFF[fw]}
COLUMNS = [("loader", "loader"), ("stub", "EFI stub"), ("kernel", "kernel"),
           ("init", "init"), ("exit", "QEMU exit")]
TARGET_EDK2, TARGET_UBOOT, TARGET_FW_GUEST = 5.0, 2.0, 0.020

# The counter first, as in the fw_cfg section; then systemd-boot's own reading of the
# same counter when it started (the Boot Loader Interface's LoaderTimeInitUSec).
INIT = """#!/bin/busybox sh
/bin/cntvct
echo "INIT: reached"
/bin/busybox mkdir -p /proc /sys
/bin/busybox mount -t sysfs sys /sys
/bin/busybox insmod /lib/modules/$(/bin/busybox uname -r)/efivarfs.ko 2>/dev/null
/bin/busybox mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
f=/sys/firmware/efi/efivars/LoaderTimeInitUSec-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
[ -e $f ] && echo "BENCH: LoaderTimeInitUSec $(/bin/busybox tail -c +5 $f | /bin/busybox tr -d '\\000')"
exec /bin/busybox poweroff -f
"""
LOADER_USEC_RE = re.compile(rb"BENCH: LoaderTimeInitUSec (\d+)")
# The kernel's clock starts at 0 in time_init(), early in start_kernel: the guest
# counter at init minus the kernel's own stamp on running init is when that was.
RUN_INIT_RE = re.compile(rb"\[\s*(\d+\.\d+)\] Run /init as init process")


def build_initrd(work, cntvct):
    """busybox, the counter program and efivarfs.ko, with the INIT above."""
    with open(cntvct, "rb") as f:
        files = [("bin/cntvct", 0o100755, f.read())]
    modules = [(m.split(os.sep)[-5], m) for m in glob.glob(os.path.join(
        loaders.CACHE, "linux-image-cloud-arm64", "lib", "modules", "*", "kernel", "fs",
        "efivarfs", "efivarfs.ko"))]
    return initramfs.build(os.path.join(work, "disk-initrd.cpio.gz"),
                           os.path.join(loaders.CACHE, "busybox-static/bin/busybox"),
                           init=INIT, files=files, modules=modules)


class DiskBench:
    """The two images and each firmware's QEMU command for them."""

    def __init__(self, work, kernel, cntvct, efilite):
        self.work, self.kernel, self.efilite = work, kernel, efilite
        self.dir = os.path.join(work, "disk")
        os.makedirs(self.dir, exist_ok=True)
        self.initrd = build_initrd(self.dir, cntvct)
        self.images = {
            "grub": loaders.gpt_disk(os.path.join(self.dir, "grub.img"),
                                     loaders.grub_esp_files(self.dir, kernel, self.initrd)),
            "sdboot": loaders.gpt_disk(os.path.join(self.dir, "sdboot.img"),
                                       loaders.sdboot_esp_files(self.dir, kernel, self.initrd,
                                                                "efilite-uki.efi")),
        }
        self.env = self._uboot_env()
        # EDK2 waits out its boot-manager timeout (5 s) before it boots from disk; with
        # U-Boot's bootdelay=0 beside it, the fair store is one whose Timeout is 0.
        self.edk2_vars = loaders.EDK2.vars_file(os.path.join(self.dir, "edk2-timeout0.fd"))
        loaders.set_variables(loaders.EDK2, self.edk2_vars, {"Timeout": b"\0\0"})

    def cmd(self, fw, image, cfg):
        # virtio-mmio for all three: the transport U-Boot's `virtio` command reads.
        disk = ["-drive", f"if=none,id=disk,format=raw,snapshot=on,file={self.images[image]}",
                "-device", "virtio-blk-device,drive=disk"]
        vars_copy = os.path.join(self.dir, f"{fw}-vars.fd")
        if fw == "efilite":         # a blank store each boot, formatted at first boot
            if os.path.exists(vars_copy):
                os.remove(vars_copy)
            with open(vars_copy, "wb") as f:
                f.truncate(FLASH_BANK)
            fwargs = ["-bios", self.efilite,
                      "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]
        elif fw == "edk2":          # a fresh copy each boot, as a new VM has
            shutil.copyfile(self.edk2_vars, vars_copy)
            fwargs = ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={AAVMF_CODE}",
                      "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]
        else:
            fwargs = ["-bios", UBOOT,
                      "-drive", f"if=pflash,format=raw,unit=1,readonly=on,file={self.env}"]
        return machine(cfg) + fwargs + disk

    def _uboot_env(self):
        """What U-Boot's distro boot does for a removable-media loader, without the
        device scan: load \\EFI\\BOOT\\BOOTAA64.EFI from the ESP (which makes the ESP the
        image's device) and bootefi it with QEMU's device tree."""
        path = os.path.join(self.dir, "uboot-env.img")
        text = ("bootdelay=0\n" + UBOOT_ADDRS +
                "bootcmd=virtio scan; load virtio 0:1 ${kernel_addr_r} /EFI/BOOT/BOOTAA64.EFI; "
                "bootefi ${kernel_addr_r} ${fdtcontroladdr}\n")
        subprocess.run(["mkenvimage", "-s", hex(UBOOT_ENV_SIZE), "-o", path, "-"],
                       input=text.encode(), check=True)
        os.truncate(path, FLASH_BANK)
        return path


def problem(boot):
    """Why a disk boot does not count, or None."""
    return ("timed out" if boot.timed_out else
            "init was not reached" if "init" not in boot.times else
            "the EFI stub did not run" if "stub" not in boot.times else
            f"QEMU exited with {boot.returncode}" if boot.returncode else
            "no counter line from init" if timing.guest_seconds(boot.log) is None else None)


class DiskResults:
    def __init__(self, cfg, runs):
        self.cfg, self.runs = cfg, runs
        self.times = {}      # (image, fw) -> [{milestone: s}]
        self.guest = {}      # (image, fw) -> [guest s at (init, loader, kernel clock)]
        self.failed = {}     # (image, fw) -> why (the first failure)

    def add(self, image, fw, boot, icount):
        why = problem(boot)
        if why:
            self.failed.setdefault((image, fw), why)
            return why
        if icount:
            init, m = timing.guest_seconds(boot.log), LOADER_USEC_RE.search(boot.log)
            k = RUN_INIT_RE.search(boot.log)
            self.guest.setdefault((image, fw), []).append(
                (init, int(m[1]) / 1e6 if m else None, init - float(k[1]) if k else None))
        else:
            self.times.setdefault((image, fw), []).append(boot.times)
        return None

    def ok(self, image, fw):
        return (image, fw) not in self.failed and (image, fw) in self.times

    def values(self, image, fw, milestone):
        return [t[milestone] for t in self.times.get((image, fw), []) if milestone in t]

    def median(self, image, fw, milestone):
        v = self.values(image, fw, milestone)
        return statistics.median(v) if v else None

    def guest_values(self, image, fw, which):
        return [g[which] for g in self.guest.get((image, fw), []) if g[which] is not None]


def run(bench, cfg, runs, icount_runs, icount_args, logs, progress):
    """Boot every image with every firmware, interleaved; an icount pass after."""
    res = DiskResults(cfg, runs)
    for i in range(runs + icount_runs):
        icount = i >= runs
        order = FIRMWARES[i % len(FIRMWARES):] + FIRMWARES[:i % len(FIRMWARES)]
        for image, _ in IMAGES:
            for fw, label in order:
                if (image, fw) in res.failed:       # a failed boot fails the same way
                    progress(f"disk {image}: {label} skipped (failed before)")
                    continue
                markers = [("loader", LOADER_MARKER[image](fw))] + timing.MARKERS
                cmd = bench.cmd(fw, image, cfg) + (icount_args if icount else [])
                b = timing.timed_boot(cmd, 300, markers)
                kind = "icount" if icount else "timed"
                with open(os.path.join(logs, f"disk-{image}-{fw}-{kind}.log"), "wb") as f:
                    f.write(b.log)
                why = res.add(image, fw, b, icount)
                progress(f"disk {image}, {kind} {i + 1}: {label} " +
                         (f"failed: {why}" if why else
                          f"kernel {b.times['kernel']:.3f} s, init {b.times['init']:.3f} s"))
    return res


def guest_ratio(res, image, peer):
    """The peer's guest time to the kernel's clock over EFI-lite's, as text."""
    a, b = res.guest_values(image, peer, 2), res.guest_values(image, "efilite", 2)
    return f"{statistics.median(a) / statistics.median(b):.1f}x" if a and b else "-"


def table(res, image):
    head = ("| Firmware | " + " | ".join(t for _, t in COLUMNS) +
            " | guest: loader started | guest: kernel's clock | guest: init"
            " | EFI-lite sooner (kernel / init; guest kernel) |")
    rows = [head, "|---" * (len(COLUMNS) + 5) + "|"]
    for fw, label in FIRMWARES:
        if not res.ok(image, fw):
            why = res.failed.get((image, fw), "not run")
            rows.append(f"| {label} | failed ({why}) |" + " |" * (len(COLUMNS) + 3))
            continue
        cells = [label] + [timing.ms(res.values(image, fw, m)) for m, _ in COLUMNS]
        cells += [timing.ms(res.guest_values(image, fw, i)) for i in (1, 2, 0)]
        if fw != "efilite" and res.ok(image, "efilite"):
            cells.append(" / ".join(
                f"{res.median(image, fw, m) / res.median(image, 'efilite', m):.1f}x"
                for m in ("kernel", "init")) + f"; {guest_ratio(res, image, fw)}")
        else:
            cells.append("-")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def targets(res):
    """(target, measured, passed) for DESIGN.md §7's disk-boot targets; passed is None
    when EFI-lite (or the peer) did not boot."""
    out = []
    for image, label in IMAGES:
        for peer, name, ratio in (("edk2", "EDK2", TARGET_EDK2), ("uboot", "U-Boot", TARGET_UBOOT)):
            t = f"disk, {label}: kernel's first line at least {ratio:.0f}x sooner than {name}"
            if res.ok(image, "efilite") and res.ok(image, peer):
                r = res.median(image, peer, "kernel") / res.median(image, "efilite", "kernel")
                out.append((t, f"{r:.2f}x (guest time: {guest_ratio(res, image, peer)})",
                            r >= ratio))
            else:
                out.append((t, "failed to boot", None))
    g = res.guest_values("sdboot", "efilite", 1)
    t = (f"disk: firmware time before the boot loader starts under {TARGET_FW_GUEST * 1e3:.0f}"
         " ms guest time (systemd-boot's LoaderTimeInitUSec)")
    out.append((t, f"{statistics.median(g) * 1e3:.1f} ms", statistics.median(g) < TARGET_FW_GUEST)
               if g else (t, "failed to boot", None))
    return out


def section(res):
    parts = [f"## Disk boot, {res.cfg.name} (ms from QEMU start; guest ms under -icount)"]
    for image, label in IMAGES:
        parts += [f"### {label}", table(res, image)]
    rows = ["| Target | Measured | |", "|---|---|---|"]
    rows += [f"| {t} | {m} | {'-' if ok is None else 'PASS' if ok else 'MISS'} |"
             for t, m, ok in targets(res)]
    return "\n\n".join(parts + ["Disk-boot targets:", "\n".join(rows)])


METHOD = """\
- **Disk boot.** Two GPT disk images made by tests/loaders.py, each booted by all three
  firmwares on virtio-blk over virtio-mmio (`-drive ...,snapshot=on`, so nothing a run
  writes reaches the next): *GRUB*, grub-mkimage's core image with an embedded config as
  `\\EFI\\BOOT\\BOOTAA64.EFI`, which reads the kernel and the initramfs from the FAT ESP;
  *systemd-boot*, systemd-boot 252 as `\\EFI\\BOOT\\BOOTAA64.EFI` (`timeout 0`) starting a
  UKI in `\\EFI\\Linux` (systemd's stub, the same kernel, initramfs and command line, made
  with objcopy). EFI-lite and EDK2 find the removable-media loader themselves, each with a
  fresh variable store: EFI-lite's blank, EDK2's a copy of AAVMF_VARS.fd in which
  tests/efi/setvar.efi set `Timeout` to 0 once (otherwise EDK2 waits out its 5 s boot
  timeout before it boots from disk: 5.4 s guest time to systemd-boot instead of 0.4 s;
  U-Boot has `bootdelay=0` and EFI-lite no timeout, so none of them waits); U-Boot's
  environment loads the file from partition 1 and runs `bootefi` with QEMU's device
  tree, what its distro boot does without the device scan. The initramfs is the fw_cfg
  section's plus efivarfs. Milestones as above, and *loader*: GRUB's `Welcome to GRUB!`;
  systemd-boot prints nothing with timeout 0, so there the firmware's line naming the
  image it starts (`EFI-lite: booting`, EDK2's `BdsDxe: starting`, U-Boot's `Booting /`).
  In guest time (-icount): init as above; *loader started*, systemd-boot's own reading
  of the generic timer when it started (`LoaderTimeInitUSec`, read from efivarfs by the
  init), which is the firmware's guest time before a loader runs; and *kernel's clock*,
  the guest counter at init minus the kernel's own timestamp on `Run /init as init
  process`: when the kernel's clock started at 0 in `time_init()`, early in
  `start_kernel`, a stand-in for the kernel's first line that host load hardly moves
  (it comes a little later, and the init's shell start-up is in it, the same for every
  firmware). The targets are judged on wall time, as in the fw_cfg section; the
  guest-time ratio of the kernel's clock is given beside them. A firmware that fails to
  boot an image gets a "failed" row with the reason, and is not tried again on that
  image.
"""
