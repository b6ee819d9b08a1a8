"""django-guardian's direct foreign-key permission tables.

The generic tables key objects by a text column and scan the whole table;
these join on a real foreign key. Domain rows (assignments, class-teacher
posts, parent links) are the truth; the services keep these in step.
"""

from __future__ import annotations

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from journal.models.people import Student
from journal.models.planning import Lesson
from journal.models.structure import ClassGroup, Course


class CourseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Course, on_delete=models.CASCADE)


class CourseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Course, on_delete=models.CASCADE)


class ClassGroupUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ClassGroup, on_delete=models.CASCADE)


class ClassGroupGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ClassGroup, on_delete=models.CASCADE)


class StudentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Student, on_delete=models.CASCADE)


class StudentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Student, on_delete=models.CASCADE)


class LessonUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Lesson, on_delete=models.CASCADE)


class LessonGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Lesson, on_delete=models.CASCADE)
