"""Disk images made at test time, without root, loop devices or mounts: the partition
table from sgdisk (GPT), sfdisk (MBR) or fdisk (4 KiB sectors), the ESP made as a file of
its own with mkfs.vfat and filled with mtools, then spliced in at its offset."""
import os
import re
import subprocess

MIB = 1 << 20


def sh(*cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def partition(path, scheme, sector, first):
    """Make the table with one ESP from block first; return (first, blocks)."""
    if scheme == "mbr":
        sh("sh", "-c", f"echo 'label: dos\nstart={first}, type=ef' | sfdisk -q {path}")
        out = subprocess.run(["sfdisk", "-d", path], capture_output=True, text=True).stdout
        m = re.search(r"start=\s*(\d+), size=\s*(\d+)", out)
    elif sector == 512:
        sh("sgdisk", "-n", f"1:{first}:0", "-t", "1:ef00", "-c", "1:EFI system", path)
        out = subprocess.run(["sgdisk", "-i", "1", path], capture_output=True, text=True).stdout
        m = re.search(r"First sector: (\d+).*?Last sector: (\d+)", out, re.S)
        return int(m[1]), int(m[2]) - int(m[1]) + 1
    else:                       # sgdisk knows only 512-byte sectors; fdisk takes -b
        sh("sh", "-c", f"printf 'g\\nn\\n1\\n{first}\\n\\nt\\n1\\nw\\n' | fdisk -b {sector} {path}")
        out = subprocess.run(["fdisk", "-b", str(sector), "-l", path], capture_output=True,
                             text=True).stdout
        m = re.search(re.escape(path) + r"1\s+(\d+)\s+\d+\s+(\d+)", out)
    return int(m[1]), int(m[2])


def fat_volume(path, size, sector, files, label="ESP"):
    """A FAT volume of size bytes in its own file, holding files."""
    with open(path, "wb") as f:
        f.truncate(size)
    # mtools reads 4 KiB-sector volumes only as FAT16 with one sector per cluster, and
    # mkfs.vfat makes small FAT16 volumes only with one; FAT32 from 64 MiB.
    if sector == 512 and size >= 64 * MIB:
        fmt = ["-F", "32"]
    elif sector == 512 and size >= 32 * MIB:
        fmt = ["-F", "16"]
    else:
        fmt = ["-F", "16", "-s", "1"]
    sh("mkfs.vfat", *fmt, "-S", str(sector), "-n", label, path)
    made = set()
    for dest, src in files.items():
        parts = dest.strip("/").split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in made:
                subprocess.run(["mmd", "-i", path, "::/" + d], stderr=subprocess.DEVNULL)
                made.add(d)
        if isinstance(src, bytes):
            tmp = path + ".file"
            with open(tmp, "wb") as f:
                f.write(src)
            src = tmp
        sh("mcopy", "-o", "-i", path, src, "::/" + "/".join(parts))
    if os.path.exists(path + ".file"):
        os.remove(path + ".file")


def splice(path, volume, offset):
    """Write the file volume into the disk image path at byte offset, then delete it."""
    sh("dd", f"if={volume}", f"of={path}", "bs=1M", f"seek={offset}", "oflag=seek_bytes",
       "conv=notrunc,sparse")
    os.remove(volume)


def esp(path, files, size_mib=64, scheme="gpt", sector=512, start_mib=1):
    """A disk of size_mib with one ESP holding files ({"/EFI/BOOT/BOOTAA64.EFI": host path
    or bytes}), from start_mib to (nearly) the end. Returns path."""
    with open(path, "wb") as f:
        f.truncate(size_mib * MIB)
    first, blocks = partition(path, scheme, sector, start_mib * MIB // sector)
    vol = path + ".esp"
    fat_volume(vol, blocks * sector, sector, files)
    splice(path, vol, first * sector)
    return path
