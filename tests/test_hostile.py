"""Hostile device trees and crashes in loaded images (issue 15): every case ends with a
line that names the cause on the console, and QEMU exits. The trees are tests/dts/
hostile-*.dts (QEMU's virt tree, edited), compiled by dtc here and passed with -dtb."""
import os
import re
import subprocess
import pytest
from qemu import BUILD, ROOT, boot, NOTHING_TO_BOOT

DTS = os.path.join(ROOT, "tests", "dts")
FAULT_APP = os.path.join(BUILD, "efi-apps", "fault.efi")
MACHINES = ["virt", "virt,virtualization=on"]


def dtb(name, tmp_path):
    out = tmp_path / (name + ".dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(out),
                    os.path.join(DTS, name + ".dts")], check=True)
    return str(out)


def boot_tree(name, tmp_path, machine="virt", **kw):
    run = boot(machine=machine, extra=["-dtb", dtb(name, tmp_path)], timeout=30, **kw)
    assert not run.timed_out and run.returncode == 0, run.log
    assert run.log.endswith("EFI-lite: powering off\n"), run.log
    return run


@pytest.mark.parametrize("machine", MACHINES)
def test_ram_that_is_not_there(machine, tmp_path):
    # Case 1: found by a probing read once the RAM is mapped, before anything uses it.
    run = boot_tree("hostile-ram", tmp_path, machine)
    assert ("EFI-lite: fatal: device tree: RAM ram@100000000 0x100000000-0x13fffffff is "
            "not there: reading 0x100000000 aborted: the machine has no RAM there\n") \
        in run.log, run.log
    assert "crash" not in run.log, run.log


def test_ram_that_is_not_there_crash_report(tmp_path):
    # Should such RAM get past the probe, the crash report says what the abort hit.
    fault_fw = os.path.join(BUILD, "fault", "efilite.bin")
    run = boot(bios=fault_fw, append="fault=ram", timeout=30,
               extra=["-dtb", dtb("hostile-ram", tmp_path)])
    assert not run.timed_out and run.returncode == 0, run.log
    assert "*** EFI-lite crash: synchronous exception" in run.log, run.log
    assert "EC 0x25: data abort, synchronous external abort on read\n" in run.log, run.log
    assert ("\nFAR  0x0000000100000000\n     in RAM the device tree declares (ram@100000000 "
            "0x100000000-0x13fffffff) but the machine does not answer there: that RAM may "
            "not exist\n") in run.log, run.log


@pytest.mark.parametrize("name,why", [
    ("hostile-cells-1", "has a reg that is not a whole number of (address, size) entries"),
    ("hostile-uart-noreg", "has no reg"),
    ("hostile-uart-outside", "has an address outside the device window"),
    ("hostile-uart-misaligned", "has an address that is not 4 KiB aligned"),
])
def test_console_fallback(name, why, tmp_path):
    # Cases 2 and 3: the console falls back to virt's PL011 and says why, first thing.
    run = boot_tree(name, tmp_path)
    assert run.log.startswith(f"warning: device tree: console /pl011@9000000 {why}: using "
                              "virt's PL011 at 0x9000000 instead\n"), run.log
    assert "console pl011@0x9000000" in run.log, run.log
    assert "EFI-lite: fatal: " in run.log, run.log


@pytest.mark.parametrize("name,addr", [("hostile-uart-nothing", "0xb000000"),
                                       ("hostile-uart-rtc", "0x9010000")])
def test_console_that_does_not_answer(name, addr, tmp_path):
    # A sane address where no PL011 answers (its PrimeCell ID, read by a probing read).
    run = boot_tree(name, tmp_path)
    assert run.log.startswith(f"warning: device tree: console at {addr} does not answer as "
                              "a PL011: using virt's PL011 at 0x9000000 instead\n"), run.log
    assert run.log.endswith(NOTHING_TO_BOOT), run.log


def test_128_reservations_boot(tmp_path):
    # Case 4: PLAT_MAX_RESERVED reservations are all honoured, and the map holds them.
    run = boot_tree("hostile-reserved-128", tmp_path)
    assert run.log.endswith(NOTHING_TO_BOOT), run.log
    assert "warning" not in run.log and "error" not in run.log, run.log


def test_129_reservations_name_the_limit(tmp_path):
    run = boot_tree("hostile-reserved-129", tmp_path)
    assert run.log == ("EFI-lite: fatal: device tree: more than 128 reserved regions "
                       "(PLAT_MAX_RESERVED)\nEFI-lite: powering off\n"), run.log


