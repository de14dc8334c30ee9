"""The parties of an agreement, under /o/<org_slug>/agreements/<id>/parties/: adding a partner, choosing its
contact person, and taking it out again (after confirmation)."""

from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agreements import services
from agreements.forms import PartyAddForm, PartyContactForm
from agreements.views import agreement_or_404
from partnerhub.deletion import deletion_plan, refusal_message
from partnerhub.tenancy import organisation_view, require_write


def _party(agreement, party_id):
    return get_object_or_404(agreement.parties.select_related("partner"), pk=party_id)


def _page(request, agreement, *, add_form=None, status=200):
    parties = list(
        agreement.parties.select_related("partner", "contact").prefetch_related("partner__contacts")
    )
    rows = [
        (party, PartyContactForm(party=party, prefix=f"p{party.pk}") if party.partner_id else None)
        for party in parties
    ]
    return render(
        request,
        "agreements/parties.html",
        {
            "agreement": agreement,
            "rows": rows,
            "add_form": add_form or PartyAddForm(agreement=agreement),
        },
        status=status,
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def party_list(request, agreement_id):
    """The parties; a POST adds a partner."""
    agreement = agreement_or_404(request, agreement_id)
    if request.method == "GET":
        return _page(request, agreement)
    require_write(request.membership)
    form = PartyAddForm(request.POST, agreement=agreement)
    if form.is_valid():
        try:
            party = services.party_add(
                agreement=agreement, actor=request.user, partner=form.cleaned_data["partner"]
            )
        except services.PartyError as error:
            form.add_error("partner", str(error))
        else:
            messages.success(
                request,
                _("%(name)s now takes part. Agree the split of costs and revenue again.")
                % {"name": party.name},
            )
            return redirect("agreements:party_list", request.organisation.slug, agreement.pk)
    return _page(request, agreement, add_form=form, status=422)


@organisation_view
@require_POST
def party_contact(request, agreement_id, party_id):
    agreement = agreement_or_404(request, agreement_id)
    party = _party(agreement, party_id)
    if party.partner_id is None:
        messages.error(request, _("Your own organisation has no contact person to choose here."))
        return redirect("agreements:party_list", request.organisation.slug, agreement.pk)
    form = PartyContactForm(request.POST, party=party, prefix=f"p{party.pk}")
    if form.is_valid():
        services.party_contact_save(party=party, actor=request.user, contact=form.cleaned_data["contact"])
        messages.success(request, _("The contact person of %(name)s was saved.") % {"name": party.name})
    else:
        messages.error(request, _("Choose one of the partner's contact persons."))
    return redirect("agreements:party_list", request.organisation.slug, agreement.pk)


@organisation_view
@require_http_methods(["GET", "POST"])
def party_remove(request, agreement_id, party_id):
    """Ask first; a POST takes the partner out of the agreement (its texts and split go with it)."""
    require_write(request.membership)
    agreement = agreement_or_404(request, agreement_id)
    party = _party(agreement, party_id)
    problem = None
    if request.method == "POST":
        try:
            services.party_remove(agreement=agreement, actor=request.user, party=party)
        except services.PartyError as error:
            problem = str(error)
        except ProtectedError:  # it signed after the service looked
            problem = refusal_message(party)
        else:
            messages.success(request, _("%(name)s no longer takes part.") % {"name": party.name})
            return redirect("agreements:party_list", request.organisation.slug, agreement.pk)
    return render(
        request,
        "agreements/party_confirm_remove.html",
        {"agreement": agreement, "party": party, "problem": problem, "plan": deletion_plan(party)},
        status=422 if problem else 200,
    )


urlpatterns = [
    path("agreements/<int:agreement_id>/parties/", party_list, name="party_list"),
    path(
        "agreements/<int:agreement_id>/parties/<int:party_id>/contact/", party_contact, name="party_contact"
    ),
    path("agreements/<int:agreement_id>/parties/<int:party_id>/remove/", party_remove, name="party_remove"),
]
