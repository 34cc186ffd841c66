"""Every Molecule scenario under molecule/ runs its full test sequence against the real sandbox."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p.name for p in (ROOT / "molecule").iterdir() if (p / "molecule.yml").exists())


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario, sandbox_env):
    result = subprocess.run(["molecule", "test", "-s", scenario], cwd=ROOT, env=sandbox_env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, check=False, timeout=1800)
    assert result.returncode == 0, result.stdout[-8000:]
