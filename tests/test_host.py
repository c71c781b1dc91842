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
