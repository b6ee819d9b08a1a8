"""Consent to personal-data processing (§1.9): a register per parent link; without consent the family has no
electronic diary and no notices or e-mail (the paper printout only, §8.3) and staff see why; a withdrawal
takes effect at once, in the session already open."""

from __future__ import annotations

import datetime
import subprocess
from collections.abc import Callable
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from journal import models as m
from messaging.models import Notification
from messaging.services.notifications import notify_low_mark
from tests.conftest import World
from tests.factories import YEAR_START


def _link(world: World) -> m.ParentLink:
    return m.ParentLink.objects.get(parent=world.users["parent"], student=world.child)


def test_a_withdrawn_consent_closes_the_diary_at_once_and_a_new_one_opens_it(
    world: World, client_for: Callable[[str], Client]
) -> None:
    parent, admin = client_for("parent"), client_for("administrator")
    week = reverse("diary:week", args=[world.child.pk])
    assert parent.get(week).status_code == 200
    accounts = reverse("journal:class_accounts", args=[world.class_5a.pk])

    admin.post(reverse("journal:consent_set", args=[_link(world).pk]), {"given": "0", "next": accounts})
    assert parent.get(week).status_code == 404  # the same session: at once
    home = parent.get(reverse("home")).content.decode()
    assert 'data-testid="desk-no-consent"' in home and "бумажную распечатку" in home
    assert _link(world).wants_paper_printout
    lesson = m.Lesson.objects.create(course=world.math_5a, date=YEAR_START, slot=1, status="held")
    mark = m.Mark.objects.create(
        lesson=lesson, student=world.child, value="2", weight=Decimal(1), author=world.users["teacher"]
    )
    notify_low_mark(mark=mark)
    assert not Notification.objects.filter(recipient=world.users["parent"]).exists()
    # Staff see why.
    page = admin.get(accounts).content.decode()
    assert "нет согласия: только бумага" in page

    response = admin.post(
        reverse("journal:consent_set", args=[_link(world).pk]),
        {"given": "1", "form": "paper", "on": timezone.localdate().isoformat(), "next": accounts},
        follow=True,
    )
    assert "согласие записано" in response.content.decode()
    assert parent.get(week).status_code == 200
    register = list(_link(world).consents.order_by("recorded_at").values_list("given", "form", "recorded_by"))
    admin_id = world.users["administrator"].pk
    assert register == [(True, "paper", None), (False, "", admin_id), (True, "paper", admin_id)]  # made with the link


def test_a_consent_in_the_future_or_without_a_form_is_refused(
    world: World, client_for: Callable[[str], Client]
) -> None:
    admin = client_for("administrator")
    link = _link(world)
    admin.post(reverse("journal:consent_set", args=[link.pk]), {"given": "0"})
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = admin.post(
        reverse("journal:consent_set", args=[link.pk]), {"given": "1", "form": "paper", "on": tomorrow}, follow=True
    )
    assert "в будущем" in response.content.decode()
    response = admin.post(reverse("journal:consent_set", args=[link.pk]), {"given": "1", "form": ""}, follow=True)
    assert "на бумаге или электронно" in response.content.decode()
    assert _link(world).consent_given_at is None


def test_the_consent_form_is_printed_for_the_parent_and_child(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("administrator").get(reverse("journal:consent_form_pdf", args=[_link(world).pk]))
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True).stdout.decode()
    text = " ".join(text.split())
    assert "СОГЛАСИЕ" in text and world.users["parent"].full_name in text and world.child.full_name in text


def test_a_family_without_consent_gets_the_paper_printout(world: World) -> None:
    from journal.services.structure import parent_link_create
    from reports.selectors.weekly_printout import printout_students
    from tests.factories import UserFactory

    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    assert world.other_child not in printout_students(world.class_5a, monday)
    m.ParentLink.objects.filter(student=world.other_child).delete()
    parent_link_create(actor=None, parent=UserFactory(), student=world.other_child)  # imported: no consent yet
    assert world.other_child in printout_students(world.class_5a, monday)
    assert world.student_6b not in printout_students(world.class_6b, monday)  # no parents at all: no printout
