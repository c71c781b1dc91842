"""make check-kvm (issue 13): EFI-lite and EDK2 under a real KVM, nested in a TCG guest at
EL2. One outer boot runs every inner guest (tests/kvm/outer-init.sh); the tests below
check its sections with the assertions of the TCG boot tests, and the report (build/kvm/
report.txt) gives the wall times and what KVM's tracepoints saw. Not named test_*.py:
the default `pytest tests` must not collect it, it takes minutes."""
import datetime
import os
import re
import pytest
import nested
from qemu import BUILD, Run
from test_image import symbols
from test_linux import BAD, check_init, kernel_code
from test_selftest import EXPECTED_FAIL, MIN_CASES, parse
import test_disk_boot
import test_wx

FIRMWARE = os.path.join(BUILD, "efilite.bin")
SELFTEST = os.path.join(BUILD, "efi-apps", "selftest.efi")
REPORT = os.path.join(BUILD, "kvm", "report.txt")
EC = {0x00: "IRQ/other", 0x01: "WFx", 0x16: "HVC", 0x17: "SMC", 0x18: "sysreg",
      0x20: "IABT", 0x24: "DABT"}
_STATUS = re.compile(r"^qemu exit status (\d+)$", re.M)
_FAULT = re.compile(r"^KVM: fault ([\w-]+) ([0-9.]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+)$",
                    re.M)
_TRACE = re.compile(r"^KVM: trace ([\w-]+): set_way_flush (\d+) toggle_cache (\d+) "
                    r"guest_fault (\d+) lost (\d+)$", re.M)
_EXITS = re.compile(r"^KVM: exits ([\w-]+): \{ esr_ec: +(\d+) \} hitcount: +(\d+)$", re.M)
_SYSREGS = re.compile(r"^KVM: sysreg ([\w-]+): (\d+) (.*)$", re.M)
# DC ISW, DC CSW, DC CISW as (Op0,Op1,CRn,CRm,Op2): KVM always traps them (HCR_EL2.TSW).
SET_WAY = re.compile(r"\(1,0,7,(6|10|14),2\)")


class Fault:
    """One stage-2 fault as KVM traced it: the IPA, the syndrome (ESR_EL2), the PC."""
    def __init__(self, t, ipa, esr, pc):
        self.t, self.ipa, self.esr, self.pc = float(t), int(ipa, 16), int(esr, 16), int(pc, 16)
        self.ec = self.esr >> 26
        self.write = self.ec == 0x24 and bool(self.esr & (1 << 6))     # ISS.WnR

    def __str__(self):
        kind = {0x20: "fetch", 0x24: "write" if self.write else "read"}.get(self.ec, "?")
        return f"{kind:5} ipa {self.ipa:#10x} from pc {self.pc:#x}"


def _sysreg_name(text):
    """KVM's "NAME (Op0,Op1,CRn,CRm,Op2) read|write", where NAME can be an unexpanded
    encoding macro: then the generic S<op0>_<op1>_C<n>_C<m>_<op2> name."""
    m = re.match(r"(.*) \((\d+),(\d+),(\d+),(\d+),(\d+)\) (read|write)$", text)
    if not m:
        return text
    name = m[1] if re.fullmatch(r"\w+", m[1]) else "S{}_{}_C{}_C{}_{}".format(*m.groups()[1:6])
    return f"{name.removeprefix('SYS_')} ({m[2]},{m[3]},{m[4]},{m[5]},{m[6]}) {m[7]}"


