# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runbook's deployment.log: one line per ledger event, kept on the controller beside the results."""

import os


def log_line(event, ledger):
    """``<at> <migration, or without one the ledger> phase <phase> (<name>) <event>[ <outcome>]``: a log shared by two migrations
    still tells their phases apart."""
    who = (ledger.get("migration") or {}).get("name") or ledger.get("name")
    line = "{0} {1} phase {2} ({3}) {4}".format(event.get("at"), who, event.get("phase"), event.get("name"), event.get("event"))
    return line + (" " + event["outcome"] if event.get("outcome") else "")


def append(path, line):
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")
    os.chmod(path, 0o644)
