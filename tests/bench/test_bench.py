"""The bench's log reading, on canned logs (no QEMU: part of make check)."""
import timing
from timing import ms

MAP = """\
[    0.000000] efi: Processing EFI memory map:
[    0.000000] efi:   0x000040000000-0x0000400fffff [Boot Data   |   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
[    0.000000] efi:   0x000040100000-0x00007feaffff [Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
[    0.000000] efi:   0x00007feb0000-0x00007febffff [ACPI Reclaim|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
[    0.000000] efi:   0x00007fec0000-0x00007ffdffff [Loader Data |   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
[    0.000000] efi:   0x00007ffe0000-0x00007ffeffff [Runtime Data|RUN|  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
[    0.000000] efi:   0x000004000000-0x000007ffffff [MMIO        |RUN|  |  |  |  |  |  |  |  |  |   |  |  |WC|  ]
[    0.089177] efi: memattr:  0x00007ffe0000-0x00007ffeffff [Runtime Data|RUN|  |  |  |  |  |XP|  |  |  |   |  |  |  |  ]
"""


def test_milestones_take_the_chunk_that_completes_a_marker():
    chunks = [(0.5, b"EFI-lite banner\nEFI stub: Booting"), (0.7, b" Linux Kernel...\n"),
              (0.9, b"[ 0.0] Booting Linux on physical CPU 0x0\n"), (1.5, b"INIT: reached\n")]
    assert timing.milestones(chunks) == {"output": 0.5, "stub": 0.7, "kernel": 0.9, "init": 1.5}
    assert timing.milestones([(0.1, b"U-Boot\n")]) == {"output": 0.1}
    assert timing.milestones([]) == {}


def test_guest_seconds_and_stages():
    log = (b"EFI-lite 1a2b at EL1 on Cortex-A57\nEFI-lite: stages (us since start): reset 0 "
           b"main 3 dt 1967 memmap 1976 mmu 2020 efi 2246 exit 3709\n"
           b"BENCH: cntvct 57808347 cntfrq 62500000\nINIT: reached\n")
    assert abs(timing.guest_seconds(log) - 0.924933552) < 1e-9
    assert timing.stages(log) == {"reset": 0, "main": 3, "dt": 1967, "memmap": 1976,
                                  "mmu": 2020, "efi": 2246, "exit": 3709}
    assert timing.VERSION_RE.search(log)[1] == b"1a2b"
    assert timing.guest_seconds(b"INIT: reached\n") is None
    assert timing.stages(b"EFI-lite: stages (us since start): reset 0\n") is None


def test_firmware_ram_counts_what_linux_cannot_use():
    held = timing.firmware_ram(MAP, 1 << 30)
    assert held == {"ACPI Reclaim": 0x10000, "Runtime Data": 0x10000, "(absent)": 0x10000}
    assert timing.firmware_ram("no map here", 1 << 30) is None


def test_ms():
    assert ms([0.1, 0.2, 0.25]) == "200 (100-250)"
    assert ms([0.1234]) == "123"
    assert ms([]) == "-"


def test_disk_section_tolerates_a_failed_boot():
    """A firmware that did not boot an image is a "failed" row, and the targets that
    need it say so instead of a ratio."""
    from contenders import CONFIGS
    import disk
    res = disk.DiskResults(CONFIGS[0], 1)
    ok = (b"[    0.800000] Run /init as init process\nBENCH: cntvct 62500000 cntfrq 62500000\n"
          b"BENCH: LoaderTimeInitUSec 12000\n")
    for fw, kernel in (("edk2", 1.0), ("uboot", 0.5)):
        for image, _ in disk.IMAGES:
            times = {"loader": 0.1, "stub": 0.2, "kernel": kernel, "init": 2.0, "exit": 2.1}
            assert res.add(image, fw, timing.Boot(ok, times), False) is None
            assert res.add(image, fw, timing.Boot(ok, times), True) is None
    crash = timing.Boot(b"EFI-lite crash\n", {"output": 0.05, "loader": 0.1}, 0)
    assert res.add("grub", "efilite", crash, False) == "init was not reached"
    good = {"loader": 0.05, "stub": 0.1, "kernel": 0.2, "init": 1.2, "exit": 1.3}
    res.add("sdboot", "efilite", timing.Boot(ok, good), False)
    res.add("sdboot", "efilite", timing.Boot(ok, good), True)
    grub = disk.table(res, "grub")
    assert "| EFI-lite | failed (init was not reached) |" in grub
    assert "| U-Boot | 100 | 200 | 500 | 2000 | 2100 | 12 | 200 | 1000 | - |" in grub
    assert ("| EDK2 (AAVMF) | 100 | 200 | 1000 | 2000 | 2100 | 12 | 200 | 1000 | 5.0x / 1.7x; "
            "1.0x |") in disk.table(res, "sdboot")
    t = {name: (measured, passed) for name, measured, passed in disk.targets(res)}
    assert t["disk, GRUB (grub-mkimage) from the ESP: kernel's first line at least 5x sooner "
             "than EDK2"] == ("failed to boot", None)
    assert t["disk, systemd-boot 252 and a UKI: kernel's first line at least 2x sooner than "
             "U-Boot"] == ("2.50x (guest time: 1.0x)", True)
    assert [v for k, v in t.items() if "LoaderTimeInitUSec" in k] == [("12.0 ms", True)]
