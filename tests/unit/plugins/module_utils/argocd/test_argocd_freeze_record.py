"""The freeze record round-trips exactly and rejects anything it did not write."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.freeze_record import (
    ANNOTATION,
    FreezeRecord,
    MalformedRecord,
    decode,
    new_record,
    utc_timestamp,
)

POLICY = {"automated": {"prune": True, "selfHeal": True}, "retry": {"limit": 5, "backoff": {"duration": "5s", "factor": 2}}}


def test_annotation_name_is_namespaced_to_the_collection():
    assert ANNOTATION == "bluegreen.ecoeco.io/frozen-sync-policy"


@pytest.mark.parametrize("policy", [POLICY, None, {}], ids=["policy", "absent", "empty"])
def test_a_record_decodes_to_exactly_what_was_encoded(policy):
    record = FreezeRecord(policy=policy, frozen_at="2025-01-31T12:00:00Z", frozen_by="deploy@bastion")
    assert decode(record.encode()) == record


def test_encoding_is_compact_and_key_sorted_so_equal_records_have_equal_text():
    text = FreezeRecord(policy={"b": 1, "a": 2}, frozen_at="2025-01-31T12:00:00Z", frozen_by="x").encode()
    assert text == '{"frozen_at":"2025-01-31T12:00:00Z","frozen_by":"x","policy":{"a":2,"b":1}}'


def test_timestamps_are_utc_whatever_the_input_zone():
    seoul = datetime(2025, 1, 31, 21, 0, 0, tzinfo=timezone(timedelta(hours=9)))
    assert utc_timestamp(seoul) == "2025-01-31T12:00:00Z"
    assert new_record(None, "me@here", seoul) == FreezeRecord(None, "2025-01-31T12:00:00Z", "me@here")


def _text(**overrides):
    data = {"policy": POLICY, "frozen_at": "2025-01-31T12:00:00Z", "frozen_by": "deploy@bastion"}
    data.update(overrides)
    return json.dumps({key: value for key, value in data.items() if value != "<drop>"})


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("automated: {prune: true}", "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2]", "JSON list, not an object"),
        ("null", "JSON NoneType, not an object"),
        (_text(policy="<drop>"), "key(s) policy missing"),
        (_text(frozen_at="<drop>", frozen_by="<drop>"), "key(s) frozen_at, frozen_by missing"),
        (_text(extra=1), "unexpected key(s) extra"),
        (_text(policy="automated"), "policy is a str, not an object or null"),
        (_text(policy=[1]), "policy is a list"),
        (_text(frozen_at="yesterday"), "frozen_at 'yesterday' is not a UTC time"),
        (_text(frozen_at="2025-01-31T12:00:00+09:00"), "is not a UTC time"),
        (_text(frozen_at=5), "frozen_at 5 is not a UTC time"),
        (_text(frozen_by=""), "frozen_by is not a non-empty string"),
        (_text(frozen_by=7), "frozen_by is not a non-empty string"),
    ],
)
def test_anything_but_the_record_shape_is_malformed_with_a_reason(raw, reason):
    with pytest.raises(MalformedRecord) as caught:
        decode(raw)
    assert reason in str(caught.value)


def test_characters_go_escapes_are_escaped_so_the_apiserver_sees_the_same_bytes():
    record = FreezeRecord(policy={"note": "<a & b>"}, frozen_at="2025-01-31T12:00:00Z", frozen_by="\uae40@host")
    text = record.encode()
    assert not set("<>&") & set(text) and text.isascii()
    assert decode(text) == record
