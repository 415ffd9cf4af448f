"""Employees: list with search and filters, read, create, update, delete; and departments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from src.auth import admin, current_user
from src.config import EXTENDED_FIELDS
from src.database import session
from src.models import Department, Employee

router = APIRouter(prefix="/api")
Db = Annotated[Session, Depends(session)]
Reader = Annotated[dict[str, str], Depends(current_user)]
Writer = Annotated[dict[str, str], Depends(admin)]
EXTENDED = ("phone", "hire_date", "employment_type") if EXTENDED_FIELDS else ()


class EmployeeChange(BaseModel):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    position: str | None = None
    department: str | None = None  # by name; created when new
    phone: str | None = None
    hire_date: date | None = None
    employment_type: str | None = None


def as_json(employee: Employee) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": employee.id,
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "email": employee.email,
        "position": employee.position,
        "department": employee.department.name if employee.department else None,
    }
    for name in EXTENDED:
        value = getattr(employee, name)
        data[name] = value.isoformat() if isinstance(value, date) else value
    return data


def _department(db: Session, name: str) -> Department:
    found = db.scalar(select(Department).where(Department.name == name))
    if found is None:
        found = Department(name=name)
        db.add(found)
        db.flush()
    return found


def _apply(db: Session, employee: Employee, change: EmployeeChange) -> None:
    fields = change.model_dump(exclude_unset=True)
    unknown = [f for f in ("phone", "hire_date", "employment_type") if f in fields and f not in EXTENDED]
    if unknown:
        raise HTTPException(422, f"unknown field(s) in this version: {', '.join(unknown)}")
    if "department" in fields:
        department = fields.pop("department")
        employee.department = _department(db, department) if department else None
    for name, value in fields.items():
        setattr(employee, name, value)


@router.get("/employees")
def list_employees(db: Db, _user: Reader, search: str = "", department: str = "") -> list[dict[str, Any]]:
    query = select(Employee).order_by(Employee.id)
    if search:
        like = f"%{search}%"
        query = query.where(
            or_(Employee.first_name.ilike(like), Employee.last_name.ilike(like), Employee.position.ilike(like))
        )
    if department:
        query = query.join(Department).where(Department.name == department)
    return [as_json(e) for e in db.scalars(query).unique()]


@router.get("/employees/{employee_id}")
def get_employee(employee_id: int, db: Db, _user: Reader) -> dict[str, Any]:
    return as_json(_found(db, employee_id))


@router.post("/employees", status_code=201)
def create_employee(change: EmployeeChange, db: Db, _user: Writer) -> dict[str, Any]:
    if not change.first_name or not change.last_name:
        raise HTTPException(422, "first_name and last_name are required")
    employee = Employee(first_name=change.first_name, last_name=change.last_name)
    _apply(db, employee, change)
    db.add(employee)
    db.commit()
    return as_json(employee)


@router.put("/employees/{employee_id}")
def update_employee(employee_id: int, change: EmployeeChange, db: Db, _user: Writer) -> dict[str, Any]:
    employee = _found(db, employee_id)
    _apply(db, employee, change)
    db.commit()
    return as_json(employee)


@router.delete("/employees/{employee_id}", status_code=204)
def delete_employee(employee_id: int, db: Db, _user: Writer) -> Response:
    db.delete(_found(db, employee_id))
    db.commit()
    return Response(status_code=204)


@router.get("/departments")
def list_departments(db: Db, _user: Reader) -> list[dict[str, Any]]:
    return [{"id": d.id, "name": d.name} for d in db.scalars(select(Department).order_by(Department.name))]


def _found(db: Session, employee_id: int) -> Employee:
    employee = db.get(Employee, employee_id)
    if employee is None:
        raise HTTPException(404, f"no employee {employee_id}")
    return employee
