"""W^X and the loaders that predate it (docs/handoff.md): an image without NX_COMPAT gets
flip pages (RW or RX, never both; a store into its own page runs out of line), and RWX
only for a page a store-exclusive writes from within; an NX_COMPAT image gets nothing
relaxed. GRUB 2.06 (grub-mkimage, modules from Debian's
grub-efi-arm64-bin) and a systemd-stub 252 UKI boot Debian's kernel to the test
initramfs. And EDK2's switch that leaves EFI_MEMORY_ATTRIBUTE_PROTOCOL out."""
import os
import re
import struct
import subprocess
import pytest
from conftest import CACHE
from qemu import BUILD, boot
from test_linux import BAD

WXTEST = os.path.join(BUILD, "efi-apps", "wxtest.efi")
KNOB = "name=opt/org.tianocore/UninstallMemAttrProtocol,string="
GRUB_MODULES = os.path.join(CACHE, "grub-efi-arm64-bin", "usr", "lib", "grub", "arm64-efi")
SD_STUB = os.path.join(CACHE, "systemd-boot-efi", "usr", "lib", "systemd", "boot", "efi",
                       "linuxaa64.efi.stub")
CMDLINE = "console=ttyAMA0 earlycon panic=-1"
LEGACY = ("EFI-lite: W^X: EFI application is not NX_COMPAT: the EfiLoaderCode pages it "
          "allocates flip between RW and RX on faults\n")
KERNEL_NX = "EFI-lite: W^X: Linux kernel is NX_COMPAT: W^X enforced\n"
MACHINES = [("virt", "cortex-a57"), ("virt,virtualization=on", "max")]


def figures(log, when):
    """(to RX, to RW, stores out of line, RWX made, RWX still) from the W^X report."""
    m = re.search(rf"EFI-lite: W\^X: {when}: (\d+) flips to RX, (\d+) to RW, (\d+) stores "
                  r"run out of line, (\d+) pages made RWX \((\d+) still\)\n", log)
    assert m, log
    return tuple(int(g) for g in m.groups())


def nx_compat(src, dst):
    """A copy of src with IMAGE_DLLCHARACTERISTICS_NX_COMPAT set in its PE header."""
    data = bytearray(open(src, "rb").read())
    pe = struct.unpack_from("<I", data, 0x3c)[0]
    dll = pe + 24 + 70                  # OptionalHeader.DllCharacteristics (PE32+)
    struct.pack_into("<H", data, dll, struct.unpack_from("<H", data, dll)[0] | 0x100)
    dst.write_bytes(data)
    return str(dst)


def check_legacy_app(log):
    """wxtest run with "split self exclusive memattr", as it is (not NX_COMPAT); also
    under KVM (tests/kvm/nested_kvm.py)."""
    assert LEGACY in log, log
    codes = [int(a, 16) for a in re.findall(r"wxtest: code at ([0-9A-F]+)\n", log)]
    assert len(codes) == 3, log
    # The rewritten code ran (the flip to RX invalidated the I-cache), its stores landed.
    assert "wxtest: split: 7 then 9, data 1234 5678\n" in log, log
    # A store into its own page ran out of line: WXN never went off for it.
    assert "wxtest: EFI_MEMORY_ATTRIBUTE_PROTOCOL: present (Success), WXN 1\n" in log, log
    assert "wxtest: self: 11, data ABCD, WXN 1\nwxtest: self: freed, WXN 1\n" in log, log
    # A store-exclusive into its own page: RWX, WXN off exactly while that page exists.
    assert (f"EFI-lite: W^X: the store-exclusive at {codes[2] + 4:#x} writes the page it "
            "runs from: that page and any other like it become RWX, with SCTLR.WXN off "
            "while one exists\n" in log), log
    assert ("wxtest: exclusive: 13, data FEED, WXN 0\nwxtest: exclusive: freed, WXN 1\n"
            in log), log
    assert "wxtest: memattr: 5, data 4242\n" in log, log
    # split: fetch (RX), rewrite (RW), fetch (RX); self: fetch (RX), its store (RW, out
    # of line), the BRK after it (RX); exclusive: fetch (RX), the store-exclusive (RWX).
    assert figures(log, "EFI application returned") == (5, 2, 1, 1, 0), log
    assert "crash" not in log.lower(), log


