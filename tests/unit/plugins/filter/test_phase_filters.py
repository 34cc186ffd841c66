"""The routes of a migration and the message of a failed task: what every phase play shares."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ecoeco.bluegreen.plugins.filter.failure_message import failure_message
from ansible_collections.ecoeco.bluegreen.plugins.filter.migration_routes import migration_routes


def test_every_domain_moves_from_the_source_namespace_to_its_own():
    assert migration_routes(["auth", "orders"], "api", "-api") == [
        {"name": "auth", "blue": {"namespace": "api", "name": "auth-api"}, "green": {"namespace": "auth", "name": "auth-api"}},
        {"name": "orders", "blue": {"namespace": "api", "name": "orders-api"}, "green": {"namespace": "orders", "name": "orders-api"}}]
    assert migration_routes(["auth"], "api") == [
        {"name": "auth", "blue": {"namespace": "api", "name": "auth"}, "green": {"namespace": "auth", "name": "auth"}}]


@pytest.mark.parametrize("domains, source", [("auth", "api"), (["auth", ""], "api"), (["auth"], "")])
def test_bad_domains_or_source_are_refused(domains, source):
    with pytest.raises(AnsibleFilterError, match="migration_routes: expected"):
        migration_routes(domains, source)


@pytest.mark.parametrize("result, message", [
    ({"failed": True, "msg": "green never became ready"}, "green never became ready"),
    ({"failed": True, "results": [{"failed": True, "msg": "a"}, {"failed": False, "msg": "fine"}, {"msg": "b"}, {"failed": True, "msg": "c"}]}, "a; c"),
    ({"failed": True}, ""),
    (None, ""),
])
def test_the_message_of_a_failed_task_or_of_its_failed_items(result, message):
    assert failure_message(result) == message
