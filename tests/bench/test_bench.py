"""The bench's log reading, on canned logs (no QEMU: part of make check)."""
import timing
from report import ms

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
