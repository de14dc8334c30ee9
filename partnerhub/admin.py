"""The admin for operators, and the pieces every app's admin shares.

`OrganisationScoped`: a staff member who is not a superuser sees (and may choose in a form) only the rows of
the organisations they are a member of, like every page of the product; anything else is "not found".
`ReadOnlyRecord`: money, signature and audit records are written by the services only, so that every change
leaves its trace (a correction line, a new version, an audit entry); the admin shows them and changes nothing.
Secrets (token hashes, API-key hashes) are never named in an admin: they are excluded, a prefix is shown where
the model has one.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext_lazy as _

from partnerhub.models import (
    AuditEntry,
    Contact,
    CsvImportJob,
    Document,
    MemberInvitation,
    Membership,
    Organisation,
    Partner,
    User,
)

# Fields that hold a secret or a value derived from one: never shown in the admin, read-only or not.
SECRET_FIELDS = frozenset({"token_hash", "token_nonce", "key_hash", "token", "source_hash", "password"})


def member_organisations(user):
    """The ids of the organisations the user is a member of, as a subquery."""
    return Membership.objects.filter(user=user).values("organisation_id")


def _many_valued(model, path):
    """Whether a lookup path crosses a one-to-many or many-to-many relation (so a row can match twice)."""
    for name in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if field.one_to_many or field.many_to_many:
            return True
        model = field.related_model
        if model is None:
            return False
    return False


def scope_to_member(queryset, user, path):
    """The rows of the queryset whose organisation (reached by `path`; "" for organisations themselves) the
    user is a member of; all rows for a superuser."""
    if user.is_superuser:
        return queryset
    lookup = f"{path}__in" if path else "pk__in"
    if _many_valued(queryset.model, path):
        rows = queryset.model._base_manager.filter(**{lookup: member_organisations(user)}).values("pk")
        return queryset.filter(pk__in=rows)
    return queryset.filter(**{lookup: member_organisations(user)})


class OrganisationScoped:
    """For a ModelAdmin or an inline: the rows and the choices in forms are limited to the organisations of a
    staff member who is not a superuser. `organisation_path` is the lookup from the model to its organisation.

    Lists, change pages, deletion, history, raw-id look-ups and autocompletion all start from `get_queryset`,
    so another organisation's object answers as if it did not exist. A foreign key or many-to-many field
    offers only what the related model's own admin would show; a related model outside the scoped admins
    offers nothing.
    """

    organisation_path = "organisation"

    def get_list_filter(self, request):
        """Every list can be filtered by organisation (the ones the user may see), first, from the path."""
        own = [organisation_filter(self.organisation_path)] if self.organisation_path else []
        return [*own, *super().get_list_filter(request)]

    def get_queryset(self, request):
        return scope_to_member(super().get_queryset(request), request.user, self.organisation_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _limit_choices(self, db_field, request, kwargs):
        if request.user.is_superuser or "queryset" in kwargs:
            return
        model = db_field.remote_field.model
        related_admin = self.admin_site._registry.get(model)
        if isinstance(related_admin, OrganisationScoped):
            kwargs["queryset"] = related_admin.get_queryset(request)
        else:
            kwargs["queryset"] = model._default_manager.none()


def organisation_filter(path="organisation"):
    """A list filter by organisation that names only the organisations of the rows the user may see."""
    return (path, admin.RelatedOnlyFieldListFilter)


def fields_shown(model):
    """The model's own fields in their order, without secrets: what a read-only page shows."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.name not in SECRET_FIELDS and not field.primary_key
    ]


class ReadOnlyRecord:
    """Shown in full, changed never: no adding, changing or deleting, for superusers too."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return fields_shown(self.model)

    def get_exclude(self, request, obj=None):
        return [
            *(super().get_exclude(request, obj) or []),
            *SECRET_FIELDS & {f.name for f in self.model._meta.fields},
        ]


class ScopedAdmin(OrganisationScoped, admin.ModelAdmin):
    """The admin of an organisation's rows."""


class ScopedTabularInline(OrganisationScoped, admin.TabularInline):
    """An inline of an organisation's rows."""


