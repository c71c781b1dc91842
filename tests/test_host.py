"""Run the native unit-test programs (cmocka) built by make."""
import glob
import os
import subprocess
import pytest
from qemu import BUILD, ROOT

PROGRAMS = sorted(glob.glob(os.path.join(BUILD, "host", "test_*")))


def test_host_programs_built():
    assert len(PROGRAMS) >= 4, PROGRAMS


@pytest.mark.parametrize("prog", PROGRAMS, ids=os.path.basename)
def test_host_program(prog):
    p = subprocess.run([prog], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "[  PASSED  ]" in p.stdout + p.stderr, p.stdout + p.stderr


FUZZERS = sorted(glob.glob(os.path.join(BUILD, "fuzz", "fuzz_*")))


@pytest.mark.parametrize("fuzzer", FUZZERS, ids=os.path.basename)
def test_fuzz_short(fuzzer, tmp_path):
    """A short libFuzzer run per parser of untrusted input (`make fuzz` runs long)."""
    p = subprocess.run([fuzzer, "-runs=20000", "-seed=1", str(tmp_path)], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr[-3000:]
    assert "Done 20000 runs" in p.stderr, p.stderr[-3000:]


def test_fuzz_fat_seeded(tmp_path):
    """fuzz_fat from mkfs.vfat/mtools volumes (tests/fuzz/fat_seeds.sh): a few seconds."""
    fuzzer = os.path.join(BUILD, "fuzz", "fuzz_fat")
    seeds = tmp_path / "seeds"
    subprocess.run([os.path.join(ROOT, "tests", "fuzz", "fat_seeds.sh"), str(seeds)],
                   check=True, timeout=120)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    p = subprocess.run([fuzzer, "-max_total_time=5", "-seed=1", str(corpus), str(seeds)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr[-3000:]
    assert "INITED" in p.stderr and "Done" in p.stderr, p.stderr[-3000:]
