"""Debian's arm64 kernels booted through their EFI stub, in place, with a busybox
initramfs: the assertions are on the stub's and the kernel's own lines."""
import re
import pytest
from qemu import boot

BASE = "console=ttyAMA0 earlycon panic=-1"
BAD = ("FIRMWARE BUG", "Firmware Bug", "EFI stub: ERROR", "WARNING", "EFI-lite: fatal",
       "EFI-lite crash")


def linux(kernel, initrd=None, append=BASE, timeout=120, **kw):
    extra = list(kw.pop("extra", ()))
    if initrd:
        extra += ["-initrd", initrd]
    return boot(kernel=kernel, append=append, extra=extra, timeout=timeout, **kw)


def check_init(run, mem_mib=1024, kaslr=True):
    log = run.log
    assert not run.timed_out, log
    assert "INIT: reached" in log and "INIT: done" in log, log
    for bad in BAD:
        assert bad not in log, f"{bad!r} in:\n{log}"
    # UEFI 2.10 is revision (2 << 16) | 100; Linux 6.1 prints it as "%u.%.02u": "2.100".
    assert "efi: EFI v2.100 by EFI-lite" in log, log
    # The kernel runs where EFI-lite put it (its text follows the 64 KiB PE header)...
    m = re.search(r"EFI-lite: Linux Image at 0x([0-9a-f]+)", log)
    assert m and kernel_code(log) == int(m[1], 16) + 0x10000, log
    # ... and the stub says so; with nokaslr it does not look, the alignment suffices.
    assert ("EFI stub: Image placement fixed by loader" in log) == kaslr, log
    assert "EFI stub: Using DTB from configuration table" in log, log
    # The firmware reports its boot stages at hand-off, in order.
    m = re.search(r"EFI-lite: stages \(us since start\): reset (\d+) main (\d+) dt (\d+) "
                  r"memmap (\d+) mmu (\d+) efi (\d+) exit (\d+)", log)
    assert m and [int(t) for t in m.groups()] == sorted(int(t) for t in m.groups()), log
    m = re.search(r"Memory: \d+K/(\d+)K available", log)
    assert m and int(m[1]) == mem_mib * 1024, log
    assert run.returncode == 0, log
    return log


def kernel_code(log):
    m = re.search(r"INIT: iomem: ([0-9a-f]+)-[0-9a-f]+ : Kernel code", log)
    assert m, log
    return int(m[1], 16)


@pytest.mark.parametrize("flavour", ["cloud", "generic"])
def test_boot_with_initrd_and_kaslr(flavour, cloud_kernel, generic_kernel, initrd):
    k = cloud_kernel if flavour == "cloud" else generic_kernel
    log = check_init(linux(k, initrd))
    assert "EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path" in log
    assert "KASLR enabled" in log
    assert "INIT: efi: " in log and "systab" in log


def test_kernel_placement_is_random(cloud_kernel, initrd):
    places = {kernel_code(check_init(linux(cloud_kernel, initrd))) for _ in range(2)}
    assert len(places) == 2, places


def test_command_line_arrives_exactly(cloud_kernel, initrd):
    words = ['quoted="a b c"', "unicode=Grüße→✓😀", "end=1"]
    # Few long words: the kernel passes unknown ones to init, at most 32 of them.
    filler = " ".join(f"pad{i}=" + "x" * 250 for i in range(4))
    cmdline = f"{BASE} {words[0]} {filler} {words[1]} {words[2]}"
    assert len(cmdline.encode()) > 1024
    log = check_init(linux(cloud_kernel, initrd, append=cmdline))
    assert f"INIT: cmdline: {cmdline}\n" in log, log


@pytest.mark.parametrize("mem,mib", [("256M", 256), ("3G", 3072), ("8G", 8192)])
def test_memtotal(mem, mib, cloud_kernel, initrd):
    check_init(linux(cloud_kernel, initrd, mem=mem), mem_mib=mib)


def test_four_cpus(cloud_kernel, initrd):
    log = check_init(linux(cloud_kernel, initrd, smp=4))
    assert "smp: Brought up 1 node, 4 CPUs" in log and "INIT: cpus: 4" in log, log


def test_el2_kvm(generic_kernel, initrd):
    run = linux(generic_kernel, initrd, machine="virt,virtualization=on", cpu="max", smp=2)
    log = check_init(run)
    assert "CPU: All CPU(s) started at EL2" in log, log
    assert re.search(r"kvm \[1\]: (Hyp|VHE) mode initialized successfully", log), log
    assert "INIT: kvm: /dev/kvm" in log, log


def test_nokaslr(cloud_kernel, initrd):
    log = check_init(linux(cloud_kernel, initrd, append=BASE + " nokaslr"), kaslr=False)
    assert "EFI stub: KASLR disabled on kernel command line" in log, log


def test_no_initrd(cloud_kernel):
    # Without an initrd the kernel boots, finds no root and panics (panic=-1 reboots,
    # and -no-reboot ends QEMU): no LoadFile2 device path may have been offered.
    run = linux(cloud_kernel, None)
    assert "efi: EFI v2.100 by EFI-lite" in run.log, run.log
    assert "Loaded initrd" not in run.log
    assert "VFS: Unable to mount root fs" in run.log, run.log
    assert not run.timed_out, run.log