class RecordAdmin(ReadOnlyRecord, OrganisationScoped, admin.ModelAdmin):
    """The admin of an organisation's money, signature and audit records."""


def iban_tail(iban):
    """The last four characters of an account number, enough to recognise it in a list."""
    return f"…{iban[-4:]}" if iban else ""


# Users and organisations


class MembershipInline(ScopedTabularInline):
    """The members by name, in one query; a member is added on the membership page or by an invitation."""

    model = Membership
    extra = 0
    fields = ["user", "role"]
    readonly_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False


class UserMembershipInline(MembershipInline):
    fk_name = "user"
    fields = ["organisation", "role"]
    readonly_fields = ["organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


@admin.register(User)
class UserAdmin(OrganisationScoped, DjangoUserAdmin):
    organisation_path = "memberships__organisation"
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "is_staff",
        "is_superuser",
        "is_active",
        "last_login",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    date_hierarchy = "date_joined"
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["full_name"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [UserMembershipInline]

    def has_change_permission(self, request, obj=None):
        # A staff member who is not a superuser could otherwise take over a superuser's account.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Who is staff and what staff may do is for superusers to decide.
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    organisation_path = ""
    list_display = [
        "name",
        "slug",
        "industry",
        "location",
        "employees",
        "second_factor_required",
        "created_at",
    ]
    list_filter = ["second_factor_required"]
    search_fields = ["name", "slug"]
    date_hierarchy = "created_at"
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        return ("slug", "second_factor_required")  # an owner's decisions, made in the product


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    raw_id_fields = ["user", "organisation"]
    date_hierarchy = "created_at"


@admin.register(MemberInvitation)
class MemberInvitationAdmin(ScopedAdmin):
    list_display = [
        "email",
        "organisation",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation", "invited_by"]
    raw_id_fields = ["organisation", "invited_by"]
    exclude = ["token_hash"]
    date_hierarchy = "created_at"


# Partners


class ContactInline(ScopedTabularInline):
    model = Contact
    organisation_path = "partner__organisation"
    extra = 0
    fields = ["name", "job_title", "email", "phone", "is_key_person"]


@admin.register(Partner)
class PartnerAdmin(ScopedAdmin):
    list_display = [
        "name",
        "organisation",
        "category",
        "status",
        "kvk_number",
        "influence",
        "importance",
        "updated_at",
    ]
    list_filter = ["category", "status"]
    search_fields = ["name", "kvk_number", "website", "organisation__name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation", "relationship_owner"]
    date_hierarchy = "created_at"
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(ScopedAdmin):
    organisation_path = "partner__organisation"
    list_display = ["name", "partner", "organisation", "job_title", "email", "phone", "is_key_person"]
    list_filter = ["is_key_person"]
    search_fields = ["name", "email", "phone", "partner__name"]
    list_select_related = ["partner__organisation"]
    raw_id_fields = ["partner"]

    @admin.display(description=_("organisation"), ordering="partner__organisation__name")
    def organisation(self, contact):
        return contact.partner.organisation


# Background work


@admin.register(Document)
class DocumentAdmin(ScopedAdmin):
    list_display = ["title", "organisation", "kind", "status", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "filename", "sha256", "organisation__name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation", "requested_by"]
    readonly_fields = ["sha256", "error", "attempts", "queued_at", "started_at", "finished_at"]
    date_hierarchy = "created_at"


@admin.register(CsvImportJob)
class CsvImportJobAdmin(ScopedAdmin):
    list_display = [
        "filename",
        "organisation",
        "kind",
        "status",
        "total_rows",
        "imported_rows",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["filename", "organisation__name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation", "requested_by"]
    # The uploaded text is read again by the job; it is not the admin's to edit.
    exclude = ["token", "content"]
    readonly_fields = [
        "kind",
        "total_rows",
        "checked_rows",
        "imported_rows",
        "row_errors",
        "error",
        "attempts",
        "queued_at",
        "started_at",
        "finished_at",
    ]
    date_hierarchy = "created_at"


# The audit log


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
    list_display = [
        "created_at",
        "organisation",
        "actor",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor_name", "actor__email", "object_type"]
    list_select_related = ["organisation", "actor"]
    date_hierarchy = "created_at"
