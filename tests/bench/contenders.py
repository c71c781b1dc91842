"""The ways `make bench` boots one kernel and initramfs: QEMU's direct boot, EDK2, U-Boot's
EFI and booti paths, and EFI-lite. Each contender turns a machine configuration and a
kernel command line into a QEMU command; what it needs on disk is made once, in WORK."""
import os
import shutil
import subprocess
from dataclasses import dataclass

AAVMF_CODE = "/usr/share/AAVMF/AAVMF_CODE.fd"
AAVMF_VARS = "/usr/share/AAVMF/AAVMF_VARS.fd"
UBOOT = "/usr/lib/u-boot/qemu_arm64/u-boot.bin"

# A -drive if=pflash must fill a virt flash bank exactly.
FLASH_BANK = 64 << 20
# qemu_arm64's U-Boot reads its environment from the first 256 KiB of flash bank 1; an
# image of any other size fails the CRC and U-Boot falls back, with only a warning, to
# its built-in environment (bootdelay=2, distro boot).
UBOOT_ENV_SIZE = 0x40000
# Its default ramdisk_addr_r leaves 60 MiB for the kernel; Debian's Image is 26 MiB and
# the bench must not depend on that margin.
UBOOT_ADDRS = "kernel_addr_r=0x40400000\nramdisk_addr_r=0x48000000\n"


@dataclass(frozen=True)
class Config:
    name: str
    smp: int
    mem: str    # QEMU's -m, in GiB

    @property
    def ram(self):
        return int(self.mem.rstrip("G")) << 30


CONFIGS = [Config("1 CPU / 1 GiB", 1, "1G"), Config("4 CPUs / 1 GiB", 4, "1G"),
           Config("1 CPU / 16 GiB", 1, "16G")]


def machine(cfg):
    return ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-m", cfg.mem,
            "-smp", str(cfg.smp), "-display", "none", "-serial", "stdio",
            "-monitor", "none", "-net", "none", "-no-reboot"]


# Contender, its label in the tables, whether the kernel's EFI stub runs.
CONTENDERS = [("direct", "QEMU direct boot", False), ("edk2", "EDK2 (AAVMF)", True),
              ("uboot-efi", "U-Boot bootefi", True), ("uboot-booti", "U-Boot booti", False),
              ("efilite", "EFI-lite", True)]
LABEL = {name: label for name, label, _ in CONTENDERS}
EFI = {name for name, _, efi in CONTENDERS if efi}


class Contenders:
    """Every contender's QEMU command for one kernel and initramfs."""

    def __init__(self, work, kernel, initrd, efilite):
        self.work, self.kernel, self.initrd = work, kernel, initrd
        self.firmware = {"direct": None, "edk2": AAVMF_CODE, "uboot-efi": UBOOT,
                         "uboot-booti": UBOOT, "efilite": efilite}
        self.disk = None
        self.envs = {}
        missing = [f for f in (AAVMF_CODE, AAVMF_VARS, UBOOT, efilite, kernel, initrd)
                   if not os.path.exists(f)]
        missing += [t for t in ("mkenvimage", "mkfs.vfat", "mcopy") if not shutil.which(t)]
        if missing:
            raise SystemExit(f"bench: missing {', '.join(missing)}: run tools/setup")

    def cmd(self, name, cfg, append):
        return machine(cfg) + getattr(self, name.replace("-", "_"))(append)

    def _fw_cfg(self, append):
        return ["-kernel", self.kernel, "-initrd", self.initrd, "-append", append]

    def direct(self, append):
        return self._fw_cfg(append)

    def edk2(self, append):
        # A fresh variable store each boot, as a CI job starting a new VM has.
        vars_copy = os.path.join(self.work, "edk2-vars.fd")
        shutil.copyfile(AAVMF_VARS, vars_copy)
        return ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={AAVMF_CODE}",
                "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"] + \
            self._fw_cfg(append)

    def uboot_efi(self, append):
        # The command line reaches bootefi as bootargs; initrd= is for the stub, which
        # reads the file through the loaded image's EFI_SIMPLE_FILE_SYSTEM.
        env = self._uboot_env(
            f"bootargs={append} initrd=initrd.img\n"
            "bootcmd=virtio scan; load virtio 0 ${kernel_addr_r} vmlinuz; "
            "bootefi ${kernel_addr_r} ${fdtcontroladdr}\n")
        return ["-bios", UBOOT, "-drive", f"if=pflash,format=raw,unit=1,readonly=on,file={env}",
                "-drive", f"if=none,format=raw,readonly=on,id=esp,file={self._disk()}",
                "-device", "virtio-blk-device,drive=esp"]

    def uboot_booti(self, append):
        # qfw load takes kernel, initrd and command line (as bootargs) from fw_cfg.
        env = self._uboot_env(
            "bootcmd=qfw load ${kernel_addr_r} ${ramdisk_addr_r}; "
            "booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ${fdtcontroladdr}\n")
        return ["-bios", UBOOT, "-drive", f"if=pflash,format=raw,unit=1,readonly=on,file={env}"] + \
            self._fw_cfg(append)

    def efilite(self, append):
        return ["-bios", self.firmware["efilite"]] + self._fw_cfg(append)

    def _uboot_env(self, script):
        text = "bootdelay=0\n" + UBOOT_ADDRS + script
        if text not in self.envs:
            path = os.path.join(self.work, f"uboot-env{len(self.envs)}.img")
            subprocess.run(["mkenvimage", "-s", hex(UBOOT_ENV_SIZE), "-o", path, "-"],
                           input=text.encode(), check=True)
            os.truncate(path, FLASH_BANK)
            self.envs[text] = path
        return self.envs[text]

    def _disk(self):
        """A FAT file system (no partition table) holding the kernel and the initramfs."""
        if self.disk is None:
            self.disk = os.path.join(self.work, "esp.img")
            size = os.path.getsize(self.kernel) + os.path.getsize(self.initrd) + (8 << 20)
            if os.path.exists(self.disk):
                os.remove(self.disk)
            subprocess.run(["mkfs.vfat", "-C", self.disk, str(size >> 10)], check=True,
                           stdout=subprocess.DEVNULL)
            for src, dst in ((self.kernel, "::vmlinuz"), (self.initrd, "::initrd.img")):
                subprocess.run(["mcopy", "-i", self.disk, src, dst], check=True)
        return self.disk
