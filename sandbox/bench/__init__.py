"""Benchmarks of ecoeco.bluegreen on the sandbox: steady traffic through the front door while a switch,
a rollback or a whole migration runs, compared with what a team would otherwise do. ``make bench``."""
