#!/usr/bin/env python3
"""make selftest: the EFI conformance self-test under EFI-lite and, when Debian's AAVMF is
installed, under EDK2 on the same machine; one table of both results, then the reason for
every result that is not a pass. Exits non-zero if EFI-lite gives no summary or fails a
case that tests/test_selftest.py does not list in EXPECTED_FAIL."""
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from qemu import boot, qemu_cmd                                 # noqa: E402
from test_selftest import APPEND, CHILD, EXPECTED_FAIL, SELFTEST, parse  # noqa: E402
import testdisk                                                 # noqa: E402

AAVMF = "/usr/share/AAVMF"
# EDK2 offers EFI_RNG_PROTOCOL only with a virtio-rng device; EFI-lite ignores it.
EXTRA = ["-device", "virtio-rng-pci"]
LAST_LINE = re.compile(rb"ExitBootServices: [^\r\n]*\r?\n")


def run_edk2(disks, timeout=600):
    """EDK2 from pflash (code read-only, a fresh copy of the variable store) instead of
    -bios. Should the application return, EDK2 would go on to its other boot options and
    its shell: stop at the application's last line."""
    with tempfile.TemporaryDirectory() as tmp:
        nvram = os.path.join(tmp, "AAVMF_VARS.fd")
        shutil.copy(os.path.join(AAVMF, "AAVMF_VARS.fd"), nvram)
        cmd = qemu_cmd(kernel=SELFTEST, append=APPEND, extra=EXTRA + disks)
        i = cmd.index("-bios")
        cmd[i:i + 2] = ["-drive", "if=pflash,format=raw,unit=0,readonly=on,"
                        f"file={AAVMF}/AAVMF_CODE.fd",
                        "-drive", f"if=pflash,format=raw,unit=1,file={nvram}"]
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        out, deadline = b"", time.monotonic() + timeout
        try:
            while not LAST_LINE.search(out) and time.monotonic() < deadline:
                if select.select([p.stdout], [], [], 1)[0]:
                    chunk = os.read(p.stdout.fileno(), 65536)
                    if not chunk:
                        break
                    out += chunk
        finally:
            p.kill()
            p.wait()
    return out.decode("utf-8", "replace")


def main():
    # Each firmware gets fresh test disks: the file cases write to them.
    with tempfile.TemporaryDirectory() as tmp:
        disks = testdisk.selftest_disks(tmp, CHILD)
        runs = {"EFI-lite": parse(boot(kernel=SELFTEST, append=APPEND, extra=EXTRA + disks,
                                       timeout=120).log)}
    if os.path.exists(os.path.join(AAVMF, "AAVMF_CODE.fd")):
        with tempfile.TemporaryDirectory() as tmp:
            runs["EDK2"] = parse(run_edk2(testdisk.selftest_disks(tmp, CHILD)))
    names = list(dict.fromkeys(n for results, _ in runs.values() for n in results))
    width = max(map(len, names), default=4) + 2

    print(("test".ljust(width) + "".join(fw.ljust(10) for fw in runs)).rstrip())
    for n in names:
        row = "".join(results.get(n, ("-",))[0].ljust(10) for results, _ in runs.values())
        expected = n in EXPECTED_FAIL and runs["EFI-lite"][0].get(n, ("",))[0] == "FAIL"
        print((n.ljust(width) + row + ("(known)" if expected else "")).rstrip())
    print()
    for fw, (_, summary) in runs.items():
        print(f"{fw + ':':10}" + ("%d passed, %d failed, %d skipped" % summary
                                  if summary else "no summary line"))
    if "EDK2" not in runs:
        print(f"EDK2:     not run, no {AAVMF}/AAVMF_CODE.fd (Debian's qemu-efi-aarch64)")

    print("\nWhy not PASS:")
    for n in names:
        for fw, (results, _) in runs.items():
            result, why = results.get(n, ("-", "not reported"))
            if result != "PASS":
                print(f"  {n:{width}}{fw:10}{result} {why}")

    lite, summary = runs["EFI-lite"]
    unexpected = [n for n, (r, _) in lite.items() if r == "FAIL" and n not in EXPECTED_FAIL]
    if unexpected:
        print("\nEFI-lite fails cases not in EXPECTED_FAIL: " + ", ".join(unexpected))
    return 0 if summary and not unexpected else 1


if __name__ == "__main__":
    sys.exit(main())