@pytest.fixture(scope="module")
def outer():
    run, nlibs = nested.run_outer(FIRMWARE, SELFTEST, timeout=2400)
    log = run.log
    sections = nested.split(log)
    inner = {}
    for name, (text, stamped, seconds) in sections.items():
        status = _STATUS.findall(text)
        rc = int(status[-1]) if status else -1
        inner[name] = (Run(text, rc, seconds or 0.0, rc == 124 or not status), stamped)
    faults = {}
    for name, *f in _FAULT.findall(log):
        faults.setdefault(name, []).append(Fault(*f))
    trace = {m[1]: tuple(map(int, m.groups()[1:])) for m in _TRACE.finditer(log)}
    exits = {}
    for name, ec, n in _EXITS.findall(log):
        exits.setdefault(name, {})[int(ec)] = int(n)
    sysregs = {}
    for name, n, reg in _SYSREGS.findall(log):
        sysregs.setdefault(name, []).append((_sysreg_name(reg), int(n)))
    data = dict(run=run, nlibs=nlibs, inner=inner, faults=faults, trace=trace, exits=exits,
                sysregs=sysregs)
    write_report(data)
    return data


def write_report(d):
    run, lines = d["run"], []
    lines.append(f"outer guest (TCG, EL2, 2 CPUs, 3 GiB): {run.seconds:.1f} s in all, "
                 f"{d['nlibs']} libraries for the inner QEMU")
    # With FEAT_S2FWB KVM makes stage 2 cacheable whatever the guest does with its MMU,
    # and does no cache maintenance on stage-2 faults; without it, it cleans every page
    # it maps. Neither is traced, but which case this was is worth saying.
    fwb = "Stage-2 Force Write-Back" in run.log
    lines.append(f"outer CPU has FEAT_S2FWB: {'yes' if fwb else 'no'}")
    for name, (r, stamped) in d["inner"].items():
        marks = [(label, nested.first(stamped, text)) for label, text in
                 (("first line", ""), ("EFI stub", "EFI stub: "), ("init", "INIT: reached"))]
        lines.append(f"{name}: " + ", ".join(f"{label} {t:.1f} s" for label, t in marks
                                             if t is not None)
                     + f", QEMU exit {r.seconds:.1f} s (status {r.returncode})")
        if name in d["trace"]:
            sw, tc, gf, lost = d["trace"][name]
            lines.append(f"  tracepoints: kvm_set_way_flush {sw}, kvm_toggle_cache {tc}, "
                         f"kvm_guest_fault {gf} (lost {lost})")
        ex = d["exits"].get(name, {})
        lines.append("  exits: " + ", ".join(f"{EC.get(ec, hex(ec))} {n}" for ec, n in
                                            sorted(ex.items())) + f"; total {sum(ex.values())}")
        if d["sysregs"].get(name):
            lines.append("  trapped system register accesses: " + ", ".join(
                f"{reg} {n}" for reg, n in sorted(d["sysregs"][name], key=lambda r: -r[1])))
        fs = d["faults"].get(name, [])
        if fs:
            lines.append(f"  first stage-2 faults on RAM or flash ({len(fs)} listed):")
            lines += [f"    {f}" for f in fs[:6]]
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(REPORT.replace(".txt", ".log"), "w") as f:
        f.write(run.log)


def section(outer, name):
    assert name in outer["inner"], f"no {name} run:\n" + outer["run"].log
    return outer["inner"][name]


def test_outer_guest_has_kvm(outer):
    log = outer["run"].log
    assert not outer["run"].timed_out and outer["run"].returncode == 0, log
    assert "KVM: dmesg: " in log and "efi: EFI v2.100 by EFI-lite" in log, log
    assert re.search(r"kvm \[1\]: VHE mode initialized successfully", log), log
    assert "KVM: /dev/kvm present" in log and "KVM: tracefs mounted" in log, log
    assert "KVM: all done" in log, log


def test_efilite_boots_linux_under_kvm(outer):
    run, _ = section(outer, "efilite-linux")
    # The TCG boot test's assertions, on the inner console (kernel lines from dmesg).
    log = check_init(run)
    assert "EFI-lite " in log and " at EL1 on " in log, log       # -cpu host, no EL2
    assert "EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path" in log
    assert "DMESG: KASLR enabled" in log, log
    assert "INIT: dmi: QEMU | KVM Virtual Machine | EFI-lite" in log, log
    assert kernel_code(log) % 0x200000 == 0x10000, log


