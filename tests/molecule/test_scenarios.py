"""Every Molecule scenario under molecule/ runs its full test sequence against the real sandbox."""

import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SEED_RESET = "../shared/reset_to_blue.yml"


def scenario(path):
    """A scenario that starts by resetting the seed migration to blue moves the seed state: it runs in the
    seed-state stream, one at a time with the other tests of that state."""
    config = yaml.safe_load((path / "molecule.yml").read_text())
    moves_seed = config["ansible"]["playbooks"].get("destroy") == SEED_RESET
    return pytest.param(path.name, id=path.name, marks=[pytest.mark.seed_state] if moves_seed else [])


SCENARIOS = [scenario(path) for path in sorted((ROOT / "molecule").iterdir()) if (path / "molecule.yml").exists()]


@pytest.mark.parametrize("name", SCENARIOS)
def test_molecule_scenario(name, sandbox_env):
    result = subprocess.run(["molecule", "test", "-s", name], cwd=ROOT, env=sandbox_env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, check=False, timeout=1800)
    assert result.returncode == 0, result.stdout[-8000:]
