# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which migration a ledger belongs to: its name (given, or derived from the source namespace and the ALB), the
ledger ConfigMap named after it, and the refusals (a ledger of another migration, two unfinished migrations
claiming the same source namespace or the same Ingresses). No I/O here, so every rule is tested without a cluster."""

import hashlib
import json
import re

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError, InvalidInput
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger.book import MIGRATION_KEY, PROGRESS

# The one ledger every migration shared before migrations had names (collection 0.1); adopted by its migration.
LEGACY_NAME = "bluegreen-ledger"
PREFIX = LEGACY_NAME + "-"
# States after which a migration claims nothing any more: blue is gone, or traffic is back on blue.
FINISHED = ("blue-removed", "rolled-back")
LABEL_MAX = 63
SUBDOMAIN_MAX = 253
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_EXPECTED = ("a DNS-1123 label: at most {0} lowercase letters, digits and '-', starting and ending with a letter "
                  "or digit (the ledger ConfigMap is named {1}<migration name>)".format(LABEL_MAX, PREFIX))


class ForeignLedger(BlueGreenError):
    """The ledger belongs to another migration; nothing was written."""


class MigrationConflict(BlueGreenError):
    """Another unfinished migration claims the same source namespace or Ingresses; nothing was written."""


def derive_name(source_namespace, alb_name=""):
    """``<source namespace>-<ALB name>`` as a DNS-1123 label: stable for one migration, different for two that
    leave different namespaces or go through different ALBs. Too long a name keeps a hash of the whole."""
    whole = "-".join(part for part in (source_namespace, alb_name) if part)
    name = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", whole.lower())).strip("-")
    if len(name) > LABEL_MAX:
        name = name[:LABEL_MAX - 9].rstrip("-") + "-" + hashlib.sha256(whole.encode("utf-8")).hexdigest()[:8]
    return name


def ledger_name(migration_name):
    return PREFIX + migration_name


def check_ledger_name(name):
    """An explicit ledger name must be a ConfigMap name (a DNS-1123 subdomain)."""
    if len(name) > SUBDOMAIN_MAX or not _SUBDOMAIN.match(name):
        raise InvalidInput("name", "a ConfigMap name (a DNS-1123 subdomain: at most {0} lowercase letters, digits, '-' and '.', "
                           "starting and ending with a letter or digit)".format(SUBDOMAIN_MAX), name)


def identity(params):
    """The migration's identity from the module's ``migration`` option (None without one); raises InvalidInput for a
    name that cannot name a ledger ConfigMap or a missing source namespace."""
    if not params:
        return None
    source = params.get("source_namespace") or ""
    if not _LABEL.match(source):
        raise InvalidInput("migration.source_namespace", "the namespace the migration moves out of (a DNS-1123 label)", source)
    name = params.get("name") or derive_name(source, params.get("alb_name") or "")
    if len(name) > LABEL_MAX or not _LABEL.match(name):
        raise InvalidInput("migration.name (bluegreen_migration_name)", LABEL_EXPECTED, name)
    return {"name": name, "source_namespace": source, "domains": list(params.get("domains") or []),
            "alb_name": params.get("alb_name") or "", "workload_name_suffix": params.get("workload_name_suffix") or ""}


def recorded(record):
    """The migration a ledger record says it belongs to (a dict), or None for a ledger written before migrations had
    names or not written by a migration at all (a release ledger)."""
    value = record.get(MIGRATION_KEY)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    return value if isinstance(value, dict) and value.get("name") else None


def sources_named(record):
    """Source namespaces an unnamed ledger's events name (phase 0 records the one it backed up)."""
    found = set()
    for event in record.get("events") or []:
        source = ((event.get("details") or {}).get("source") or {}) if isinstance(event, dict) else {}
        if isinstance(source, dict) and source.get("namespace"):
            found.add(source["namespace"])
    return found


def describe(migration, where=None):
    text = "'{0}' (source namespace {1}".format(migration.get("name", "?"), migration.get("source_namespace") or "unknown")
    return text + (", ledger {0})".format(where) if where else ")")


