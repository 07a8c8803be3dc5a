"""The platform's test data: departments (a workshop among them), users by role, moments, a frozen today.

Role shortcuts make a user holding one procedure role: ``sales_admin()``, ``qc_inspector()``,
``workshop_lead(workshop)``; keyword arguments go to ``UserFactory`` (a name, a department).
"""

import datetime as dt

import factory
import pytest
from django.utils import timezone

from liaison.core import clock
from liaison.core.models import Department, User
from liaison.core.roles import Role
from liaison.core.states import DepartmentKind


def local(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    """A moment in the project's time zone: ``local(2026, 3, 10)`` is 10:00 that day."""
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def frozen_today(moment: dt.date | dt.datetime):
    """An autouse fixture freezing the project's clock at ``moment`` for every test of a module or app.

    Write ``today = frozen_today(TODAY)`` in a test module or an app's ``conftest.py``; a test may
    ask for ``today`` to get the moment. A test freezing another day inside it wins for its block.
    """

    @pytest.fixture(autouse=True, name="today")
    def today():
        with clock.frozen(moment):
            yield moment

    return today


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"部門{n}")
    kind = DepartmentKind.RESPONSIBLE


class WorkshopFactory(DepartmentFactory):
    """A workshop; it signs no contract review (the review form's workshop is ``workshop()``)."""

    # Not "workshop-<n>": the company's own workshops are workshop-1 and workshop-2.
    code = factory.Sequence(lambda n: f"shop-{n}")
    name = factory.Sequence(lambda n: f"{n}車間")
    kind = DepartmentKind.WORKSHOP


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "小明"
    last_name = "王"
    is_staff = True
    password = factory.django.Password("pw-for-tests")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=[Role.SALES_STAFF]) puts the user in those role groups."""
        if create and extracted:
            from django.contrib.auth.models import Group

            self.groups.add(*[Group.objects.get(name=str(role)) for role in extracted])


# The departments on the demo's contract review form (R-5.2.3.1): code → name, kind, role of a member.
REVIEW_DEPARTMENTS = {
    "sales": ("業務部", DepartmentKind.SALES, Role.SALES_STAFF),
    "qc": ("質檢部", DepartmentKind.QC, Role.QC_INSPECTOR),
    "workshop-1": ("一車間（沖壓）", DepartmentKind.WORKSHOP, Role.WORKSHOP_LEAD),
    "warehouse": ("倉庫", DepartmentKind.WAREHOUSE, Role.WAREHOUSE_CLERK),
}

# The role a member of a department of each kind usually holds.
ROLE_OF_KIND = {
    DepartmentKind.SALES: Role.SALES_STAFF,
    DepartmentKind.QC: Role.QC_INSPECTOR,
    DepartmentKind.WORKSHOP: Role.WORKSHOP_LEAD,
    DepartmentKind.WAREHOUSE: Role.WAREHOUSE_CLERK,
    DepartmentKind.RESPONSIBLE: Role.RESPONSIBLE_MEMBER,
    DepartmentKind.MANAGEMENT: Role.MANAGEMENT,
}


def review_departments() -> dict[str, Department]:
    """The departments that sign the review form, made once per test."""
    return {
        code: DepartmentFactory(code=code, name=name, kind=kind, signs_contract_review=True)
        for code, (name, kind, _role) in REVIEW_DEPARTMENTS.items()
    }


def workshop() -> Department:
    """The company's first workshop, one of the review departments."""
    return review_departments()["workshop-1"]


def member(department: str | Department, role: Role | None = None, **kwargs) -> User:
    """A user of ``department`` (a review department's code or any department) holding its usual role.

    A code makes the review departments first, so an order registered afterwards asks each to sign.
    """
    if isinstance(department, str):
        department = review_departments()[department]
    return UserFactory(roles=[role or ROLE_OF_KIND[department.kind]], department=department, **kwargs)


def sales(**kwargs) -> User:
    return UserFactory(roles=[Role.SALES_STAFF], **kwargs)


def sales_admin(**kwargs) -> User:
    return UserFactory(roles=[Role.SALES_ADMIN], **kwargs)


def sales_head(**kwargs) -> User:
    kwargs.setdefault("last_name", "黃")
    kwargs.setdefault("first_name", "志明")
    return UserFactory(roles=[Role.SALES_HEAD], **kwargs)


def qc_inspector(**kwargs) -> User:
    return UserFactory(roles=[Role.QC_INSPECTOR], **kwargs)


def qc_head(**kwargs) -> User:
    kwargs.setdefault("last_name", "李")
    kwargs.setdefault("first_name", "建國")
    return UserFactory(roles=[Role.QC_HEAD], **kwargs)


def workshop_lead(workshop: Department, **kwargs) -> User:
    return UserFactory(roles=[Role.WORKSHOP_LEAD], department=workshop, **kwargs)


def department_member(department: Department, **kwargs) -> User:
    return UserFactory(roles=[Role.RESPONSIBLE_MEMBER], department=department, **kwargs)


def manager(**kwargs) -> User:
    kwargs.setdefault("last_name", "蔡")
    kwargs.setdefault("first_name", "文雄")
    return UserFactory(roles=[Role.MANAGEMENT], **kwargs)
