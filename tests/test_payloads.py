"""What -kernel can hold besides a good Linux Image: an EFI application built with
Debian's gnu-efi, and broken kernels, which must give a clear message and a power-off."""
import os
import struct
import pytest
from qemu import BUILD, boot

HELLO = os.path.join(BUILD, "efi-apps", "hello.efi")


def test_gnu_efi_application_runs_and_returns():
    run = boot(kernel=HELLO, append="app-option ü", timeout=30)
    assert not run.timed_out and run.returncode == 0, run.log
    assert "hello from a gnu-efi application" in run.log, run.log
    assert "load options: app-option ü" in run.log, run.log
    assert ("EFI-lite: the EFI application returned EFI_WARN_UNKNOWN_GLYPH (0x1): powering off"
            in run.log), run.log


def corrupted(kernel, tmp_path, name, edit):
    data = bytearray(open(kernel, "rb").read())
    edit(data)
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def pe_offset(data):
    return struct.unpack_from("<I", data, 0x3c)[0]


@pytest.mark.parametrize("name,edit,message", [
    ("bad-pe-signature", lambda d: d.__setitem__(slice(pe_offset(d), pe_offset(d) + 4), b"XX\0\0"),
     "kernel: "),
    ("section-past-end", lambda d: struct.pack_into(
        "<I", d, pe_offset(d) + 24 + struct.unpack_from("<H", d, pe_offset(d) + 20)[0] + 16,
        0x7fffffff), "kernel: "),
])
def test_corrupt_kernel_refused(cloud_kernel, tmp_path, name, edit, message):
    run = boot(kernel=corrupted(cloud_kernel, tmp_path, name, edit), append="x", timeout=30)
    assert f"EFI-lite: fatal: {message}" in run.log, run.log
    assert not run.timed_out and run.returncode == 0, run.log


def test_truncated_kernel_refused(cloud_kernel, tmp_path):
    path = tmp_path / "truncated"
    path.write_bytes(open(cloud_kernel, "rb").read()[:1 << 20])
    run = boot(kernel=str(path), append="x", timeout=30)
    assert "EFI-lite: fatal: kernel: " in run.log, run.log
    assert not run.timed_out and run.returncode == 0, run.log


def test_kernel_larger_than_ram(cloud_kernel, tmp_path):
    # The Image header claims 512 MiB: it cannot fit in a 128 MiB machine.
    path = corrupted(cloud_kernel, tmp_path, "huge",
                     lambda d: struct.pack_into("<Q", d, 16, 512 << 20))
    run = boot(kernel=path, append="x", mem="128M", timeout=30)
    assert "EFI-lite: fatal: no room for the kernel (512 MiB)" in run.log, run.log
    assert not run.timed_out and run.returncode == 0, run.log
