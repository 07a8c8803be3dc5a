"""Departments, people and CAPA requests for the CAPA tests.

Requests are issued through ``capa_issue`` so numbers, steps and the timeline are
there as in real use. A complaint is made with the ORM: its own services are tested
on their own.
"""

import datetime as dt

import factory

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.states import DepartmentKind
from liaison.core.tests.factories import DepartmentFactory, UserFactory
from liaison.customers.tests.factories import CustomerFactory
from liaison.quality.capa.services import capa_issue
from liaison.quality.models import Complaint
from liaison.quality.states import ComplaintKind


class WorkshopFactory(DepartmentFactory):
    code = factory.Sequence(lambda n: f"capa-workshop-{n}")
    name = factory.Sequence(lambda n: f"{n}車間")
    kind = DepartmentKind.WORKSHOP


class QcDepartmentFactory(DepartmentFactory):
    code = "qc"
    name = "品管部"
    kind = DepartmentKind.QC


def qc_inspector(**kwargs):
    kwargs.setdefault("department", QcDepartmentFactory())
    return UserFactory(roles=[Role.QC_INSPECTOR], **kwargs)


def workshop_lead(workshop, **kwargs):
    return UserFactory(roles=[Role.WORKSHOP_LEAD], department=workshop, **kwargs)


def department_member(department, **kwargs):
    return UserFactory(roles=[Role.RESPONSIBLE_MEMBER], department=department, **kwargs)


_complaints = iter(range(1, 10_000))


def complaint(
    *, customer=None, kind=ComplaintKind.COMPLAINT, company_at_fault=None, **kwargs
) -> Complaint:
    """A complaint (or return) as Sales registered it; QC's finding set when given."""
    now = clock.now()
    return Complaint.objects.create(
        number=f"CMP-{now.year}-{next(_complaints):04d}",
        kind=kind,
        customer=customer or CustomerFactory(),
        channel="phone",
        complaint_date=now.date(),
        content="M6×20 螺絲表面有銹斑，客戶要求退換",
        acknowledge_due=now + dt.timedelta(hours=24),
        resolve_due=now.date() + dt.timedelta(days=15),
        company_at_fault=company_at_fault,
        **kwargs,
    )


def capa(*, source=None, department=None, actor=None, **kwargs):
    """A CAPA request issued by QC through the service (by hand unless ``source`` is given)."""
    kwargs.setdefault("problem", "沖壓件毛刺超標")
    kwargs.setdefault("effectiveness_criterion", "連續三個月同類投訴為零")
    return capa_issue(
        source=source,
        department=department or WorkshopFactory(),
        actor=actor or qc_inspector(),
        **kwargs,
    )
