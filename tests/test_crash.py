"""A firmware built with FAULT_TEST faults on purpose: the crash report must name the
exception and registers, and QEMU must power off (not hang, not reboot)."""
import os
import pytest
from qemu import BUILD, boot

FAULT_FW = os.path.join(BUILD, "fault", "efilite.bin")


@pytest.mark.parametrize("kind,expect", [
    ("fault=null", ["data abort, translation fault at level 3 on read",
                    "NULL pointer dereference"]),
    ("fault=stack", ["data abort", "stack overflow: guard region"]),
    ("fault=undef", ["EC 0x00: unknown reason (undefined instruction)"]),
])
@pytest.mark.parametrize("machine,el", [("virt", 1), ("virt,virtualization=on", 2)])
def test_crash_report(kind, expect, machine, el):
    run = boot(bios=FAULT_FW, machine=machine, append=kind, timeout=20)
    assert not run.timed_out and run.returncode == 0, run.log
    assert f"*** EFI-lite crash: synchronous exception from current EL with SP_EL0 at EL{el}" \
        in run.log, run.log
    for e in expect:
        assert e in run.log, run.log
    for reg in ("ESR  0x", "FAR  0x", "ELR  0x", "SPSR 0x", "x0  0x", "x30 0x", "Backtrace:"):
        assert reg in run.log, run.log
    assert run.log.rstrip().endswith("EFI-lite: powering off"), run.log


def test_stack_protector():
    # The canary (from the DTB's rng-seed) catches an overflow before the return.
    run = boot(bios=FAULT_FW, append="fault=canary", timeout=20)
    assert not run.timed_out and run.returncode == 0, run.log
    assert run.log.endswith("EFI-lite: fatal: stack corruption detected (stack protector)\n"
                            "EFI-lite: powering off\n"), run.log
