"""The pages: a class's printouts, «Сформировать», the status fragment, the download, one student's week."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from urllib.parse import quote

from django.test import Client
from django.urls import reverse

from journal import models as m
from journal.services.structure import parent_link_end
from reports.models import DocumentStatus, GeneratedDocument
from reports.services.documents import document_claim, document_progress, document_run
from reports.services.printouts import weekly_printout_request
from tests.reports.conftest import MONDAY, WEEK_LABEL, Week, day, flag
from tests.reports.test_printout_pdf import flat_text, page_count

Clients = Callable[[str], Client]


def printouts_url(week: Week) -> str:
    return reverse("reports:class_printouts", args=[week.world.class_5a.pk])


def test_the_class_teacher_sees_the_printouts_page_in_russian(week: Week, client_for: Clients) -> None:
    response = client_for("class_teacher").get(printouts_url(week))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Еженедельные распечатки класса 5А" in html
    assert "Учащиеся, родители которых получают распечатку (1)" in html
    assert "Соколов Артём" in html and "Соколова Е." in html
    assert "Волкова Алиса" not in html
    assert "Сформировать" in html
    assert "Для этого класса распечатки ещё не формировались." in html


def test_generate_makes_the_weeks_document_and_the_page_offers_its_download(
    week: Week, client_for: Clients, django_capture_on_commit_callbacks
) -> None:
    client = client_for("class_teacher")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(printouts_url(week), {"week": day(3).isoformat()})

    assert response.status_code == 302
    document = GeneratedDocument.objects.get()
    assert (document.status, document.requested_by, document.week_start) == (
        DocumentStatus.DONE,
        week.world.users["class_teacher"],
        MONDAY,
    )
    page = client.get(response.url).content.decode()
    assert f"Распечатка за неделю {WEEK_LABEL} запрошена" in page
    assert WEEK_LABEL in page
    download_url = reverse("reports:document_download", args=[document.pk])
    assert download_url in page

    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert quote("Распечатка 5А 30.11–06.12.2026.pdf") in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    assert page_count(data) == 1
    assert "Соколов Артём" in flat_text(data)


def test_generate_without_a_week_or_printout_students_is_refused_in_russian(week: Week, client_for: Clients) -> None:
    client = client_for("class_teacher")

    no_week = client.post(printouts_url(week), {"week": "вчера"})
    flag(week.world, "parent", False)
    no_students = client.post(printouts_url(week), {"week": day(0).isoformat()})

    assert no_week.status_code == 400
    assert "Неделя (любой её день): Введите правильную дату." in no_week.content.decode()
    assert no_students.status_code == 400
    assert "нет учащихся, родители которых просили бумажную распечатку" in no_students.content.decode()
    assert not GeneratedDocument.objects.exists()


def _document(week: Week) -> GeneratedDocument:
    return weekly_printout_request(
        actor=week.world.users["class_teacher"], class_group=week.world.class_5a, week=MONDAY, enqueue=False
    )


def test_the_status_fragment_polls_while_running_and_shows_progress(week: Week, client_for: Clients) -> None:
    document = _document(week)
    _doc, token = document_claim(document_id=document.pk)
    document_progress(document_id=document.pk, token=token, done=3, total=10)
    url = reverse("reports:document_status", args=[document.pk])

    fragment = client_for("class_teacher").get(url, HTTP_HX_REQUEST="true").content.decode()

    assert "<html" not in fragment
    assert 'hx-trigger="every 2s"' in fragment
    assert 'max="10" value="3"' in fragment
    assert "3 из 10 стр. (30 %)" in fragment
    assert "формируется" in fragment


def test_the_status_fragment_stops_polling_when_done_and_gives_the_link(week: Week, client_for: Clients) -> None:
    document = _document(week)
    document_run(document_id=document.pk)
    url = reverse("reports:document_status", args=[document.pk])

    fragment = client_for("deputy").get(url, HTTP_HX_REQUEST="true").content.decode()
    page = client_for("deputy").get(url).content.decode()

    assert "hx-trigger" not in fragment
    assert reverse("reports:document_download", args=[document.pk]) in fragment
    assert "готов" in fragment
    assert "<html" in page and "Еженедельная бумажная распечатка · 5А" in page


def test_a_failed_document_shows_its_reason(week: Week, client_for: Clients) -> None:
    document = _document(week)
    flag(week.world, "parent", False)
    document_run(document_id=document.pk)

    page = client_for("class_teacher").get(printouts_url(week)).content.decode()

    assert "ошибка" in page
    assert "больше нет учащихся, родители которых получают бумажную распечатку" in page
    assert reverse("reports:document_download", args=[document.pk]) not in page


def test_the_document_list_shows_only_the_users_own_documents(week: Week, client_for: Clients) -> None:
    document = _document(week)

    mine = client_for("class_teacher").get(reverse("reports:document_list")).content.decode()
    deputys = client_for("deputy").get(reverse("reports:document_list")).content.decode()

    assert reverse("reports:document_status", args=[document.pk]) in mine
    assert reverse("reports:class_printouts", args=[week.world.class_5a.pk]) in mine
    assert reverse("reports:document_status", args=[document.pk]) not in deputys
    assert "Вы ещё не запрашивали документов." in deputys


def test_the_class_page_links_to_the_printouts_for_its_class_teacher_and_the_administration(
    week: Week, client_for: Clients
) -> None:
    url = reverse("journal:class_detail", args=[week.world.class_5a.pk])
    link = printouts_url(week)

    assert link in client_for("class_teacher").get(url).content.decode()
    assert link in client_for("director").get(url).content.decode()
    assert link not in client_for("teacher").get(url).content.decode()


def test_staff_have_documents_in_the_navigation_parents_do_not(week: Week, client_for: Clients) -> None:
    nav = reverse("reports:document_list")

    assert f'href="{nav}">Документы<' in client_for("teacher").get(reverse("home")).content.decode()
    assert f'href="{nav}"' not in client_for("parent").get(reverse("home")).content.decode()


# --- One student's week as PDF -----------------------------------------------------------------


def student_pdf_url(week: Week, persona_child: str = "child", query: str = "") -> str:
    student = getattr(week.world, persona_child)
    return reverse("reports:student_week_pdf", kwargs={"student_id": student.pk}) + query


def test_a_parent_downloads_their_childs_week(week: Week, client_for: Clients) -> None:
    response = client_for("parent").get(student_pdf_url(week, query="?week=2026-12-03"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert quote("Дневник Соколов Артём 30.11–06.12.2026.pdf") in response["Content-Disposition"]
    text = flat_text(response.content)
    assert page_count(response.content) == 1
    assert "Соколов Артём" in text and WEEK_LABEL in text and "Отличный ответ у доски" in text
    assert not GeneratedDocument.objects.exists()


def test_the_student_week_needs_no_paper_flag_and_any_week_can_be_chosen(week: Week, client_for: Clients) -> None:
    flag(week.world, "parent", False)

    response = client_for("student").get(student_pdf_url(week, query="?week=2026-11-16"))

    assert response.status_code == 200
    assert "16 – 22 ноября 2026 г." in flat_text(response.content)


def test_a_parent_never_gets_another_childs_week(week: Week, client_for: Clients) -> None:
    assert client_for("other_parent").get(student_pdf_url(week)).status_code == 404
    assert client_for("parent").get(student_pdf_url(week, "other_child")).status_code == 404


def test_a_parent_whose_link_ended_gets_404(week: Week, client_for: Clients) -> None:
    parent_link_end(actor=None, link=m.ParentLink.objects.get(parent=week.world.users["parent"]))

    assert client_for("parent").get(student_pdf_url(week)).status_code == 404


def test_a_bad_week_is_refused_in_russian(week: Week, client_for: Clients) -> None:
    response = client_for("parent").get(student_pdf_url(week, query="?week=30.11.2026"))

    assert response.status_code == 400
    assert "Неделя задаётся датой в виде ГГГГ-ММ-ДД." in response.content.decode()


def test_a_week_before_the_child_was_enrolled_is_404(week: Week, client_for: Clients) -> None:
    query = f"?week={datetime.date(2026, 8, 17).isoformat()}"

    assert client_for("parent").get(student_pdf_url(week, query=query)).status_code == 404
