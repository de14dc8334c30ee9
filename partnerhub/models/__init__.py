from .audit import AuditEntry
from .document import Document
from .organisation import Membership, MemberInvitation, Organisation, Role, User
from .partner import Contact, Partner, PartnerCategory, PartnerStatus

__all__ = [
    "AuditEntry",
    "Contact",
    "Document",
    "MemberInvitation",
    "Membership",
    "Organisation",
    "Partner",
    "PartnerCategory",
    "PartnerStatus",
    "Role",
    "User",
]