def same(one, other):
    return one.get("name") == other.get("name") and one.get("source_namespace") == other.get("source_namespace")


def check_owner(where, record, mine):
    """None when the ledger may serve ``mine``: it names ``mine``, or names no migration and either no source
    namespace or ``mine``'s among those its events name (a new ledger, or one written before migrations had names,
    given by name). Raises ForeignLedger naming both otherwise."""
    theirs = recorded(record)
    if theirs is not None:
        if same(theirs, mine):
            return
        raise ForeignLedger(
            "ledger {0} belongs to migration {1}, not to this migration {2}; nothing was changed. Give this migration its "
            "own ledger: unset ledger_name (the ledger is then {3}) or set another bluegreen_migration_name".format(
                where, describe(theirs), describe(mine), ledger_name(mine["name"])),
            ledger=where, migration=mine["name"], other_migration=theirs.get("name"))
    others = sources_named(record)
    if others and mine["source_namespace"] not in others:
        raise ForeignLedger(
            "ledger {0} holds the events of a migration out of source namespace {1} (recorded before migrations had names), "
            "not of this migration {2}; nothing was changed. Give this migration its own ledger: unset ledger_name (the "
            "ledger is then {3})".format(where, ", ".join(sorted(others)), describe(mine), ledger_name(mine["name"])),
            ledger=where, migration=mine["name"])


def adoptable(record, mine):
    """Whether the legacy ledger (``bluegreen-ledger``) is this migration's: claimed by it already, or unnamed with
    events of exactly this source namespace. Then it stays this migration's ledger, under its old name."""
    theirs = recorded(record)
    if theirs is not None:
        return same(theirs, mine)
    return sources_named(record) == {mine["source_namespace"]}


def ingresses(migration):
    """The Ingresses a migration switches: ``<source>/<d><suffix>`` (blue) and ``<d>/<d><suffix>`` (green)."""
    suffix = migration.get("workload_name_suffix") or ""
    found = set()
    for domain in migration.get("domains") or []:
        found.add("{0}/{1}{2}".format(migration.get("source_namespace"), domain, suffix))
        found.add("{0}/{0}{1}".format(domain, suffix))
    return found


def is_finished(record):
    return record.get("state") in FINISHED


def claims(record, held):
    """Whether a migration holds on to its objects: from its first phase that changed the cluster (its state is one of
    the migration's states) or while one of its phases runs (it holds the lease), until blue is removed or traffic is
    back on blue. A migration that only ran its preflight (which only reads) claims nothing yet."""
    if is_finished(record):
        return False
    return record.get("state") in PROGRESS or bool(held)


def check_conflicts(where, mine, others):
    """Raises MigrationConflict when another unfinished migration (``others``: (where, record, lease) of the other
    ledgers in the ledger namespace) claims this migration's source namespace or one of its Ingresses."""
    for other_where, record, held in others:
        if other_where == where or not claims(record, held):
            continue
        theirs = recorded(record)
        if theirs is None:
            # A ledger written before migrations had names: its events name its source namespace.
            sources = sources_named(record)
            if mine["source_namespace"] not in sources:
                continue
            theirs = {"name": "(unnamed)", "source_namespace": mine["source_namespace"]}
        elif same(theirs, mine):
            continue  # this migration, recorded in a ledger given by name as well
        shared = []
        if theirs.get("source_namespace") == mine["source_namespace"]:
            shared.append("the source namespace {0}".format(mine["source_namespace"]))
        common = sorted(ingresses(theirs) & ingresses(mine))
        if common and not shared:
            shared.append("the Ingresses {0}".format(", ".join(common)))
        if not shared:
            continue
        raise MigrationConflict(
            "migration {0} claims {1}, as does the unfinished migration {2} (state {3}); nothing was changed. One "
            "migration at a time moves these objects: finish or roll back {4} first (its phases 60 or 90), or, if it was "
            "abandoned, delete its ledger ConfigMap {5}".format(
                describe(mine, where), " and ".join(shared), describe(theirs, other_where), record.get("state") or "none",
                theirs.get("name"), other_where),
            ledger=where, migration=mine["name"], other_ledger=other_where, other_migration=theirs.get("name"))
