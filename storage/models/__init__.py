"""All tables. Import from here so Alembic and the app see one metadata.

Every module in this package is imported, so a capability adds its tables by adding a module.
"""
import importlib
import pkgutil

from storage.models.base import Base, UtcDateTime, utcnow
from storage.models.conversation import AppSetting, ChatMessage, DialogueState, UploadedFile
from storage.models.people import (
    ChatIdentity,
    Person,
    Residency,
    RoleGrant,
    VerificationAttempt,
    VerificationCode,
)
from storage.models.places import (
    Building,
    Community,
    Department,
    District,
    Estate,
    Owner,
    Premises,
    PropertyCompany,
    StreetOffice,
    Unit,
)

for _m in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_m.name}")

__all__ = [
    "AppSetting", "Base", "Building", "ChatIdentity", "ChatMessage", "Community", "Department",
    "DialogueState", "District", "Estate", "Owner", "Person", "Premises", "PropertyCompany",
    "Residency", "RoleGrant", "StreetOffice", "Unit", "UploadedFile", "UtcDateTime",
    "VerificationAttempt", "VerificationCode", "utcnow",
]
