"""Every page of the journal side, by topic; each view module holds the views of one topic."""

from django.urls import path

from journal.views import (
    assessment,
    changes,
    class_desk,
    curriculum,
    finals,
    grid,
    history,
    homework,
    lessons,
    new_year,
    periods,
    plans,
    policy,
    structure,
    substitutions,
    timetable,
)

app_name = "journal"

urlpatterns = [
    # The school's structure.
    path("courses/", structure.course_list, name="course_list"),
    path("courses/<int:course_id>/", structure.course_detail, name="course_detail"),
    path("classes/", structure.class_list, name="class_list"),
    path("classes/<int:class_id>/", structure.class_detail, name="class_detail"),
    path("classes/<int:class_id>/attendance/", class_desk.class_attendance, name="class_attendance"),
    path(
        "classes/<int:class_id>/attendance/reason/", class_desk.class_attendance_reason, name="class_attendance_reason"
    ),
    path("classes/<int:class_id>/overview/", class_desk.class_overview, name="class_overview"),
    path("students/<int:student_id>/", structure.student_detail, name="student_detail"),
    # The journal itself: the course grid and its cells.
    path("courses/<int:course_id>/journal/", grid.course_journal, name="course_journal"),
    path("courses/<int:course_id>/journal/cell/", grid.course_journal_cell, name="course_journal_cell"),
    path(
        "courses/<int:course_id>/journal/cell/details/",
        grid.course_journal_cell_details,
        name="course_journal_cell_details",
    ),
    path("courses/<int:course_id>/journal/mark/", grid.course_journal_mark, name="course_journal_mark"),
    # Final marks.
    path("courses/<int:course_id>/finals/", finals.course_finals, name="course_finals"),
    path("courses/<int:course_id>/finals/year/", finals.course_finals_year, name="course_finals_year"),
    # Lessons: the course's list, one lesson, its homework.
    path("courses/<int:course_id>/lessons/", lessons.course_lessons, name="course_lessons"),
    path("lessons/<int:lesson_id>/", lessons.lesson_detail, name="lesson_detail"),
    path("lessons/<int:lesson_id>/hold/", lessons.lesson_hold, name="lesson_hold"),
    path("lessons/<int:lesson_id>/unhold/", lessons.lesson_unhold, name="lesson_unhold"),
    path("lessons/<int:lesson_id>/attendance-taken/", lessons.lesson_attendance_taken, name="lesson_attendance_taken"),
    path("lessons/<int:lesson_id>/results/", lessons.lesson_results, name="lesson_results"),
    path("lessons/<int:lesson_id>/homework/", homework.homework_save_view, name="homework_save"),
    path("lessons/<int:lesson_id>/homework/delete/", homework.homework_clear_view, name="homework_clear"),
    path("homework/files/<int:file_id>/", homework.homework_file_download, name="homework_file"),
    path("homework/files/<int:file_id>/delete/", homework.homework_file_delete_view, name="homework_file_delete"),
    # Thematic plans.
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/template.xlsx", plans.plan_template, name="plan_template"),
    path("courses/<int:course_id>/plan/", plans.plan_detail, name="plan_detail"),
    path("courses/<int:course_id>/plan/create/", plans.plan_create, name="plan_create"),
    path("courses/<int:course_id>/plan/items/add/", plans.plan_item_add, name="plan_item_add"),
    path("courses/<int:course_id>/plan/items/<int:item_id>/edit/", plans.plan_item_edit, name="plan_item_edit"),
    path("courses/<int:course_id>/plan/items/<int:item_id>/delete/", plans.plan_item_delete, name="plan_item_delete"),
    path("courses/<int:course_id>/plan/items/<int:item_id>/move/", plans.plan_item_move, name="plan_item_move"),
    path("courses/<int:course_id>/plan/copy/", plans.plan_copy, name="plan_copy"),
    path("courses/<int:course_id>/plan/export.xlsx", plans.plan_export, name="plan_export"),
    path("courses/<int:course_id>/plan/import/", plans.plan_import, name="plan_import"),
    path("courses/<int:course_id>/plan/import/confirm/", plans.plan_import_confirm, name="plan_import_confirm"),
    path("courses/<int:course_id>/progress/", plans.plan_progress_view, name="plan_progress"),
    # The timetable.
    path("timetable/", timetable.timetable_index, name="timetable"),
    path("timetable/regime/", timetable.regime_page, name="timetable_regime"),
    path("timetable/generate/", timetable.generate_school, name="timetable_generate"),
    path("timetable/class/<int:class_id>/", timetable.class_timetable, name="timetable_class"),
    path("timetable/class/<int:class_id>/generate/", timetable.generate_class, name="timetable_generate_class"),
    path(
        "timetable/class/<int:class_id>/cell/<int:weekday>/<int:slot>/",
        timetable.timetable_cell,
        name="timetable_cell",
    ),
    path(
        "timetable/class/<int:class_id>/cell/<int:weekday>/<int:slot>/add/",
        timetable.entry_add,
        name="timetable_entry_add",
    ),
    path("timetable/entry/<int:entry_id>/end/", timetable.entry_end, name="timetable_entry_end"),
    path("timetable/entry/<int:entry_id>/room/", timetable.entry_room, name="timetable_entry_room"),
    path("timetable/teacher/<int:teacher_id>/", timetable.teacher_timetable, name="timetable_teacher"),
    path("timetable/room/<int:room_id>/", timetable.room_timetable, name="timetable_room"),
    # The curriculum.
    path("curriculum/", curriculum.curriculum, name="curriculum"),
    path("curriculum/add/", curriculum.curriculum_add, name="curriculum_add"),
    path("curriculum/<int:item_id>/edit/", curriculum.curriculum_edit, name="curriculum_edit"),
    path("curriculum/<int:item_id>/delete/", curriculum.curriculum_delete, name="curriculum_delete"),
    path("curriculum/check/", curriculum.curriculum_hours_check, name="curriculum_check"),
    # Lesson changes, substitutions, assessment procedures.
    path("changes/", changes.changes_index, name="changes"),
    path("changes/classes/<int:class_id>/", changes.changes_class, name="changes_class"),
    path("changes/classes/<int:class_id>/extra/", changes.change_extra, name="change_extra"),
    path("changes/lessons/<int:lesson_id>/cancel/", changes.change_cancel, name="change_cancel"),
    path("changes/lessons/<int:lesson_id>/restore/", changes.change_restore, name="change_restore"),
    path("changes/lessons/<int:lesson_id>/move/", changes.change_move, name="change_move"),
    path("changes/lessons/<int:lesson_id>/room/", changes.change_room, name="change_room"),
    path("substitutions/", substitutions.substitution_log_page, name="substitution_log"),
    path("substitutions/log.pdf", substitutions.substitution_log_pdf, name="substitution_log_pdf"),
    path("substitutions/log.xlsx", substitutions.substitution_log_xlsx, name="substitution_log_xlsx"),
    path("substitutions/assign/", substitutions.substitution_assign_page, name="substitution_assign"),
    path(
        "substitutions/<int:substitution_id>/remove/",
        substitutions.substitution_remove_view,
        name="substitution_remove",
    ),
    path("assessment/", assessment.assessment_page, name="assessment"),
    path("assessment/<int:period_id>/", assessment.assessment_page, name="assessment_period"),
    path("assessment/<int:period_id>/schedule.xlsx", assessment.assessment_xlsx, name="assessment_xlsx"),
    # Study periods, the grading policy, the history of changes.
    path("periods/", periods.period_list, name="period_list"),
    path("new-year/", new_year.new_year, name="new_year"),
    path("periods/<int:period_id>/lock/", periods.period_lock_view, name="period_lock"),
    path("periods/<int:period_id>/unlock/", periods.period_unlock_view, name="period_unlock"),
    path("policy/", policy.policy, name="policy"),
    path("policy/versions/", policy.policy_version_create, name="policy_version_create"),
    path("policy/work-types/", policy.work_type_create_view, name="work_type_create"),
    path("policy/work-types/<int:work_type_id>/", policy.work_type_update_view, name="work_type_update"),
    path("lessons/<int:lesson_id>/history/<int:student_id>/", history.cell_history, name="cell_history"),
    path("history/", history.history_changes, name="history"),
    path("history/revert/", history.history_revert, name="history_revert"),
    path("history/revert-all/", history.history_revert_all, name="history_revert_all"),
]
