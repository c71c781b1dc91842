import glob
import os
import pytest
from qemu import BUILD
import initramfs

CACHE = os.environ.get("EFILITE_CACHE", os.path.expanduser("~/.cache/efilite"))


def kernel(flavour):
    found = sorted(glob.glob(os.path.join(CACHE, f"linux-image-{flavour}", "boot", "vmlinuz-*")))
    if not found:
        pytest.fail(f"no {flavour} kernel in {CACHE}: run tools/setup")
    return found[-1]


@pytest.fixture(scope="session")
def cloud_kernel():
    return kernel("cloud-arm64")


@pytest.fixture(scope="session")
def generic_kernel():
    return kernel("arm64")


@pytest.fixture(scope="session")
def initrd():
    busybox = os.path.join(CACHE, "busybox-static", "bin", "busybox")
    # efivarfs is a module in Debian's kernels: bring it for each kernel in the cache.
    modules = [(m.split(os.sep)[-5], m) for m in glob.glob(os.path.join(
        CACHE, "linux-image-*", "lib", "modules", "*", "kernel", "fs", "efivarfs", "efivarfs.ko"))]
    return initramfs.build(os.path.join(BUILD, "test-initrd.cpio.gz"), busybox, modules=modules)


@pytest.fixture(scope="session")
def make_disk(tmp_path_factory):
    """A GPT disk with an ESP holding files, in tests/testdisk.py's fixed layout:
    make_disk("name", {"EFI/BOOT/BOOTAA64.EFI": path_or_bytes}, label="...") -> path.
    Built once per name in the session; copy it if the firmware is going to write."""
    import testdisk
    d, made = tmp_path_factory.mktemp("testdisks"), {}

    def make(name, files, label="SELFTEST"):
        if name not in made:
            made[name] = testdisk.build(str(d / f"{name}.img"), files, label)
        return made[name]
    return make
