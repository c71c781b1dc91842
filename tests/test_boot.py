"""Boot the firmware on QEMU's virt machine across the matrix and check what it reports."""
import re
import subprocess
import pytest
from qemu import boot, NOTHING_TO_BOOT

BANNER = re.compile(r"EFI-lite \S+ at EL(\d) on (.+?) \(MIDR 0x[0-9a-f]+\), "
                    r"(\d+) CPUs?, (\d+) MiB RAM")
NODE = re.compile(r"RAM node (\d+): 0x([0-9a-f]+)-0x([0-9a-f]+) \((\d+) MiB\)")


def check_clean_boot(run, el=1, cpu="Cortex-A57", cpus=1, mib=1024):
    assert not run.timed_out, run.log
    m = BANNER.search(run.log)
    assert m, run.log
    assert (int(m[1]), m[2], int(m[3]), int(m[4])) == (el, cpu, cpus, mib), run.log
    assert "crash" not in run.log and "error:" not in run.log, run.log
    # Without -kernel the UEFI core comes up, finds nothing to boot and says so.
    assert run.log.endswith(NOTHING_TO_BOOT), run.log
    assert run.returncode == 0, run.log      # PSCI SYSTEM_OFF ends QEMU cleanly
    return [(int(n), int(b, 16), int(e, 16), int(s)) for n, b, e, s in NODE.findall(run.log)]


@pytest.mark.parametrize("mem,mib", [("128M", 128), ("1G", 1024), ("5G", 5120)])
def test_ram_sizes(mem, mib):
    nodes = check_clean_boot(boot(mem=mem), mib=mib)
    assert nodes == [(0, 0x40000000, 0x40000000 + (mib << 20) - 1, mib)]


def test_numa_two_nodes():
    numa = ["-object", "memory-backend-ram,id=m0,size=1G",
            "-object", "memory-backend-ram,id=m1,size=2G",
            "-numa", "node,nodeid=0,cpus=0-1,memdev=m0",
            "-numa", "node,nodeid=1,cpus=2-3,memdev=m1"]
    nodes = check_clean_boot(boot(mem="3G", smp=4, extra=numa), cpus=4, mib=3072)
    assert nodes == [(0, 0x40000000, 0x7fffffff, 1024),
                     (1, 0x80000000, 0xffffffff, 2048)]


@pytest.mark.parametrize("cpu,name", [("cortex-a57", "Cortex-A57"),
                                      ("cortex-a72", "Cortex-A72"),
                                      ("max", "QEMU max")])
@pytest.mark.parametrize("el", [1, 2])
@pytest.mark.parametrize("smp", [1, 4])
def test_matrix(cpu, name, el, smp):
    machine = "virt,virtualization=on" if el == 2 else "virt"
    check_clean_boot(boot(machine=machine, cpu=cpu, smp=smp), el=el, cpu=name, cpus=smp)


def test_el3_refused_with_message():
    run = boot(machine="virt,secure=on", timeout=20)
    assert "started at EL3" in run.log, run.log
    assert "secure=on" in run.log
    assert not run.timed_out, "QEMU did not power off at EL3:\n" + run.log


BAD_DTS = """/dts-v1/;
/ {
    #address-cells = <2>; #size-cells = <2>;
    chosen { stdout-path = "/pl011@9000000"; };
    memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
    reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
        bad@48000000 { reg = <0 0x48000000 0>; }; };
    pl011@9000000 { compatible = "arm,pl011"; reg = <0 0x09000000 0 0x1000>; };
};"""


@pytest.mark.parametrize("machine", ["virt", "virt,virtualization=on"])
def test_malformed_dtb_gives_message(machine, tmp_path):
    # QEMU passes a -dtb tree on (it only fills in /memory and /chosen): one with a bad
    # reg must be refused with a message naming the node, then a clean power-off.
    dtb = tmp_path / "bad.dtb"
    subprocess.run(["dtc", "-q", "-O", "dtb", "-o", str(dtb)], input=BAD_DTS.encode(),
                   check=True)
    run = boot(machine=machine, extra=["-dtb", str(dtb)], timeout=20)
    assert "EFI-lite: fatal: device tree: /reserved-memory/bad@48000000: reg is not" \
        in run.log, run.log
    assert not run.timed_out and run.returncode == 0, run.log