@pytest.mark.parametrize("machine", MACHINES)
def test_reservation_over_the_firmware(machine, tmp_path):
    # Case 5: the reservation is named (this ended in "no memory for translation tables").
    run = boot_tree("hostile-reserve-all", tmp_path, machine)
    assert run.log == ("EFI-lite: fatal: device tree: reserved memory /reserved-memory/"
                       "everything@40000000 0x40000000-0x7fffffff covers EFI-lite's own "
                       "memory 0x403ff000-0x405fffff: EFI-lite cannot run with it\n"
                       "EFI-lite: powering off\n"), run.log


def test_reservations_leave_too_little(tmp_path):
    run = boot_tree("hostile-reserve-most", tmp_path)
    assert re.fullmatch(r"EFI-lite: fatal: device tree: reserved memory leaves \d+ KiB of RAM "
                        r"free, 4096 KiB needed; the largest reservation is /reserved-memory/"
                        r"above@40600000 0x40600000-0x7fffffff\nEFI-lite: powering off\n",
                        run.log), run.log


def test_reservation_over_the_rest(cloud_kernel, initrd, tmp_path):
    # The firmware runs in its own 6 MiB (allocations land next to its stacks, which must
    # survive that) and names the reservation before the kernel finds no room.
    run = boot(extra=["-dtb", dtb("hostile-reserve-rest", tmp_path), "-initrd", initrd],
               kernel=cloud_kernel, timeout=60)
    assert not run.timed_out and run.returncode == 0, run.log
    assert run.log.startswith("warning: device tree: reserved memory leaves only "), run.log
    assert ("KiB of RAM free; the largest reservation is /reserved-memory/rest@40600000 "
            "0x40600000-0x7fffffff\n") in run.log, run.log
    assert "EFI-lite: fatal: no room for the kernel (26 MiB)" in run.log, run.log
    assert "crash" not in run.log, run.log


IMAGE_LINE = re.compile(r"ELR is at offset (0x[0-9a-f]+) in (.+?), loaded at (0x[0-9a-f]+) "
                        r"\((\d+) KiB\), (before|after) ExitBootServices\n")
ELR = re.compile(r"\nELR  (0x[0-9a-f]+)")


def blamed(run, name, el):
    assert not run.timed_out and run.returncode == 0, run.log
    assert (f"\n*** Crash in {name} (an image EFI-lite loaded), not in EFI-lite: synchronous "
            f"exception from current EL with SP_EL0 at EL{el}\n") in run.log, run.log
    assert "EFI-lite crash" not in run.log, run.log
    m = IMAGE_LINE.search(run.log)
    assert m and m[2] == name, run.log
    offset, base, kib = int(m[1], 16), int(m[3], 16), int(m[4])
    assert int(ELR.search(run.log)[1], 16) == base + offset, run.log
    assert offset < kib << 10, run.log
    assert run.log.rstrip().endswith("EFI-lite: powering off"), run.log
    return base, offset, m[5]


def test_a64fx_kernel_fault_blames_the_kernel(cloud_kernel, initrd):
    # Case 6: a64fx claims a GICv3 CPU interface; on a GICv2 machine the kernel's first
    # ICC_SRE_EL2 read after ExitBootServices is undefined.
    run = boot(machine="virt,gic-version=2,virtualization=on", cpu="a64fx",
               kernel=cloud_kernel, extra=["-initrd", initrd], timeout=60)
    _, _, when = blamed(run, "Linux kernel", 2)
    assert when == "after", run.log
    assert "EC 0x00: unknown reason (undefined instruction)" in run.log, run.log
    assert "(MRS S3_4_C12_C9_5)\n     a GICv3 CPU interface register (ICC_*); this CPU's " \
        "ID_AA64PFR0_EL1.GIC says it has one: the CPU model and the machine's GIC " \
        "disagree\n" in run.log, run.log
    assert "FAR  0x0000000000000000  (not valid for this exception)" in run.log, run.log


@pytest.mark.parametrize("machine,el", [("virt", 1), ("virt,virtualization=on", 2)])
def test_application_fault_blames_the_application(machine, el):
    # Before ExitBootServices, in an application that says where it faults.
    run = boot(machine=machine, kernel=FAULT_APP, timeout=30)
    m = re.search(r"fault app: image base ([0-9A-F]+), faulting at ([0-9A-F]+)", run.log)
    assert m, run.log
    base, offset, when = blamed(run, "EFI application", el)
    assert (base, base + offset) == (int(m[1], 16), int(m[2], 16)), run.log
    assert when == "before", run.log
    assert "Instruction at ELR: 0x00000015\n" in run.log, run.log     # udf #0x15
    # The backtrace names the application's frames by offset too.
    assert re.search(r"\[0\] 0x[0-9a-f]+  \(EFI application\+0x[0-9a-f]+\)", run.log), run.log
