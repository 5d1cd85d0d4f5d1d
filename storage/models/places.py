"""The register's places: district → street office → community → estate → building → unit → premises."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.types import Hundredths


class District(Base):
    __tablename__ = "district"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class StreetOffice(Base):
    __tablename__ = "street_office"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))


class Department(Base):
    """A department a street office summons, with its contact ("街道吹哨、部门报到")."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("street_office_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    street_office_id: Mapped[int] = mapped_column(ForeignKey("street_office.id"))
    code: Mapped[str] = mapped_column(String(32))  # taxonomy.yaml department code
    name: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(100))


class Community(Base):
    __tablename__ = "community"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    street_office_id: Mapped[int] = mapped_column(ForeignKey("street_office.id"))


class PropertyCompany(Base):
    __tablename__ = "property_company"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))


class Estate(Base):
    __tablename__ = "estate"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    # The seeds' 台账: market / basic / quasi / self_managed / none.
    management_type: Mapped[str] = mapped_column(String(20), default="market")
    committee_formed: Mapped[bool] = mapped_column(Boolean, default=False)
    property_company_id: Mapped[int | None] = mapped_column(ForeignKey("property_company.id"))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    # Emergency lines (gas, lift) and other per-estate settings.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    property_company: Mapped[PropertyCompany | None] = relationship(lazy="raise")


class Building(Base):
    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("estate_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))  # as written on the building: "3", "B"


class Unit(Base):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("building_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))


class Owner(Base):
    """The voting person of one or more premises (co-owners share one owner)."""

    __tablename__ = "owner"
    __table_args__ = (UniqueConstraint("estate_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))  # owner_id of the register file
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # person / developer
    phone: Mapped[str | None] = mapped_column(String(40))


class Premises(Base):
    """专有部分: one flat or shop, one row of the register."""

    __tablename__ = "premises"
    __table_args__ = (UniqueConstraint("building_id", "unit_key", "room"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    # The unit number or "" so the uniqueness of (building, unit, room) holds when unit is empty.
    unit_key: Mapped[str] = mapped_column(String(20), default="")
    room: Mapped[str] = mapped_column(String(20))
    use: Mapped[str] = mapped_column(String(20))  # residential / commercial / other
    area_registered: Mapped[Decimal | None] = mapped_column(Hundredths)
    area_surveyed: Mapped[Decimal | None] = mapped_column(Hundredths)
    area_contract: Mapped[Decimal | None] = mapped_column(Hundredths)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    delivered: Mapped[bool] = mapped_column(Boolean, default=True)

    building: Mapped[Building] = relationship(lazy="raise")
    unit: Mapped[Unit | None] = relationship(lazy="raise")
    owner: Mapped[Owner] = relationship(lazy="raise")
