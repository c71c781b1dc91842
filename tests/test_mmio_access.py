"""Device memory is touched only through include/mmio.h, one plain ldr/str of the field's
width each: KVM emulates an MMIO access from the ESR's syndrome, which exists only for
single loads and stores without writeback ("load/store instruction decoding not
implemented" otherwise). Every accessor records its instruction's address in the
object's unloaded .mmio_sites section (MMIO_SITE). What is checked, in every firmware
object:
1. each recorded site is ldr/ldrb/ldrh/str/strb/strh with a bare [xN] address: no pair,
   no offset, no pre/post-index writeback;
2. a function holding accessors holds no paired or writeback load/store at all, other
   than on the stack (prologue and epilogue), so no device access hides in a pair form
   whatever register it is based on;
3. the drivers never turn a device address into a pointer (they keep them as uint64_t,
   so only the accessors can dereference them): no pointer cast of the register fields."""
import glob
import os
import re
import subprocess
from qemu import BUILD, ROOT

CROSS = "aarch64-linux-gnu-"
SKIP = ("host", "fuzz", "fault", "efi-apps", "gen")


def objects():
    objs = [o for o in glob.glob(os.path.join(BUILD, "**", "*.o"), recursive=True)
            if os.path.relpath(o, BUILD).split(os.sep)[0] not in SKIP]
    assert any("/drivers/" in o for o in objs), "build the firmware first"
    return sorted(objs)


def objdump(*args):
    return subprocess.run([CROSS + "objdump", *args], capture_output=True, text=True,
                          check=True).stdout


def sites(obj):
    """{(section, offset)} of every accessor instruction."""
    out = objdump("-r", "-j", ".mmio_sites", obj) if ".mmio_sites" in \
        objdump("-h", obj) else ""
    found = set()
    for m in re.finditer(r"R_AARCH64_ABS64\s+(\S+?)(?:\+0x([0-9a-f]+))?$", out, re.M):
        found.add((m[1], int(m[2] or "0", 16)))
    return found


def functions(obj):
    """{function: [(section, offset, mnemonic, operands)]}."""
    funcs, fn, sec = {}, None, None
    for line in objdump("-d", obj).splitlines():
        m = re.match(r"^Disassembly of section (\S+):", line)
        if m:
            sec = m[1]
            continue
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            fn = (sec, m[1])
            funcs[fn] = []
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+[0-9a-f]{8}\s+(\S+)\s*(.*)$", line)
        if m and fn:
            funcs[fn].append((sec, int(m[1], 16), m[2], m[3].split("//")[0].strip()))
    return funcs


def pair_or_writeback(mn, ops):
    return bool(re.match(r"(ldp|stp|ldnp|stnp|ldpsw)$", mn) or "]!" in ops or
                re.search(r"\],\s*#", ops))


def test_device_accesses_are_single_plain():
    total = 0
    for obj in objects():
        want = sites(obj)
        if not want:
            continue
        # What is checked here must be the code that is linked: link-time optimisation
        # would compile it again (and inline it elsewhere) at the link (Makefile, NO_LTO).
        assert ".gnu.lto_" not in objdump("-h", obj), f"{obj}: MMIO accessors under LTO"
        seen = set()
        for (sec, fn), insns in functions(obj).items():
            mmio = [(mn, ops) for s, off, mn, ops in insns if (s, off) in want]
            seen |= {(s, off) for s, off, mn, ops in insns if (s, off) in want}
            for mn, ops in mmio:
                assert re.match(r"(ldr|ldrb|ldrh|str|strb|strh)$", mn) and \
                    re.match(r"^[wx](\d+|zr), \[x\d+\]$", ops), f"{obj}: {fn}: {mn} {ops}"
            if mmio:
                bad = [f"{mn} {ops}" for s, off, mn, ops in insns
                       if pair_or_writeback(mn, ops) and not re.search(r"\[sp\b", ops)]
                assert not bad, f"{obj}: {fn} uses MMIO accessors and also {bad}"
        assert seen == want, f"{obj}: accessor sites outside any function: {want - seen}"
        total += len(want)
    assert total > 100, total           # the drivers' accesses were all seen


def test_drivers_never_dereference_device_addresses():
    fields = r"(base|common|notify|isr|device_cfg|cfg|ecam|bar\[)"
    for path in glob.glob(os.path.join(ROOT, "drivers", "*.c")):
        src = open(path).read()
        casts = re.findall(r"\*\s*\)\s*\(?\s*[\w>.\[\]-]*?" + fields + r"\b", src)
        assert not casts, f"{path}: a device address used as a pointer: {casts}"