@pytest.mark.parametrize("machine,cpu", MACHINES)
def test_legacy_image_flips_and_falls_back_to_rwx(machine, cpu):
    run = boot(kernel=WXTEST, append="split self exclusive memattr", machine=machine,
               cpu=cpu)
    assert not run.timed_out and run.returncode == 0, run.log
    check_legacy_app(run.log)


def test_nx_compat_image_gets_nothing_relaxed(tmp_path):
    app = nx_compat(WXTEST, tmp_path / "wxtest-nx.efi")
    run = boot(kernel=app, append="memattr split")
    log = run.log
    assert "EFI-lite: W^X: EFI application is NX_COMPAT: W^X enforced\n" in log, log
    assert "not NX_COMPAT" not in log and "flips to RX" not in log, log
    # Through the memory attribute protocol its code runs...
    assert "wxtest: memattr: 5, data 4242\n" in log, log
    # ... but code written into EfiLoaderCode and called faults, where it was written.
    code = int(re.search(r"wxtest: code at ([0-9A-F]+)\n", log)[1], 16)
    assert "instruction abort, permission fault at level" in log, log
    assert re.search(rf"FAR  0x0*{code:x}\n", log), log
    assert "wxtest: split:" not in log, log
    assert not run.timed_out and run.returncode == 0, log


@pytest.mark.parametrize("value,present", [("y", False), ("Yes\n", False), ("n", True),
                                           ("bogus", True)])
def test_uninstall_mem_attr_protocol_knob(value, present, tmp_path):
    knob = tmp_path / "knob"
    knob.write_text(value)
    run = boot(kernel=WXTEST, append="memattr",
               extra=["-fw_cfg", f"name=opt/org.tianocore/UninstallMemAttrProtocol,file={knob}"])
    log = run.log
    line = ("EFI-lite: EFI_MEMORY_ATTRIBUTE_PROTOCOL not installed "
            "(fw_cfg opt/org.tianocore/UninstallMemAttrProtocol)\n")
    assert log.count(line) == (0 if present else 1), log
    if present:
        assert "wxtest: EFI_MEMORY_ATTRIBUTE_PROTOCOL: present (Success)" in log, log
        assert "wxtest: memattr: 5, data 4242\n" in log, log
    else:
        assert "wxtest: EFI_MEMORY_ATTRIBUTE_PROTOCOL: absent (Not Found)" in log, log
    assert "wxtest: done\n" in log and not run.timed_out and run.returncode == 0, log


def test_uninstall_knob_as_string_on_the_command_line():
    """The exact line EDK2's users pass."""
    run = boot(kernel=WXTEST, append="x", extra=["-fw_cfg", KNOB + "y"])
    assert "wxtest: EFI_MEMORY_ATTRIBUTE_PROTOCOL: absent (Not Found)" in run.log, run.log


def check_kernel(run):
    log = run.log
    assert not run.timed_out and run.returncode == 0, log
    assert "INIT: reached" in log and "INIT: done" in log, log
    for bad in BAD:
        assert bad not in log, f"{bad!r} in:\n{log}"
    assert "efi: EFI v2.100 by EFI-lite" in log and "KASLR enabled" in log, log
    # GRUB puts BOOT_IMAGE= first, as it always does.
    assert re.search(rf"INIT: cmdline: (BOOT_IMAGE=\S+ )?{CMDLINE}\n", log), log
    assert log.index(LEGACY) < log.index(KERNEL_NX) < log.index("EFI stub: Exiting boot"), log
    return log


@pytest.fixture(scope="session")
def grub(cloud_kernel, initrd, tmp_path_factory):
    """GRUB 2.06 with its config, the kernel and the initrd in a memdisk."""
    d = tmp_path_factory.mktemp("grub")
    files = d / "memdisk"
    files.mkdir()
    os.symlink(cloud_kernel, files / "vmlinuz")
    os.symlink(initrd, files / "initrd")
    subprocess.run(["tar", "-C", str(files), "-chf", str(d / "memdisk.tar"), "vmlinuz",
                    "initrd"], check=True)
    (d / "grub.cfg").write_text(f"echo grub: booting from memdisk\n"
                                f"linux (memdisk)/vmlinuz {CMDLINE}\n"
                                f"initrd (memdisk)/initrd\nboot\n")
    out = d / "grub.efi"
    subprocess.run(["grub-mkimage", "-O", "arm64-efi", "-d", GRUB_MODULES,
                    "-c", str(d / "grub.cfg"), "-m", str(d / "memdisk.tar"), "-p", "(memdisk)",
                    "-o", str(out), "memdisk", "tar", "linux", "boot", "echo", "normal"],
                   check=True)
    return str(out)


