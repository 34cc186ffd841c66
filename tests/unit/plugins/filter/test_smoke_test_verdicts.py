"""The smoke test's judgement of http_check's answers."""

from ansible_collections.ecoeco.bluegreen.plugins.filter.smoke_test_verdicts import smoke_test_verdicts


def answer(status, json_body=None, content="", msg="", expected=200, json_contains=None):
    request = {"domain": "auth", "endpoint": "pod auth-api-1:8000 (port-forward)", "method": "GET", "path": "/health",
               "status": expected, "json_contains": json_contains or {}}
    response = {"status": status, "content": content, "msg": msg, "request": request}
    if json_body is not None:
        response["json"] = json_body
    return response


def problems(*responses, unreachable=()):
    return [result["problem"] for result in smoke_test_verdicts(list(responses), list(unreachable))]


def test_an_answer_with_the_status_and_the_keys_passes():
    healthy = answer(200, {"status": "healthy", "version": "green", "db": {"ok": True, "ms": 3}},
                     json_contains={"status": "healthy", "db": {"ok": True}})
    (result,) = smoke_test_verdicts([healthy], [])
    assert result == {"domain": "auth", "endpoint": "pod auth-api-1:8000 (port-forward)", "method": "GET", "path": "/health",
                      "status": 200, "passed": True, "problem": ""}


def test_a_wrong_status_a_missing_key_and_no_answer_each_say_what_came_back():
    assert problems(answer(500, content="x" * 300)) == ["got 500 (expected 200): " + "x" * 200 + "..."]
    assert problems(answer(200, {"status": "starting"}, content='{"status": "starting"}', json_contains={"status": "healthy"})) == [
        'answer lacks {"status": "healthy"}: {"status": "starting"}']
    assert problems(answer(200, ["healthy"], json_contains={"status": "healthy"})) == ['answer lacks {"status": "healthy"}: ']
    assert problems(answer(-1, msg="ConnectionError: refused")) == ["no answer: ConnectionError: refused"]
    assert problems(answer(404, expected=404)) == [""]


def test_an_unreachable_service_comes_first_as_a_failure():
    results = smoke_test_verdicts([answer(200)], [{"domain": "chat", "endpoint": "chat/chat-api", "problem": "no Ready endpoint"}])
    assert [(result["domain"], result["passed"], result["status"], result["method"]) for result in results] == [
        ("chat", False, None, "-"), ("auth", True, 200, "GET")]
