"""`harken demo` fills contacts: customers with segments, an advocate, a recovered detractor."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from harken.contacts.models import Contact
from harken.contacts.standing import listing
from harken.contacts.suggestions import suggest
from harken.core.demo import SAMPLE_NAME
from harken.core.models import Workspace


def test_the_demo_has_customers_an_advocate_and_a_recovered_detractor(db):
    call_command("demo", stdout=StringIO())
    call_command("demo", stdout=StringIO())  # twice: refreshed, not duplicated
    sample = Workspace.objects.get(name=SAMPLE_NAME)
    customers = Contact.objects.filter(workspace=sample, status="customer", merged_into=None)
    assert {c.name for c in customers} >= {"Priya Shah", "Dan Ortiz", "Maya Lin", "Lena Kowalski"}
    priya = customers.get(name="Priya Shah")
    assert priya.segments == {
        "Age band": "25-34",
        "Region": "Harbor district",
        "Plan": "Gold care plan",
    }
    assert str(priya.lifetime_value) == "1840.00"
    assert "Priya Shah" in [s.contact.name for s in listing(sample, "advocates")]
    assert "Dan Ortiz" in [s.contact.name for s in listing(sample, "recovered")]
    detractors = [s.contact.name for s in listing(sample, "detractors")]
    assert "Dan Ortiz" in detractors and "Gus" in detractors
    reasons = [r for s in suggest(sample) for r in s.reasons]
    assert any("lists @priya.makes@mastodon.example" in r for r in reasons)
