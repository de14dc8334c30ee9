"""Partners and their contact persons: list (search as you type), detail, create, edit, delete; archive
and erase personal data where a partner must stay on record."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from partnerhub import search, selectors, services
from partnerhub.deletion import confirm_delete
from partnerhub.forms import ContactForm, PartnerFilterForm, PartnerForm
from partnerhub.models import Contact, Partner, PartnerStatus
from partnerhub.sections import partner_sections
from partnerhub.tenancy import organisation_view, require_write


def _partner(request, partner_id):
    return get_object_or_404(Partner.objects.filter(organisation=request.organisation), pk=partner_id)


def _contact(request, partner, contact_id):
    return get_object_or_404(Contact.objects.filter(partner=partner), pk=contact_id)


@organisation_view
def partner_list(request):
    filter_form = PartnerFilterForm(request.GET)
    filters = filter_form.filters()
    partners = selectors.partner_search(organisation=request.organisation, **filters)
    page = Paginator(partners, settings.PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "filters": filters,
        "page": page,
        "has_partners": request.organisation.partners.exists(),
        "search_limited": search.is_limited(filters["query"]),
        "ended_hidden": 0
        if filters["status"]
        else selectors.partner_search(
            organisation=request.organisation, **{**filters, "status": PartnerStatus.ENDED}
        ).count(),
    }
    template = "partnerhub/partner_list.html#results" if request.htmx else "partnerhub/partner_list.html"
    return render(request, template, context)


@organisation_view
def partner_detail(request, partner_id):
    partner = _partner(request, partner_id)
    return render(
        request,
        "partnerhub/partner_detail.html",
        {
            "partner": partner,
            "contacts": partner.contacts.all(),
            "sections": partner_sections(request, partner),
            "audit_entries": selectors.partner_audit(partner=partner),
        },
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def partner_create(request):
    form = PartnerForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        partner = services.partner_create(
            organisation=request.organisation, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("Partner “%(name)s” added.") % {"name": partner.name})
        return redirect(partner)
    return render(request, "partnerhub/partner_form.html", {"form": form})


@organisation_view
@require_http_methods(["GET", "POST"])
def partner_update(request, partner_id):
    partner = _partner(request, partner_id)
    form = PartnerForm(request.POST or None, instance=partner, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        services.partner_update(partner=partner, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Changes to “%(name)s” saved.") % {"name": partner.name})
        return redirect(partner)
    return render(request, "partnerhub/partner_form.html", {"form": form, "partner": partner})


@organisation_view
@require_http_methods(["GET", "POST"])
def partner_delete(request, partner_id):
    """Delete a partner, or, when agreements or the ledger hold on to it, offer to archive it instead."""
    partner = _partner(request, partner_id)
    require_write(request.membership)  # the confirm page too: it offers nothing a viewer may do
    return confirm_delete(
        request,
        partner,
        delete=lambda: services.partner_delete(partner=partner, actor=request.user),
        success_url=reverse("partner_list", args=[request.organisation.slug]),
        success_message=_("Partner “%(name)s” deleted.") % {"name": partner.name},
        cancel_url=partner.get_absolute_url(),
        template="partnerhub/partner_confirm_delete.html",
        context={"partner": partner},
    )


@organisation_view
@require_POST
def partner_archive(request, partner_id):
    partner = _partner(request, partner_id)
    services.partner_archive(partner=partner, actor=request.user)
    messages.success(
        request,
        _("“%(name)s” is archived: its status is Ended and the partner list no longer shows it by default.")
        % {"name": partner.name},
    )
    return redirect(partner)


@organisation_view
@require_http_methods(["GET", "POST"])
def partner_erase(request, partner_id):
    """Erase the personal data of a partner's contact persons, after confirmation."""
    partner = _partner(request, partner_id)
    require_write(request.membership)  # the confirm page too: it offers nothing a viewer may do
    if request.method == "POST":
        count = services.partner_erase_personal_data(partner=partner, actor=request.user)
        messages.success(
            request,
            ngettext(
                "The personal data of %(count)d contact person of “%(name)s” is erased.",
                "The personal data of %(count)d contact persons of “%(name)s” is erased.",
                count,
            )
            % {"count": count, "name": partner.name},
        )
        return redirect(partner)
    return render(
        request,
        "partnerhub/partner_confirm_erase.html",
        {"partner": partner, "contact_count": partner.contacts.count()},
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def contact_create(request, partner_id):
    partner = _partner(request, partner_id)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = services.contact_create(partner=partner, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Contact person “%(name)s” added.") % {"name": contact.name})
        return redirect(partner)
    return render(request, "partnerhub/contact_form.html", {"form": form, "partner": partner})


@organisation_view
@require_http_methods(["GET", "POST"])
def contact_update(request, partner_id, contact_id):
    partner = _partner(request, partner_id)
    contact = _contact(request, partner, contact_id)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.contact_update(contact=contact, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Contact person “%(name)s” saved.") % {"name": contact.name})
        return redirect(partner)
    return render(
        request, "partnerhub/contact_form.html", {"form": form, "partner": partner, "contact": contact}
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def contact_delete(request, partner_id, contact_id):
    partner = _partner(request, partner_id)
    require_write(request.membership)  # the confirm page too: it offers nothing a viewer may do
    contact = _contact(request, partner, contact_id)
    return confirm_delete(
        request,
        contact,
        delete=lambda: services.contact_delete(contact=contact, actor=request.user),
        success_url=partner.get_absolute_url(),
        success_message=_("Contact person “%(name)s” deleted.") % {"name": contact.name},
        cancel_url=partner.get_absolute_url(),
    )
