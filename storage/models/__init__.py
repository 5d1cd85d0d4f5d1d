"""All tables. Import from here so Alembic and the app see one metadata."""
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

__all__ = [
    "AppSetting", "Base", "Building", "ChatIdentity", "ChatMessage", "Community", "Department",
    "DialogueState", "District", "Estate", "Owner", "Person", "Premises", "PropertyCompany",
    "Residency", "RoleGrant", "StreetOffice", "Unit", "UploadedFile", "UtcDateTime",
    "VerificationAttempt", "VerificationCode", "utcnow",
]
