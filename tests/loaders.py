"""The real boot loaders' test disks (issue 16), built at test time without root from
Debian's packages in the cache: GRUB made by grub-mkimage, Debian's signed GRUB reading
an ext4 root, shim 16.1 and its fallback, systemd-boot 252 with a type #1 entry and a
unified kernel image. The firmwares that boot them (EFI-lite, and EDK2 as the oracle),
the Boot#### entries the tests write (EFI_LOAD_OPTION with an HD()-first path, the way
efibootmgr writes it), and the initramfs that reports what the firmware left in the
variables. Shared by tests/test_loaders.py and the bench (tests/bench)."""
import glob
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import diskimg
import initramfs
from loadopt import END, filepath, hd_gpt, setvar_options
from qemu import BUILD, FIRMWARE, boot

CACHE = os.environ.get("EFILITE_CACHE", os.path.expanduser("~/.cache/efilite"))
GRUB_DIR = os.path.join(CACHE, "grub-efi-arm64-bin/usr/lib/grub/arm64-efi")
SIGNED_GRUB = os.path.join(CACHE, "grub-efi-arm64-signed/usr/lib/grub/arm64-efi-signed/"
                           "grubaa64.efi.signed")
SHIM = os.path.join(CACHE, "shim-signed/usr/lib/shim/shimaa64.efi.signed")
FALLBACK = os.path.join(CACHE, "shim-helpers-arm64-signed/usr/lib/shim/fbaa64.efi.signed")
SDBOOT_DIR = os.path.join(CACHE, "systemd-boot-efi/usr/lib/systemd/boot/efi")
SDBOOT = os.path.join(SDBOOT_DIR, "systemd-bootaa64.efi")
SDSTUB = os.path.join(SDBOOT_DIR, "linuxaa64.efi.stub")
SETVAR = os.path.join(BUILD, "efi-apps", "setvar.efi")
AAVMF_CODE = "/usr/share/AAVMF/AAVMF_CODE.fd"
AAVMF_VARS = "/usr/share/AAVMF/AAVMF_VARS.fd"
UBOOT = "/usr/lib/u-boot/qemu_arm64/u-boot.bin"

APPEND = "console=ttyAMA0 earlycon panic=-1"
MIB = 1 << 20
SECTOR = 512

# Every loader disk has the same GPT layout, with fixed GUIDs, so that a Boot#### entry
# (HD() carries the partition's GUID, start and size) and systemd-boot's
# LoaderDevicePartUUID can be checked against it.
DISK_GUID = "6c1f3e2a-8d0b-4f4e-9a57-0e1f7a5b2c10"
ESP_GUID = "2f4a9c61-3b7e-4d05-8c1a-5e6f7081a2b3"
ROOT_GUID = "7d3e5f10-2a4b-4c6d-8e9f-a0b1c2d3e4f5"
ROOT_FS_UUID = "3f2b6a1c-9d4e-4b7a-8c5f-1e2d3c4b5a69"
ESP_START, ESP_BLOCKS = 2048, 64 * MIB // SECTOR     # 1 MiB .. 65 MiB, FAT32
ROOT_START, ROOT_BLOCKS = ESP_START + ESP_BLOCKS, 40 * MIB // SECTOR
DISK_BLOCKS = ROOT_START + ROOT_BLOCKS + 2048        # room for the backup GPT

EFI_GLOBAL = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
LOADER_GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"  # systemd's Loader* variables


