from django.contrib import admin

from matrix.models import MatrixRow, ValueMatrix


class MatrixRowInline(admin.TabularInline):
    model = MatrixRow
    extra = 0
    raw_id_fields = ["partner"]


@admin.register(ValueMatrix)
class ValueMatrixAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "date", "status", "version"]
    list_filter = ["status"]
    search_fields = ["name", "organisation__name"]
    raw_id_fields = ["organisation", "previous_version", "created_by"]
    inlines = [MatrixRowInline]
