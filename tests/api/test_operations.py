"""What the operations answer: the stream's filters and keyset pages, corrections, topic
queries with their position, replies held for a manager, and the inbox's views."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from harken.inbox.models import Message
from harken.inbox.states import State
from harken.listening.models import Author, Mention


def _mentions(workspace, n: int, text: str = "ring {i}") -> list[Mention]:
    author = Author.objects.create(
        workspace=workspace, network="bluesky", external_id="a", handle="ann"
    )
    now = timezone.now()
    return [
        Mention.objects.create(
            workspace=workspace,
            network="bluesky",
            external_id=f"m{i}",
            author=author,
            text=text.format(i=i),
            posted=now - timedelta(minutes=i),
            sentiment="negative" if i % 2 else "positive",
        )
        for i in range(n)
    ]


def test_mentions_page_by_keyset_without_gaps_or_repeats(tokens, workspace):
    made = _mentions(workspace, 7)
    api, seen, before = tokens["viewer"], [], None
    while True:
        params = {"limit": 3, "network": "bluesky", **({"before": before} if before else {})}
        page = api.get("/mentions", **params).json()
        seen += [m["id"] for m in page["items"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen == [m.pk for m in made]  # newest first, each once


def test_mentions_are_filtered_and_searched_like_the_stream(tokens, workspace):
    _mentions(workspace, 6, "opal ring {i}")
    api = tokens["viewer"]
    negative = api.get("/mentions", sentiment="negative").json()["items"]
    assert len(negative) == 3 and {m["sentiment"] for m in negative} == {"negative"}
    assert [m["text"] for m in api.get("/mentions", q='"ring 4"').json()["items"]] == [
        "opal ring 4"
    ]
    assert api.get("/mentions", q="opal -ring").json()["items"] == []


def test_a_bad_filter_is_a_400_naming_its_field(tokens, workspace):
    api = tokens["viewer"]
    refused = api.get("/mentions", sentiment="furious")
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid" and refused.json()["field"] == "sentiment"
    stale = api.get("/mentions", before=999999)
    assert stale.status_code == 400 and stale.json()["field"] == "before"


def test_a_correction_changes_the_label_and_is_audited(tokens, workspace):
    mention = _mentions(workspace, 1)[0]
    answer = tokens["responder"].post(
        f"/mentions/{mention.pk}/correction", {"field": "intent", "label": "complaint"}
    )
    assert answer.status_code == 200 and answer.json()["intents"] == ["complaint"]
    mention.refresh_from_db()
    assert mention.intents == ["complaint"]
    wrong = tokens["responder"].post(
        f"/mentions/{mention.pk}/correction", {"field": "intent", "label": "furious"}
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "label"


def test_a_topic_query_that_does_not_parse_says_where(tokens, workspace):
    api = tokens["manager"]
    checked = api.post("/topics/validate", {"query": 'ring "opal'}).json()
    assert checked["valid"] is False and checked["position"] >= 1 and checked["message"]
    refused = api.post("/topics", {"name": "Bad", "query": 'ring "opal'})
    body = refused.json()
    assert refused.status_code == 400
    assert body["code"] == "invalid_query" and body["field"] == "query"
    assert body["position"] == checked["position"]
    assert api.get("/topics").json() == []


def test_a_reply_that_promises_too_much_comes_back_held(tokens, rows):
    pk = rows.conversation.pk
    held = tokens["responder"].post(
        f"/conversations/{pk}/replies", {"text": "We will refund your $150 today."}
    )
    assert held.status_code == 201
    body = held.json()
    assert body["state"] == State.HELD and "refund" in body["hold_reason"]
    assert Message.objects.get(pk=body["id"]).external_id == ""  # nothing went out
    listed = tokens["manager"].get("/conversations", view="held").json()["items"]
    assert [c["id"] for c in listed] == [pk] and listed[0]["held"] is True


def test_a_reply_is_sent_once_per_key(tokens, rows, mastodon):
    pk = rows.conversation.pk
    api = tokens["responder"]
    first = api.post(f"/conversations/{pk}/replies", {"text": "In stock!", "key": "k-1"}).json()
    again = api.post(f"/conversations/{pk}/replies", {"text": "In stock!", "key": "k-1"}).json()
    assert first["state"] == State.SENT and again["id"] == first["id"]
    assert Message.objects.filter(conversation_id=pk, is_note=False).count() == 1


def test_triage_goes_through_the_inbox_actions(tokens, rows, bob):
    pk, api = rows.conversation.pk, tokens["responder"]
    assigned = api.post(f"/conversations/{pk}/assign", {"assignee": bob.pk}).json()
    assert assigned["conversation"]["assignee"] == bob.pk
    assert api.get("/conversations", view="mine").json()["items"][0]["id"] == pk
    outsider = api.post(f"/conversations/{pk}/assign", {"assignee": 999999})
    assert outsider.status_code == 400 and outsider.json()["field"] == "assignee"
    tagged = api.post(f"/conversations/{pk}/tags", {"name": "Opal  Ring"}).json()
    assert [t["name"] for t in tagged["conversation"]["tags"]] == ["opal ring"]
    later = (timezone.now() + timedelta(hours=2)).isoformat()
    snoozed = api.post(f"/conversations/{pk}/snooze", {"until": later}).json()
    assert snoozed["conversation"]["snoozed_until"] is not None
    past = api.post(f"/conversations/{pk}/snooze", {"until": "2001-01-01T00:00:00Z"})
    assert past.status_code == 400
    resolved = api.post(f"/conversations/{pk}/resolve").json()
    assert resolved["conversation"]["status"] == "resolved"


def test_contacts_update_and_import(tokens, rows):
    api = tokens["manager"]
    changed = api.patch(f"/contacts/{rows.contact.pk}", {"tags": ["vip", "opal"], "notes": "x"})
    assert changed.json()["tags"] == ["vip", "opal"] and changed.json()["name"] == "Maya"
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("c.csv", b"email,status\nnot-an-email,customer\n")
    answer = api.client.post("/api/v1/contacts/import", {"file": bad}, headers=api._headers())
    assert answer.status_code == 200 and answer.json()["ok"] is False
    assert answer.json()["errors"] and answer.json()["created"] == 0


def test_a_responders_post_waits_for_an_approver_and_the_gate_still_applies(tokens, rows):
    body = {
        "text": "Opal studs, new in.",
        "accounts": [rows.account.pk],
        "at": (timezone.now() + timedelta(days=5)).isoformat(),
        "schedule": True,
    }
    made = tokens["responder"].post("/posts", body)
    assert made.status_code == 201
    post = made.json()
    assert [v["state"] for v in post["variants"]] == ["awaiting_approval"]
    refused = tokens["responder"].post(f"/posts/{post['id']}/approve", {})
    assert refused.status_code == 403
    approved = tokens["manager"].post(f"/posts/{post['id']}/approve", {"comment": "Lovely"})
    assert [v["state"] for v in approved.json()["variants"]] == ["scheduled"]
    # The same time again on the same account: the guidelines gate refuses it, by rule.
    clash = tokens["manager"].post("/posts", {**body, "text": "Opal rings too."})
    assert clash.status_code == 409 and clash.json()["code"] == "cannot_schedule"
    assert clash.json()["problems"][0]["account"] == rows.account.handle
