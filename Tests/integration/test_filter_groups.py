"""Group filtering for the IdP: maws-roles' POST /filter-groups keeps the groups some role's trust
policy can match, so that a person in many directory groups gets a token STS accepts once the
IdP's sign-in hook applies it."""

import json
import urllib.error
import urllib.request

import pytest


def filter_groups(stack, groups, authorization):
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    request = urllib.request.Request(f"{stack.roles_api.url}/filter-groups", data=json.dumps(groups).encode(),
                                     method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10, context=stack.client_context()) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_only_groups_some_role_can_match_are_kept(stack):
    status, body = filter_groups(stack, {"groups": ["directory-x", "team-ops", "finance-eu", "everyone", "finance"]},
                                 f"Bearer {stack.filter_groups_secret}")
    assert status == 200
    assert body == {"groups": ["team-ops", "finance-eu", "everyone"]}  # finance-* matches finance-eu, not finance


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-secret-wrong-secret", "Basic x", ""])
def test_only_the_holder_of_the_secret_is_answered(stack, authorization):
    status, body = filter_groups(stack, {"groups": ["team-ops"]}, authorization)
    assert status == 401
    assert "secret" in body["error"] and stack.filter_groups_secret not in json.dumps(body)
    assert stack.filter_groups_secret not in stack.roles_log.read_text()


def test_a_malformed_request_is_refused(stack):
    assert filter_groups(stack, {"groups": "team-ops"}, f"Bearer {stack.filter_groups_secret}")[0] == 400


def test_sixty_groups_are_too_many_for_sts_until_the_idp_filters_them(maws, stack):
    stack.filter_groups_at_the_idp(False)
    refused = maws.run("-r", stack.role_arn("Admin"), user="carol")
    assert refused.returncode == 1
    assert "AWS rejected the sign-in because your group list" in refused.stderr
    stack.filter_groups_at_the_idp(True)
    try:
        assert maws.run("logout", "--all", config=False).returncode == 0  # the cached token has all 60 groups
        accepted = maws.run("-r", stack.role_arn("Admin"), user="carol")
        assert accepted.returncode == 0, accepted.stderr
        status = json.loads(maws.run("status", "--json", config=False).stdout)
        assert [sign_in["email"] for sign_in in status["signIns"]] == ["carol@example.com"]
        (session,) = (maws.home / "cache" / "maws").glob("session-*.json")
        assert json.loads(session.read_text())["claims"]["amr"] == ["team-ops"]
    finally:
        stack.filter_groups_at_the_idp(False)
