import copy

import jsonpatch
import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.patches import Change, escape, flip_patch, inverse, nested, pointer

ORDER = "alb.ingress.kubernetes.io/group.order"


@pytest.mark.parametrize(
    "token, escaped",
    [("version", "version"), ("app.kubernetes.io/version", "app.kubernetes.io~1version"), ("a~b", "a~0b"), ("~1", "~01"), ("/~", "~1~0")],
)
def test_escape_per_rfc_6901(token, escaped):
    assert escape(token) == escaped


def test_pointer():
    assert pointer(("metadata", "annotations", ORDER)) == "/metadata/annotations/alb.ingress.kubernetes.io~1group.order"


@pytest.mark.parametrize(
    "change, ops",
    [
        pytest.param(
            Change(("spec", "selector", "version"), "blue", "green"),
            [{"op": "test", "path": "/spec/selector/version", "value": "blue"},
             {"op": "replace", "path": "/spec/selector/version", "value": "green"}],
            id="replace-guarded-by-test",
        ),
        pytest.param(
            Change(("metadata", "annotations", ORDER), None, "-1", parent={"g": "x"}),
            [{"op": "test", "path": "/metadata/annotations", "value": {"g": "x"}},
             {"op": "add", "path": "/metadata/annotations/alb.ingress.kubernetes.io~1group.order", "value": "-1"}],
            id="absent-field-guarded-by-its-parent",
        ),
        pytest.param(
            Change(("metadata", "annotations", ORDER), "-1", None),
            [{"op": "test", "path": "/metadata/annotations/alb.ingress.kubernetes.io~1group.order", "value": "-1"},
             {"op": "remove", "path": "/metadata/annotations/alb.ingress.kubernetes.io~1group.order"}],
            id="remove-guarded-by-test",
        ),
    ],
)
def test_flip_patch(change, ops):
    assert flip_patch(change) == ops


def test_absent_field_without_parent_is_refused():
    with pytest.raises(ValueError):
        flip_patch(Change(("metadata", "annotations", ORDER), None, "1"))


@pytest.mark.parametrize(
    "document, change",
    [
        pytest.param({"spec": {"selector": {"app": "x", "version": "blue"}}}, Change(("spec", "selector", "version"), "blue", "green"), id="selector"),
        pytest.param({"metadata": {"annotations": {"g": "x"}}}, Change(("metadata", "annotations", ORDER), None, "4", parent={"g": "x"}), id="unset-order"),
        pytest.param({"metadata": {"annotations": {ORDER: "10"}}}, Change(("metadata", "annotations", ORDER), "10", "4"), id="set-order"),
    ],
)
def test_flip_then_inverse_restores_the_document_exactly(document, change):
    flipped = jsonpatch.apply_patch(document, flip_patch(change))
    assert flipped != document
    assert jsonpatch.apply_patch(flipped, flip_patch(inverse(change))) == document


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(Change(("spec", "selector", "version"), "blue", "green"), id="value-changed"),
        pytest.param(Change(("metadata", "annotations", ORDER), None, "4", parent={"g": "x"}), id="parent-changed"),
    ],
)
def test_patch_does_not_apply_after_a_concurrent_edit(change):
    document = {"spec": {"selector": {"version": "canary"}}, "metadata": {"annotations": {"g": "x", ORDER: "3"}}}
    with pytest.raises(jsonpatch.JsonPatchTestFailed):
        jsonpatch.apply_patch(copy.deepcopy(document), flip_patch(change))


def test_nested():
    assert nested(("spec", "selector", "version"), "green") == {"spec": {"selector": {"version": "green"}}}
    assert nested(("metadata", "annotations", ORDER), None) == {"metadata": {"annotations": {}}}
