"""The top navigation: the sections the signed-in user's roles give (a context processor)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from journal import rules


@dataclass
class NavItem:
    label: str
    url: str = ""
    children: list[NavItem] = field(default_factory=list)


def navigation(request: HttpRequest) -> dict[str, object]:
    """The sections of the top navigation the signed-in user's roles give.

    Planning screens sit in one drop-down so the bar fits a laptop screen.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [NavItem(_("Home"), reverse("home"))]
    if rules.reads_diary(user):
        items.append(NavItem(_("Diary"), reverse("diary:index")))
    # School and class events (diary app): everyone reads theirs.
    items.append(NavItem(_("Events"), reverse("diary:event_list")))
    if rules.is_staff(user):
        items.append(NavItem(_("Courses"), reverse("journal:course_list")))
        items.append(NavItem(_("Classes"), reverse("journal:class_list")))
        planning = NavItem(_("Planning"))
        planning.children.append(NavItem(_("Timetable"), reverse("journal:timetable")))
        planning.children.append(NavItem(_("Thematic plans"), reverse("journal:plan_list")))
        if rules.reads_curriculum(user):
            planning.children.append(NavItem(_("Curriculum"), reverse("journal:curriculum")))
        # The changes page links on to the assessment procedures.
        planning.children.append(NavItem(_("Lesson changes"), reverse("journal:changes")))
        planning.children.append(NavItem(_("Substitutions"), reverse("journal:substitution_log")))
        if rules.reads_whole_school(user):
            planning.children.append(NavItem(_("Study periods"), reverse("journal:period_list")))
        if rules.makes_new_year(user):
            planning.children.append(NavItem(_("The next academic year"), reverse("journal:new_year")))
        if rules.reads_whole_school(user):
            planning.children.append(NavItem(_("Grading policy"), reverse("journal:policy")))
        if rules.reads_change_history(user):
            planning.children.append(NavItem(_("Change history"), reverse("journal:history")))
        items.append(planning)
        # Generated documents (reports app): weekly paper printouts and the reports; the director's and
        # the deputy's reports have their own item (a class teacher reaches theirs from the class's page
        # and the documents page: finding the led classes would cost every page a query).
        if rules.reads_school_reports(user):
            control = NavItem(_("Reports"))
            control.children.append(NavItem(_("Reports"), reverse("reports:report_index")))
            if rules.reads_school_monitoring(user):
                control.children.append(NavItem(_("Monitoring of the journal"), reverse("monitoring:dashboard")))
                control.children.append(NavItem(_("Control checks"), reverse("monitoring:checks")))
            if rules.makes_bound_journal(user):
                control.children.append(NavItem(_("Journal for binding"), reverse("reports:bound_index")))
            items.append(control)
        items.append(NavItem(_("Documents"), reverse("reports:document_list")))
    if rules.administers(user):
        admin = NavItem(_("Administration"))
        admin.children.append(NavItem(_("Logins"), reverse("journal:accounts")))
        admin.children.append(NavItem(_("Compromised logins"), reverse("journal:compromise_list")))
        admin.children.append(NavItem(_("Administration site"), reverse("admin:index")))
        if rules.confirms_movement(user):
            admin.children.append(NavItem(_("Movement of students"), reverse("journal:movement_list")))
        if rules.reads_usage(user) and not rules.reads_school_monitoring(user):
            admin.children.append(NavItem(_("Use of the system"), reverse("monitoring:dashboard")))
        items.append(admin)
    # A person of several schools (a municipality server) switches between them; the roles are the school's.
    schools = getattr(request, "schools", [])
    return {
        "nav_items": items,
        "user_roles": sorted(r.label for r in user.roles),
        "other_schools": [s for s in schools if s != getattr(request, "school", None)],
    }