def test_runtime_services_under_kvm(outer):
    log = section(outer, "efilite-linux")[0].log
    assert "DMESG: Remapping and enabling EFI services." in log, log
    m = re.search(r"rtc-efi rtc-efi\.0: setting system clock to (\d{4}-\d\d-\d\d)T", log)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert m and abs((datetime.date.fromisoformat(m[1]) - today).days) <= 1, log
    assert "DMESG: Registered efivars operations" in log, log
    assert "INIT: efivar: written at runtime" in log, log
    assert "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c" in log, log


def test_selftest_under_kvm(outer):
    run, _ = section(outer, "efilite-selftest")
    results, summary = parse(run.log)
    assert summary, run.log
    passed, failed, skipped = summary
    assert len(results) - 1 == passed + failed + skipped >= MIN_CASES, run.log
    assert results.get("ebs.fresh_key") == ("PASS", ""), run.log
    assert not run.timed_out and run.returncode == 0, run.log
    failures = {n for n, (r, _) in results.items() if r == "FAIL"}
    assert failures <= EXPECTED_FAIL.keys(), run.log


def test_disk_boot_under_kvm(outer):
    # \EFI\BOOT\BOOTAA64.EFI from a GPT disk: virtio-blk, GPT, FAT, LoadImage from a path.
    run, _ = section(outer, "efilite-disk")
    log = re.sub(r"qemu exit status \d+\n$", "", run.log.replace("\r", ""))
    test_disk_boot.booted(log, r"PciRoot\(0x0\)/Pci\(0x1,0x0\)/" + test_disk_boot.HD)
    assert not run.timed_out and run.returncode == 0, run.log


def test_legacy_loader_flips_under_kvm(outer):
    # W^X by faults for an image without NX_COMPAT (tests/test_wx.py): the permission
    # faults, the cache maintenance and the TLB invalidations on a real KVM.
    run, _ = section(outer, "efilite-wx")
    test_wx.check_legacy_app(run.log.replace("\r", ""))
    assert not run.timed_out and run.returncode == 0, run.log


def test_edk2_boots_linux_under_kvm(outer):
    # The comparison: Debian's AAVMF, from pflash, on the same inner machine.
    run, _ = section(outer, "edk2-linux")
    log = run.log
    assert not run.timed_out and run.returncode == 0, log
    assert "INIT: reached" in log and "INIT: done" in log, log
    assert "DMESG: efi: EFI v2.70 by EDK II" in log, log
    assert "EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path" in log, log
    assert "INIT: efivar: written at runtime" in log, log
    for bad in BAD:
        assert bad not in log, f"{bad!r} in:\n{log}"


def test_kvm_saw_no_access_before_the_mmu(outer):
    """What KVM can see of EFI-lite's MMU-off phase: its stage-2 faults. The reset code
    (__premmu_start..__premmu_end, the only code that runs with the MMU off) takes one,
    the fetch of its own page; the first load or store the guest makes comes from
    mmu_on, i.e. after SCTLR_EL1.M is set. It makes no set/way cache maintenance (KVM
    traps every such operation, and lists it). So KVM never starts trapping SCTLR writes
    (TVM) and cannot see caches toggled: kvm_toggle_cache stays at zero, as does
    kvm_set_way_flush, and neither says more than that."""
    s = symbols()
    for name in ("efilite-linux", "efilite-selftest"):
        faults = outer["faults"].get(name)
        sw, tc, gf, lost = outer["trace"][name]
        assert faults and lost == 0, outer["run"].log
        premmu = [f for f in faults if s["__premmu_start"] <= f.pc < s["__premmu_end"]]
        assert [(f.ec, f.ipa) for f in premmu] == [(0x20, 0)], [str(f) for f in faults[:8]]
        data = next(f for f in faults if f.ec == 0x24)
        assert data.pc >= s["mmu_on"] and data.pc < s["__text_end"], str(data)
        assert sw == 0 and tc == 0, outer["trace"][name]
        regs = outer["sysregs"].get(name)
        assert regs and not [r for r, _ in regs if SET_WAY.search(r)], regs
