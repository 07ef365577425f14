"""The application form's anti-spam token is good for one submission: the
same form sent again (a replay, or a double click) is refused with a Chinese
message and nothing is saved, and every form shown again carries a fresh
token, so a person who corrects an error can still send it."""

import datetime as dt

import pytest
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from gongkai.core import form_tokens as tokens
from gongkai.applications.models import Application
from tests.applications.test_public import APPLY, RECEIVED, person
from tests.portal.helpers import parse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()  # rate-limit counters and used tokens
    yield
    cache.clear()


def shown_token(response) -> str:
    return parse(response).xpath("//input[@name='started']/@value")[0]


def later(monkeypatch, seconds):
    """The clock `seconds` ahead (a person takes that long to send the form shown)."""
    moment = timezone.now() + dt.timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_form_sent_twice_is_refused_the_second_time(client, org_tree):
    data = person(org_tree["county"])
    first = client.post(APPLY, data)
    assert first.status_code == 302 and first["Location"] == RECEIVED
    again = client.post(APPLY, data)
    page = again.content.decode()
    assert again.status_code == 200 and tokens.REPLAY_MESSAGE in page and tokens.SPAM_MESSAGE not in page
    assert Application.objects.count() == 1
    fresh = shown_token(again)
    assert fresh != data["started"] and tokens._read_token(fresh) is not None
    assert parse(again).xpath("//input[@name='applicant_name']/@value") == [data["applicant_name"]]


def test_a_replayed_token_is_refused_whatever_the_content(client, org_tree):
    data = person(org_tree["county"])
    assert client.post(APPLY, data).status_code == 302
    other = person(org_tree["county"], applicant_name="李四", info_title="另一份文件", started=data["started"])
    response = client.post(APPLY, other)
    assert response.status_code == 200 and tokens.REPLAY_MESSAGE in response.content.decode()
    assert Application.objects.count() == 1


def test_the_fresh_token_of_a_form_with_errors_lets_the_person_send_it(client, org_tree, monkeypatch):
    data = person(org_tree["county"], applicant_name="")
    refused = client.post(APPLY, data)
    assert refused.status_code == 200 and Application.objects.count() == 0
    fresh = shown_token(refused)
    assert fresh != data["started"]
    # the token first sent is used up with the form that had errors
    assert client.post(APPLY, {**data, "applicant_name": "张晓梅"}).status_code == 200
    assert Application.objects.count() == 0
    later(monkeypatch, 30)
    sent = client.post(APPLY, {**data, "applicant_name": "张晓梅", "started": fresh})
    assert sent.status_code == 302 and Application.objects.count() == 1


def test_a_refused_spam_submission_does_not_use_up_a_token(client, org_tree):
    data = person(org_tree["county"])
    honeypot = client.post(APPLY, {**data, "website": "http://spam.example"})
    assert tokens.SPAM_MESSAGE in honeypot.content.decode()
    assert client.post(APPLY, data).status_code == 302


def test_use_token_marks_each_token_once():
    shown = timezone.now() - dt.timedelta(seconds=10)
    one, two = tokens.issue_token(shown), tokens.issue_token(shown)
    assert one != two  # the nonce: two forms shown in the same instant differ
    assert tokens.use_token(one) and not tokens.use_token(one) and tokens.use_token(two)
    assert not tokens.use_token("forged:value") and not tokens.use_token("")
    # a token of the older form (a bare timestamp, signed) counts once as well
    old = signing.dumps(shown.timestamp(), salt=tokens.TOKEN_SALT)
    assert tokens.token_ok(old) and tokens.use_token(old) and not tokens.use_token(old)


def test_the_token_is_remembered_as_long_as_it_is_valid(monkeypatch):
    seen = {}

    def add(key, value, timeout=None):
        seen[key] = timeout
        return True

    monkeypatch.setattr(tokens.cache, "add", add)
    assert tokens.use_token(tokens.issue_token(timezone.now() - dt.timedelta(seconds=10)))
    assert list(seen.values()) == [tokens.MAX_SECONDS + 60]


def test_a_broken_cache_lets_citizens_apply(client, org_tree, monkeypatch):
    working = tokens.cache.add

    def broken(key, *args, **kwargs):
        if key.startswith(tokens.USED_KEY):
            raise ConnectionError("cache down")
        return working(key, *args, **kwargs)  # the rate limits' counters (they fail open on their own)

    monkeypatch.setattr(tokens.cache, "add", broken)
    assert client.post(APPLY, person(org_tree["county"])).status_code == 302
