"""The firmware's files depend on each other one way only: derived from the symbols each
object defines and uses (nm), no two files may reach each other through their calls
and data. docs/architecture.md names the layers."""
import collections
import glob
import os
import subprocess
from qemu import BUILD
import uefi_index

CROSS = os.environ.get("CROSS", "aarch64-linux-gnu-")
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDERS = ("boot", "lib", "mm", "drivers", "fs", "fwcfg", "efi", "runtime")
# Inserted by the compiler into every function with a stack buffer, not written by us:
# they would tie every file to the one that reports a smashed stack.
COMPILER_SYMBOLS = ("__stack_chk_fail", "__stack_chk_guard")
# One module split into files for size, sharing a private header (fs/fat_priv.h,
# fs/part_int.h): its files may call each other; the module as a whole may not take
# part in a cycle.
MODULES = ("fs/fat", "fs/part")


def module(name):
    return next((m for m in MODULES if name == m or name.startswith(m + "_")), name)


def objects():
    """Each firmware object whose source still exists (build/ may hold stale ones)."""
    found = []
    for folder in FOLDERS:
        for obj in glob.glob(os.path.join(BUILD, folder, "**", "*.o"), recursive=True):
            rel = os.path.relpath(obj, BUILD)[:-2]
            if any(os.path.exists(os.path.join(TOP, rel + ext)) for ext in (".c", ".S")):
                found.append(obj)
    assert len(found) > 30, "build the firmware first"
    return found


def symbol_graph():
    defined, used = {}, {}
    for obj in objects():
        out = subprocess.run([CROSS + "nm", obj], capture_output=True, text=True,
                             check=True).stdout
        name = module(os.path.relpath(obj, BUILD)[:-2])
        defined.setdefault(name, set())
        used.setdefault(name, set())
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "TDBRCVW":
                defined[name].add(f[2])
            elif len(f) == 2 and f[0] == "U" and f[1] not in COMPILER_SYMBOLS:
                used[name].add(f[1])
    owner = {sym: name for name, syms in defined.items() for sym in syms}
    edges = collections.defaultdict(dict)
    for name, syms in used.items():
        for sym in syms:
            if sym in owner and owner[sym] != name:
                edges[name].setdefault(owner[sym], []).append(sym)
    return list(defined), edges


def cycles(nodes, edges):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while not comp or comp[-1] != v:
                comp.append(stack.pop())
                on.discard(comp[-1])
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in nodes:
        if v not in index:
            visit(v)
    return out


def test_no_dependency_cycles():
    nodes, edges = symbol_graph()
    found = cycles(nodes, edges)
    report = []
    for comp in found:
        report.append("cycle: " + ", ".join(comp))
        for a in comp:
            for b, syms in sorted(edges[a].items()):
                if b in comp:
                    report.append(f"  {a} -> {b}: {', '.join(sorted(syms)[:5])}")
    assert not found, "\n".join(report)


def test_cycle_finder_finds_cycles():
    """The finder itself, on a graph with one cycle of three and a tail."""
    edges = collections.defaultdict(dict, {"a": {"b": []}, "b": {"c": []}, "c": {"a": []},
                                           "d": {"a": []}})
    assert cycles(["a", "b", "c", "d"], edges) == [["a", "b", "c"]]


def test_drivers_and_lower_layers_know_nothing_of_efi():
    """Below the UEFI core (lib, mm, drivers, fs, fwcfg) nothing calls into efi/, and
    nothing but the reset code calls the boot sequence (boot/main.c)."""
    nodes, edges = symbol_graph()
    upward = [f"{a} -> {b}: {', '.join(sorted(s)[:5])}" for a in nodes
              if a.split("/")[0] in ("lib", "mm", "drivers", "fs", "fwcfg")
              for b, s in edges[a].items() if b.split("/")[0] == "efi"]
    upward += [f"{a} -> boot/main" for a in nodes if "boot/main" in edges[a]
               and a != "boot/head"]
    assert not upward, "\n".join(upward)


def test_uefi_index_matches_the_code():
    """docs/uefi.md's index names, for every service, the function the tables bind."""
    rows = uefi_index.bindings()
    assert sum(1 for r in rows if r[0] == "boot services") == 43     # all but Reserved
    assert sum(1 for r in rows if r[0] == "runtime services") == 14
    doc = open(os.path.join(TOP, "docs", "uefi.md")).read()
    assert uefi_index.table_markdown() in doc, "regenerate: python3 tests/uefi_index.py"
