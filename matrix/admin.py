from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from matrix.models import MatrixRow, ValueMatrix
from partnerhub.admin import ScopedAdmin, ScopedTabularInline


class MatrixRowInline(ScopedTabularInline):
    model = MatrixRow
    """The rows with their partner by name, in one query; a partner is added to a matrix in the product."""

    organisation_path = "matrix__organisation"
    extra = 0
    readonly_fields = ["partner"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partner")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ValueMatrix)
class ValueMatrixAdmin(ScopedAdmin):
    list_display = ["name", "organisation", "date", "status", "version", "created_by", "updated_at"]
    list_filter = ["status"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation", "created_by"]
    raw_id_fields = ["organisation", "previous_version", "created_by"]
    date_hierarchy = "date"
    inlines = [MatrixRowInline]


@admin.register(MatrixRow)
class MatrixRowAdmin(ScopedAdmin):
    organisation_path = "matrix__organisation"
    list_display = ["partner", "matrix", "organisation", "position", "updated_at"]
    search_fields = ["partner__name", "matrix__name"]
    list_select_related = ["partner", "matrix__organisation"]
    raw_id_fields = ["matrix", "partner"]

    @admin.display(description=_("organisation"), ordering="matrix__organisation__name")
    def organisation(self, row):
        return row.matrix.organisation