@pytest.mark.parametrize("machine,cpu", MACHINES)
def test_grub_modules_run_and_boot_linux(grub, machine, cpu):
    run = boot(kernel=grub, machine=machine, cpu=cpu, timeout=180)
    log = check_kernel(run)
    assert "Welcome to GRUB!" in log and "grub: booting from memdisk" in log, log
    # GRUB's modules share pages between text and data: stores into the page they run
    # from ran out of line, and no page ever became RWX.
    to_x, to_w, out_of_line, rwx, still = figures(log, "at ExitBootServices")
    assert to_x > 0 and to_w > 0 and out_of_line > 0 and rwx == still == 0, log


@pytest.fixture(scope="session")
def uki(cloud_kernel, initrd, tmp_path_factory):
    """A unified kernel image: systemd-stub 252 with .osrel, .cmdline, .linux, .initrd
    (bookworm has no ukify: objcopy places the sections, 2 MiB apart past the stub)."""
    d = tmp_path_factory.mktemp("uki")
    (d / "osrel").write_text('ID=debian\nVERSION_ID=12\nPRETTY_NAME="EFI-lite UKI test"\n')
    (d / "cmdline").write_text(CMDLINE)
    cmd, vma = ["aarch64-linux-gnu-objcopy"], 0x200000
    for name, path in ((".osrel", d / "osrel"), (".cmdline", d / "cmdline"),
                       (".linux", cloud_kernel), (".initrd", initrd)):
        cmd += ["--add-section", f"{name}={path}", "--change-section-vma", f"{name}={vma:#x}"]
        vma += (os.path.getsize(path) + 0x1fffff) & ~0x1fffff
    subprocess.run(cmd + [SD_STUB, str(d / "uki.efi")], check=True)
    return str(d / "uki.efi")


def test_uki_boots_linux(uki):
    log = check_kernel(boot(kernel=uki, timeout=180))
    assert "EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path" in log, log
    # systemd-stub 252 starts the kernel through LoadImage/StartImage: no flip was needed.
    assert figures(log, "at ExitBootServices") == (0, 0, 0, 0, 0), log


@pytest.fixture(scope="session")
def shim_disk(grub, tmp_path_factory):
    """shim 16.1 as \\EFI\\BOOT\\BOOTAA64.EFI, the GRUB above as grubaa64.efi beside it."""
    import diskimg
    shim = os.path.join(CACHE, "shim-signed", "usr", "lib", "shim", "shimaa64.efi.signed")
    d = tmp_path_factory.mktemp("shim")
    return diskimg.esp(str(d / "shim.img"), {"/EFI/BOOT/BOOTAA64.EFI": shim,
                                             "/EFI/BOOT/grubaa64.efi": grub}, size_mib=80)


def test_shim_loads_grub_with_and_without_the_memory_attribute_protocol(shim_disk):
    """shim's own PE loader runs GRUB from EfiLoaderCode it allocated: with the memory
    attribute protocol shim maps GRUB's sections itself; without it (EDK2's switch for
    old shims) the flips do, so more pages flip to RX. Linux boots either way."""
    flips = {}
    for knob in (False, True):
        extra = ["-drive", f"if=virtio,format=raw,file={shim_disk},snapshot=on"]
        run = boot(timeout=240, extra=extra + (["-fw_cfg", KNOB + "y"] if knob else []))
        log = run.log
        assert not run.timed_out and run.returncode == 0, log
        assert "INIT: reached" in log and "INIT: done" in log, log
        for bad in BAD:
            assert bad not in log, f"{bad!r} in:\n{log}"
        assert ("EFI-lite: W^X: \\EFI\\BOOT\\BOOTAA64.EFI is not NX_COMPAT: the EfiLoaderCode "
                "pages it allocates flip between RW and RX on faults\n") in log, log
        assert "Welcome to GRUB!" in log and KERNEL_NX in log, log
        assert ("EFI_MEMORY_ATTRIBUTE_PROTOCOL not installed" in log) == knob, log
        flips[knob] = figures(log, "at ExitBootServices")
        assert flips[knob][3] == 0, log                 # no RWX page
    assert flips[True][0] > flips[False][0], flips
