"""Test disks built at test time without root: a GPT disk (sgdisk) whose first partition is
an EFI system partition made as a volume of its own and spliced in (tests/diskimg.py).
The layout is fixed, because the in-guest self-test (tests/efi/selftest/disk.h) checks the
partitions' device paths against it: keep the two in step.

    LBA 2048,  65536 blocks: partition 1, ESP (ef00), FAT16, label LABEL (default SELFTEST)
    LBA 67584, 32768 blocks: partition 2, Linux data (8300), left empty
    131072 blocks of 512 bytes in all (64 MiB)

build(path, files) makes one such disk; the session fixture in conftest.py makes the
self-test's two (a writable one and one for -drive ...,readonly=on)."""
import os
import subprocess
import diskimg

SECTOR = 512
DISK_BLOCKS = 131072
ESP_START, ESP_BLOCKS = 2048, 65536
DATA_START, DATA_BLOCKS = 67584, 32768

# What the self-test expects on its disks (file.c): a file with a long, mixed-case name
# and known contents, and a directory with a few entries.
HELLO_NAME = "Hello-Long-Name.txt"
HELLO_TEXT = b"EFI-lite self-test: a file on the ESP, read through EFI_FILE_PROTOCOL.\n" * 3
CHILD_PATH = "EFI/selftest/Child-Image.efi"     # the self-test's child image, for LoadImage


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def build(path, files, label="SELFTEST"):
    """Create the disk at path. files: {"DIR/NAME": bytes or a host file's path}; their
    directories are made on the ESP as needed. Returns path."""
    with open(path, "wb") as f:
        f.truncate(DISK_BLOCKS * SECTOR)
    run("sgdisk", "-a", "1",
        "-n", f"1:{ESP_START}:{ESP_START + ESP_BLOCKS - 1}", "-t", "1:ef00", "-c", "1:ESP",
        "-n", f"2:{DATA_START}:{DATA_START + DATA_BLOCKS - 1}", "-t", "2:8300",
        "-c", "2:data", str(path))
    vol = f"{path}.esp"
    diskimg.fat_volume(vol, ESP_BLOCKS * SECTOR, SECTOR, files, label)
    diskimg.splice(str(path), vol, ESP_START * SECTOR)
    return path


def selftest_files(child_efi):
    return {HELLO_NAME: HELLO_TEXT, "Dir/One.txt": b"one\n", "Dir/Two.txt": b"two\n",
            CHILD_PATH: child_efi}


def selftest_disks(directory, child_efi):
    """The self-test's writable disk and its read-only one, as QEMU arguments."""
    rw = build(os.path.join(directory, "selftest-rw.img"), selftest_files(child_efi))
    ro = build(os.path.join(directory, "selftest-ro.img"), selftest_files(child_efi),
               label="READONLY")
    return ["-drive", f"if=virtio,format=raw,file={rw}",
            "-drive", f"if=virtio,format=raw,readonly=on,file={ro}"]


def esp_fsck(path):
    """fsck.vfat -n of the disk's ESP (dosfstools 4.2 has no --offset: check a copy of
    the partition). Returns (exit code, output); 0 is a clean file system."""
    copy = f"{path}.esp"
    with open(path, "rb") as src, open(copy, "wb") as dst:
        src.seek(ESP_START * SECTOR)
        dst.write(src.read(ESP_BLOCKS * SECTOR))
    p = subprocess.run(["fsck.vfat", "-n", copy], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    os.unlink(copy)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def esp_listing(path):
    """The ESP's root directory as mtools lists it (long names)."""
    p = subprocess.run(["mdir", "-i", f"{path}@@{ESP_START * SECTOR}", "-b", "::/"],
                       check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return sorted(line[3:] for line in p.stdout.decode().splitlines() if line)
