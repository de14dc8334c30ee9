from partnerhub.models.audit import AuditAction, AuditEntry
from partnerhub.models.csv_import import CsvImportJob, CsvImportStatus
from partnerhub.models.document import Document, DocumentStatus
from partnerhub.models.organisation import MemberInvitation, Membership, Organisation, Role, User
from partnerhub.models.partner import Contact, Partner, PartnerCategory, PartnerStatus

__all__ = [
    "AuditAction",
    "AuditEntry",
    "Contact",
    "CsvImportJob",
    "CsvImportStatus",
    "Document",
    "DocumentStatus",
    "MemberInvitation",
    "Membership",
    "Organisation",
    "Partner",
    "PartnerCategory",
    "PartnerStatus",
    "Role",
    "User",
]
