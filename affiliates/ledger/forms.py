"""Forms of the commissions and payouts pages."""

import datetime
from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from affiliates.ledger.selectors import STATE_LABELS
from affiliates.models import CommissionKind
from partnerhub.models import Organisation, Partner


class CommissionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *STATE_LABELS.items()],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *CommissionKind.choices]
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"), required=False, queryset=Partner.objects.none(), empty_label=_("All partners")
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner = cast("forms.ModelChoiceField[Partner]", self.fields["partner"])
        partner.queryset = (
            Partner.objects.filter(organisation=organisation, commissions__isnull=False)
            .distinct()
            .order_by("name")
            .only("pk", "name", "organisation")  # a filter names and finds partners: nothing else is loaded
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Give a reason for rejecting."),
            "max_length": _("Keep the reason under 300 characters."),
        },
    )


def month_choices(today: datetime.date, count: int = 12) -> list[tuple[str, str]]:
    """The last `count` months, newest first, as ("2026-01", "januari 2026") pairs."""

    first = today.replace(day=1)
    months = []
    for _i in range(count):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        months.append((first.strftime("%Y-%m"), date_format(first, "F Y")))
    return months


class BatchForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"))

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        month = cast(forms.ChoiceField, self.fields["month"])
        choices = month_choices(today)
        month.choices = choices
        month.initial = choices[0][0]
        month.error_messages["invalid_choice"] = _("Choose one of the last twelve months.")

    def clean_month(self) -> datetime.date:
        return datetime.date.fromisoformat(self.cleaned_data["month"] + "-01")