def sh(*cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


# ---- the payloads ----

def grub_mkimage(path, config, prefix="/EFI/BOOT"):
    """A GRUB core image with config embedded and the modules it needs built in; its
    root is the device it was loaded from (LoadedImage.DeviceHandle)."""
    cfg = path + ".cfg"
    with open(cfg, "w") as f:
        f.write(config)
    sh("grub-mkimage", "-O", "arm64-efi", "-d", GRUB_DIR, "-o", path, "-c", cfg,
       "-p", prefix, "part_gpt", "fat", "ext2", "linux", "echo", "normal", "search")
    os.remove(cfg)
    return path


def uki(path, kernel, initrd, cmdline):
    """A unified kernel image: systemd's stub with .osrel, .cmdline, .initrd and .linux
    added by objcopy, each section placed after the previous one."""
    work = tempfile.mkdtemp(dir=os.path.dirname(path))
    osrel = os.path.join(work, "os-release")
    with open(osrel, "w") as f:
        f.write('ID=efilite\nNAME="EFI-lite test UKI"\nVERSION_ID=1\nPRETTY_NAME="EFI-lite test UKI"\n')
    cmd = os.path.join(work, "cmdline")
    with open(cmd, "w") as f:
        f.write(cmdline)
    vma, args = 0x20000, []
    for name, src in ((".osrel", osrel), (".cmdline", cmd), (".initrd", initrd),
                      (".linux", kernel)):
        args += ["--add-section", f"{name}={src}", "--change-section-vma", f"{name}={vma:#x}"]
        vma = (vma + os.path.getsize(src) + 0xffff) & ~0xffff
    sh("aarch64-linux-gnu-objcopy", *args, SDSTUB, path)
    shutil.rmtree(work)
    return path


def ext4(path, blocks, tree):
    """An ext4 volume of blocks sectors in a file of its own, holding tree ({path: host
    file or bytes}), with the fixed file-system UUID the stub grub.cfg searches for."""
    root = tempfile.mkdtemp(dir=os.path.dirname(path))
    for dest, src in tree.items():
        full = os.path.join(root, dest.strip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if isinstance(src, bytes):
            with open(full, "wb") as f:
                f.write(src)
        else:
            shutil.copyfile(src, full)
    with open(path, "wb") as f:
        f.truncate(blocks * SECTOR)
    sh("mkfs.ext4", "-q", "-F", "-U", ROOT_FS_UUID, "-L", "root", "-d", root, path)
    shutil.rmtree(root)
    return path


def gpt_disk(path, esp_files, root_tree=None):
    """The loader disk: GPT, partition 1 the ESP (FAT32) holding esp_files, partition 2
    a Linux root (ext4) holding root_tree, or left empty."""
    with open(path, "wb") as f:
        f.truncate(DISK_BLOCKS * SECTOR)
    sh("sgdisk", "-a", "1", "-U", DISK_GUID,
       "-n", f"1:{ESP_START}:{ESP_START + ESP_BLOCKS - 1}", "-t", "1:ef00",
       "-c", "1:EFI system partition", "-u", f"1:{ESP_GUID}",
       "-n", f"2:{ROOT_START}:{ROOT_START + ROOT_BLOCKS - 1}", "-t", "2:8300",
       "-c", "2:root", "-u", f"2:{ROOT_GUID}", path)
    diskimg.fat_volume(path + ".esp", ESP_BLOCKS * SECTOR, SECTOR, esp_files, "ESP")
    diskimg.splice(path, path + ".esp", ESP_START * SECTOR)
    if root_tree:
        diskimg.splice(path, ext4(path + ".root", ROOT_BLOCKS, root_tree),
                       ROOT_START * SECTOR)
    return path


# ---- grub.cfg files: each says where it is, so the log shows the chain ----

def grub_boot_cfg(where, kernel, initrd, tag):
    return (f'echo "EFILITE-GRUB: {tag} config, prefix $prefix root $root"\n'
            f"linux {kernel} {APPEND} loader={tag}\n"
            f'echo "EFILITE-GRUB: {tag}: kernel loaded from {where}"\n'
            f"initrd {initrd}\n"
            f'echo "EFILITE-GRUB: {tag}: initrd loaded, booting"\n'
            "boot\n")


# What grub-install writes beside the signed GRUB: find the root by its UUID, read its
# /boot/grub/grub.cfg.
DEBIAN_STUB_CFG = (f"search.fs_uuid {ROOT_FS_UUID} root hd0,gpt2\n"
                   "set prefix=($root)'/boot/grub'\n"
                   'echo "EFILITE-GRUB: stub grub.cfg found root $root"\n'
                   "configfile $prefix/grub.cfg\n")


def csv(*lines):
    """A BOOTAA64.CSV as shim's fallback reads it: UCS-2 little-endian with a BOM, lines
    of loader,label,options,comment."""
    return ("\ufeff" + "".join(line + "\n" for line in lines)).encode("utf-16-le")


# ---- the Boot#### entry the tests write (tests/loadopt.py encodes it) ----

def esp_path(file):
    """HD(1,GPT,ESP_GUID,...)/File(file): the short form efibootmgr writes."""
    return hd_gpt(1, ESP_START, ESP_BLOCKS, ESP_GUID) + filepath(file) + END


# ---- the initramfs: facts from efivarfs ----

INIT = initramfs.PROLOGUE + r"""echo "INIT: reached"
echo "INIT: cmdline: $(cat /proc/cmdline)"
insmod /lib/modules/$(uname -r)/efivarfs.ko 2>/dev/null
mount -t efivarfs efivarfs /sys/firmware/efi/efivars
for f in /sys/firmware/efi/efivars/*; do
    case ${f##*/} in
    Boot*-GLOBAL|Loader*-LOADER|Stub*-LOADER|FB_NO_REBOOT*|MokListRT*)
        echo "INIT: var ${f##*/} $(od -An -tx1 -v $f | tr -d ' \n')";;
    esac
done
echo "INIT: done"
poweroff -f
""".replace("GLOBAL", EFI_GLOBAL).replace("LOADER", LOADER_GUID)

VAR_RE = re.compile(r"^INIT: var (\w+)-([0-9a-f-]{36}) ([0-9a-f]*)$", re.M)


def variables(log):
    """{name: value} of the variables the initramfs listed (attributes stripped)."""
    return {m[1]: bytes.fromhex(m[3])[4:] for m in VAR_RE.finditer(log)}


def text_var(value):
    """A Loader* variable's UCS-2 text."""
    return value.decode("utf-16-le").rstrip("\0")


def build_initrd(path):
    modules = [(m.split(os.sep)[-5], m) for m in glob.glob(os.path.join(
        CACHE, "linux-image-*", "lib", "modules", "*", "kernel", "fs", "efivarfs", "efivarfs.ko"))]
    return initramfs.build(path, os.path.join(CACHE, "busybox-static", "bin", "busybox"),
                           init=INIT, modules=modules)


def cloud_kernel():
    found = sorted(glob.glob(os.path.join(CACHE, "linux-image-cloud-arm64", "boot", "vmlinuz-*")))
    if not found:
        raise RuntimeError(f"no cloud kernel in {CACHE}: run tools/setup")
    return found[-1]


# ---- the disks ----

def grub_esp_files(work, kernel, initrd):
    """grub-mkimage's GRUB as the removable-media loader, kernel and initrd beside it."""
    cfg = grub_boot_cfg("the ESP", "/vmlinuz", "/initrd.img", "embedded")
    return {"/EFI/BOOT/BOOTAA64.EFI": grub_mkimage(os.path.join(work, "grub-mkimage.efi"), cfg),
            "/vmlinuz": kernel, "/initrd.img": initrd}


def debian_root(kernel, initrd):
    cfg = grub_boot_cfg("ext4", "/boot/vmlinuz", "/boot/initrd.img", "ext4")
    return {"/boot/vmlinuz": kernel, "/boot/initrd.img": initrd,
            "/boot/grub/grub.cfg": cfg.encode(), "/etc/hostname": b"efilite-test\n"}


def debian_esp_files():
    """What Debian's grub-install (with shim) leaves in \\EFI\\debian."""
    return {"/EFI/debian/grubaa64.efi": SIGNED_GRUB, "/EFI/debian/shimaa64.efi": SHIM,
            "/EFI/debian/grub.cfg": DEBIAN_STUB_CFG.encode(),
            "/EFI/debian/BOOTAA64.CSV": csv("shimaa64.efi,debian,,This is the boot entry for debian")}


def sdboot_esp_files(work, kernel, initrd, default):
    """systemd-boot as the removable-media loader with a type #1 entry and a UKI;
    default picks the one it boots (timeout 0: no menu)."""
    return {
        "/EFI/BOOT/BOOTAA64.EFI": SDBOOT,
        "/loader/loader.conf": f"timeout 0\ndefault {default}\n".encode(),
        "/loader/entries/efilite-type1.conf": (
            "title EFI-lite type #1 entry\nlinux /vmlinuz\ninitrd /initrd.img\n"
            f"options {APPEND} loader=type1\n").encode(),
        "/vmlinuz": kernel, "/initrd.img": initrd,
        "/EFI/Linux/efilite-uki.efi": uki(os.path.join(work, "uki.efi"), kernel, initrd,
                                           f"{APPEND} loader=uki"),
    }


# ---- the firmwares ----

@dataclass(frozen=True)
class Firmware:
    name: str
    bios: str
    vars_template: str      # None: a blank 64 MiB bank, which the firmware formats
    efi_line: str           # how the kernel names it: "efi: EFI v2.100 by EFI-lite"
    banner: str             # a regex for its first line: once per start of the machine

    def vars_file(self, path):
        if self.vars_template:
            shutil.copyfile(self.vars_template, path)
        else:
            with open(path, "wb") as f:
                f.truncate(64 * MIB)
        return str(path)


EFILITE = Firmware("efilite", FIRMWARE, None, "efi: EFI v2.100 by EFI-lite",
                   r"^EFI-lite \S+ at EL\d")
EDK2 = Firmware("edk2", AAVMF_CODE, AAVMF_VARS, "efi: EFI v2.70 by EDK II",
                r"^UEFI firmware \(version")
FIRMWARES = {f.name: f for f in (EFILITE, EDK2)}


def drive(disk):
    """The disk, shared by the session's tests: what a firmware or loader writes (a
    random seed, say) goes to a throw-away overlay."""
    return ["-drive", f"if=virtio,format=raw,snapshot=on,file={disk}"]


def pflash(vars_path):
    return ["-drive", f"if=pflash,unit=1,format=raw,file={vars_path}"]


def boot_disk(fw, disk, vars_path, timeout=240, **kw):
    """Boot fw from disk with vars_path as its variable store (-no-reboot: a reset ends
    QEMU). The timeout is generous: the oracle takes 15 s in TCG on an idle host."""
    return boot(bios=fw.bios, timeout=timeout, extra=pflash(vars_path) + drive(disk) +
                list(kw.pop("extra", ())), **kw)


def set_variables(fw, vars_path, variables, timeout=120):
    """Write variables into fw's store through setvar.efi (-kernel)."""
    run = boot(bios=fw.bios, kernel=SETVAR, append=setvar_options(variables),
               extra=pflash(vars_path), timeout=timeout)
    for name in variables:
        assert f"setvar: {name}: Success" in run.log, run.log
    return run
