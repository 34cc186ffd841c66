"""Entry point: ``python -m ecoeco_sandbox up|down|status|reset-to-blue``."""

import sys

from ecoeco_sandbox.cli import main

sys.exit(main())
