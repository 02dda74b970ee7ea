"""Assignment rules on the writer's contact: customer status and one segment from the
customer import ("plan=gold"), a writer without a contact being a non-customer."""

from __future__ import annotations

from harken.contacts.models import Contact, Identity
from harken.inbox import assignment
from harken.inbox.models import AssignmentRule, Conversation
from harken.listening.models import Author
from tests.inbox.conftest import make_conversation
from tests.inbox.test_assignment import rule, unrouted


def known(workspace, handle: str, status: str, **segments: str) -> Conversation:
    """A conversation from a writer whose contact has this status and these segments."""
    conversation = unrouted(make_conversation(workspace, handle=handle))
    contact = Contact.objects.create(
        workspace=workspace, name=handle.title(), status=status, segments=segments
    )
    Identity.objects.create(
        workspace=workspace,
        contact=contact,
        network="mastodon",
        handle=handle,
        author=Author.objects.get(workspace=workspace, external_id=f"id-{handle}"),
    )
    return conversation


def test_gold_customers_go_to_their_own_member(workspace, alice, bob):
    rule(workspace, "Gold", 1, assignee=alice, customer_status="customer", segment="Plan = GOLD")
    rule(workspace, "Prospects", 2, assignee=bob, customer_status="prospect")
    gold = known(workspace, "gilda", "customer", plan="gold", region="north")
    silver = known(workspace, "silvio", "customer", plan="silver")
    prospect = known(workspace, "pat", "prospect", plan="gold")
    stranger = unrouted(make_conversation(workspace, handle="stranger"))
    done = assignment.route([gold.pk, silver.pk, prospect.pk, stranger.pk])
    # The gold prospect is no customer; the silver customer and the stranger match nothing.
    assert done == {gold.pk: alice.pk, prospect.pk: bob.pk}


def test_a_writer_without_a_contact_is_a_non_customer(workspace, alice, bob):
    rule(workspace, "Not customers yet", 1, assignee=bob, customer_status="non_customer")
    stranger = unrouted(make_conversation(workspace, handle="stranger"))
    customer = known(workspace, "cora", "customer")
    assert assignment.route([stranger.pk, customer.pk]) == {stranger.pk: bob.pk}


def test_a_merged_away_contact_no_longer_decides(workspace, alice):
    rule(workspace, "Gold", 1, assignee=alice, segment="plan=gold")
    conversation = known(workspace, "gilda", "customer", plan="gold")
    kept = Contact.objects.create(workspace=workspace, name="Gilda", segments={"plan": "bronze"})
    Contact.objects.filter(identities__handle="gilda").update(merged_into=kept)
    assert assignment.route([conversation.pk]) == {}


def test_rules_without_contact_conditions_do_not_look_contacts_up(
    workspace, alice, django_assert_num_queries
):
    rule(workspace, "All", 1, assignee=alice)
    conversation = make_conversation(workspace, handle="x")
    facts = assignment.facts_for([conversation], contacts=False)
    assert facts[conversation.pk].customer_status == "non_customer"
    with django_assert_num_queries(1):  # the identities, joined to their contacts
        assignment._contact_facts([conversation], {conversation.pk: facts[conversation.pk]})


def test_the_settings_page_saves_and_shows_segment_conditions(workspace, alice, alice_client):
    data = {
        "name": "Gold",
        "position": 1,
        "enabled": "on",
        "customer_status": "customer",
        "segment": "plan=gold",
        "assignee": alice.pk,
    }
    assert alice_client.post("/inbox/assignment/", data).status_code == 302
    made = AssignmentRule.objects.get()
    assert (made.customer_status, made.segment) == ("customer", "plan=gold")
    page = alice_client.get("/inbox/assignment/").content.decode()
    assert "from a customer in segment plan=gold" in page


def test_a_segment_that_is_not_name_equals_value_changes_nothing(workspace, alice, alice_client):
    for segment in ("gold", "=gold", "plan="):
        data = {"name": "Bad", "position": 1, "segment": segment, "assignee": alice.pk}
        answer = alice_client.post("/inbox/assignment/", data, follow=True)
        assert "A segment as name=value" in answer.content.decode()
    data = {"name": "Bad", "position": 1, "customer_status": "vip", "assignee": alice.pk}
    alice_client.post("/inbox/assignment/", data, follow=True)
    assert not AssignmentRule.objects.exists()
