"""Customer import: columns by name, bad rows by line, all or nothing, re-import updates."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from harken.contacts.importing import ImportRefused, import_customers
from harken.contacts.models import Contact, Identity
from harken.core.models import AuditEntry
from tests.contacts.helpers import author, contact_of

GOOD = (
    "email,name,bluesky,x,customer since,lifetime value,age band,region,plan\n"
    'ana@example.com,Ana Lima,ana.bsky.social,@ana_l,2023-04-01,"1,250.00",25-34,North,gold\n'
    "ben@example.com,Ben Ode,,,2024-01-15,80,35-44,South,\n"
)


def with_email(email: str) -> Contact:
    (found,) = [c for c in Contact.objects.all() if email in c.emails]
    return found


def run(workspace, text: str | bytes, name: str = "customers.csv"):
    data = text.encode() if isinstance(text, str) else text
    return import_customers(workspace, io.BytesIO(data), name)


def test_it_imports_customers_with_identities_and_segments(workspace):
    report = run(workspace, GOOD)
    assert (report.ok, report.created, report.updated) == (True, 2, 0)
    ana = with_email("ana@example.com")
    assert ana.name == "Ana Lima"
    assert ana.status == Contact.Status.CUSTOMER
    assert ana.customer_since == date(2023, 4, 1)
    assert ana.lifetime_value == Decimal("1250.00")
    assert ana.segments == {"age band": "25-34", "region": "North", "plan": "gold"}
    handles = set(ana.identities.values_list("network", "handle"))
    assert handles == {("bluesky", "ana.bsky.social"), ("x", "ana_l")}
    ben = Contact.objects.get(workspace=workspace, name="Ben Ode")
    assert ben.segments == {"age band": "35-44", "region": "South"}  # empty cells add nothing
    assert AuditEntry.objects.filter(workspace=workspace, action="contacts.import").exists()


def test_importing_the_same_file_again_updates_and_never_duplicates(workspace):
    run(workspace, GOOD)
    changed = GOOD.replace("gold", "platinum").replace("2024-01-15,80", "2024-01-15,95")
    report = run(workspace, changed)
    assert (report.created, report.updated) == (0, 2)
    assert Contact.objects.filter(workspace=workspace).count() == 2
    assert Identity.objects.filter(workspace=workspace).count() == 2
    assert Contact.objects.get(name="Ana Lima").segments["plan"] == "platinum"
    assert Contact.objects.get(name="Ben Ode").lifetime_value == Decimal("95.00")


def test_bad_rows_are_listed_by_line_and_nothing_is_imported(workspace):
    text = (
        "email,name,customer since,lifetime value,status\n"
        "good@example.com,Good,2023-01-01,10,customer\n"
        "not-an-email,Bad Mail,,,\n"
        "\n"
        "c@example.com,Bad Date,yesterday,,\n"
        "d@example.com,Bad Money,,lots,\n"
        "e@example.com,Bad Status,,,vip\n"
        ",No Key,,,\n"
        "good@example.com,Twice,,,\n"
    )
    report = run(workspace, text)
    assert not report.ok
    lines = dict(report.errors)
    assert sorted(lines) == [3, 5, 6, 7, 8, 9]
    assert "e-mail" in lines[3].lower() or "email" in lines[3].lower()
    assert "yesterday" in lines[5]
    assert "lots" in lines[6]
    assert "vip" in lines[7]
    assert "nothing to find this person by" in lines[8]
    assert "line 2" in lines[9]
    assert not Contact.objects.filter(workspace=workspace).exists()


def test_it_reads_excel_csv_with_a_byte_order_mark_and_semicolons(workspace):
    text = (
        "\ufeffE-mail;Name;Mastodon;Customer since;Lifetime value (EUR);Age band\r\n"
        "cleo@example.com;Cléo Dupont;cleo@mastodon.example;14.02.2022;1.234,50;45-54\r\n"
    )
    report = run(workspace, text.encode("utf-8"))
    assert report.ok, report.errors
    cleo = Contact.objects.get(workspace=workspace)
    assert cleo.emails == ["cleo@example.com"]  # the BOM is no part of the first column
    assert cleo.name == "Cléo Dupont"
    assert cleo.customer_since == date(2022, 2, 14)
    assert cleo.lifetime_value == Decimal("1234.50")
    assert cleo.segments == {"Age band": "45-54"}
    assert cleo.identities.get().handle == "cleo@mastodon.example"


def test_it_refuses_a_workbook_and_a_file_without_a_key_column(workspace):
    with pytest.raises(ImportRefused, match="zip archive"):
        run(workspace, b"PK\x03\x04 not really a workbook", "customers.xlsx")
    with pytest.raises(ImportRefused, match="no e-mail column"):
        run(workspace, "name,region\nAna,North\n")
    assert not Contact.objects.exists()


def test_a_row_joins_the_contact_of_an_author_already_heard(workspace):
    heard = author(workspace, "ana_l", network="x")
    before = contact_of(heard)
    run(workspace, GOOD)
    before.refresh_from_db()
    assert before.emails == ["ana@example.com"]
    assert before.status == Contact.Status.CUSTOMER
    assert Identity.objects.get(author=heard).contact == before


def test_a_handle_held_by_another_contact_becomes_a_claim_not_a_move(workspace):
    run(workspace, "email,name\nyan@example.com,Yan\n")
    other = contact_of(author(workspace, "yan_m"))
    run(workspace, "email,mastodon\nyan@example.com,@Yan_M\n")
    yan = with_email("yan@example.com")
    assert yan != other
    assert yan.claimed == ["mastodon:yan_m"]
    assert Identity.objects.get(handle="yan_m").contact == other  # a person confirms a merge


def test_the_command_imports_and_reports_bad_lines(workspace, tmp_path, capsys):
    good = tmp_path / "customers.csv"
    good.write_text(GOOD)
    call_command("contacts", "import", str(good), workspace=workspace.slug)
    assert "2 new contacts" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("email,name\nnope,Nope\n")
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("contacts", "import", str(bad), workspace=workspace.slug)
    assert "bad.csv, line 2:" in capsys.readouterr().err
    assert Contact.objects.filter(workspace=workspace).count() == 2


def test_excel_csv_in_windows_1252_keeps_its_accents(workspace):
    text = "email;name;region\r\ncleo@example.com;Cléo Dupont;Île-de-France\r\n"
    report = run(workspace, text.encode("cp1252"))
    assert report.ok, report.errors
    cleo = Contact.objects.get(workspace=workspace)
    assert (cleo.name, cleo.segments) == ("Cléo Dupont", {"region": "Île-de-France"})


def test_it_says_how_it_read_each_column(workspace):
    report = run(workspace, GOOD)
    assert report.read_as() == [
        ("email", "e-mail"),
        ("name", "name"),
        ("bluesky", "handle on Bluesky"),
        ("x", "handle on X"),
        ("customer since", "customer since"),
        ("lifetime value", "lifetime value"),
        ("age band", "segment"),
        ("region", "segment"),
        ("plan", "segment"),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_make_each_contact_once(monkeypatch):
    import contextlib
    import threading

    from django.db import connection

    from harken.contacts import importing
    from harken.core.models import Workspace

    workspace = Workspace.objects.create(name="Shop", slug="shop")
    barrier = threading.Barrier(2)
    built = importing._Store.__init__

    def build_then_wait(self, ws):
        built(self, ws)
        # Both have read the contacts here, unless the second waits for the first.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)

    monkeypatch.setattr(importing._Store, "__init__", build_then_wait)

    reports, errors = [], []

    def work():
        try:
            reports.append(run(workspace, GOOD))
        except Exception as exc:  # noqa: BLE001  (a thread's failure must fail the test)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted((r.created, r.updated) for r in reports) == [(0, 2), (2, 0)]
    assert Contact.objects.filter(workspace=workspace).count() == 2
