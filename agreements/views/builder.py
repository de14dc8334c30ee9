"""Agreement views, under /o/<org_slug>/agreements/: the list, creating and editing an agreement, its
overview, and the builder's sections, each saved on its own."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agreements import services
from agreements.forms import (
    PARTY_SECTION_FIELDS,
    AgreementForm,
    PartyTextsForm,
    RolesForm,
    SplitForm,
    TextSectionForm,
    goal_formset,
    risk_formset,
)
from agreements.legal_forms import LEGAL_FORMS_BY_CODE
from agreements.pitfalls import pitfalls
from agreements.questions import selectors as question_selectors
from agreements.questions.smart import smart_check
from agreements.sections import BY_KEY, SECTIONS
from agreements.signing import selectors as signing_selectors
from agreements.signing import snapshots
from agreements.views import agreement_or_404
from matrix import selectors as matrix_selectors
from partnerhub.tenancy import organisation_view, require_write

PER_PAGE = 25


@organisation_view
@require_GET
def agreement_list(request):
    agreements = request.organisation.agreements.prefetch_related("parties__partner")
    page = Paginator(agreements, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "agreements/agreement_list.html", {"page_obj": page})


@organisation_view
@require_http_methods(["GET", "POST"])
def agreement_create(request):
    require_write(request.membership)
    form = AgreementForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agreement = services.agreement_create(
            organisation=request.organisation,
            actor=request.user,
            title=data["title"],
            partners=data["partners"],
            level=data["level"],
            kind=data["kind"],
            end_date=data["end_date"],
        )
        messages.success(
            request, _("The agreement was created. Work through the sections below, in any order.")
        )
        return redirect(agreement)
    return render(
        request, "agreements/agreement_form.html", {"form": form}, status=422 if form.errors else 200
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def agreement_update(request, agreement_id):
    require_write(request.membership)
    agreement = agreement_or_404(request, agreement_id)
    form = AgreementForm(request.POST or None, instance=agreement, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("title", "level", "kind", "end_date", "status")}
        services.agreement_update(agreement=agreement, actor=request.user, **fields)
        messages.success(request, _("The agreement was saved."))
        return redirect(agreement)
    return render(
        request,
        "agreements/agreement_form.html",
        {"form": form, "agreement": agreement},
        status=422 if form.errors else 200,
    )


def _overview(agreement):
    """Each section with whether it is complete, for the overview and the builder's navigation."""
    saved = services.sections_of(agreement)
    return [
        {
            "spec": spec,
            "section": saved.get(spec.key),
            "complete": bool(saved.get(spec.key) and saved[spec.key].complete),
        }
        for spec in SECTIONS
    ]


@organisation_view
@require_GET
def agreement_detail(request, agreement_id):
    agreement = agreement_or_404(request, agreement_id)
    rows = snapshots.saved_rows(agreement)  # shared by the parties table, the pitfalls and the documents card
    parties = rows["parties"]
    sections = _overview(agreement)
    return render(
        request,
        "agreements/agreement_detail.html",
        {
            "agreement": agreement,
            "parties": parties,
            "sections": sections,
            "completed": sum(1 for item in sections if item["complete"]),
            "legal_form": LEGAL_FORMS_BY_CODE.get(agreement.legal_form),
            "pitfall_count": len(pitfalls(agreement, rows)),
            "questions": question_selectors.card(agreement),
            "signing": signing_selectors.card(agreement, rows),
        },
    )


def _section_page(request, agreement, spec, form, *, status=200):
    context = {"agreement": agreement, "spec": spec, "form": form}
    if spec.key == "evaluation":  # the evaluation is linked to the collaboration's checker rounds
        context["rounds"] = agreement.collaboration.rounds.all()
    return render(request, "agreements/section_form.html", context, status=status)


@organisation_view
@require_http_methods(["GET", "POST"])
def section_edit(request, agreement_id, key):
    agreement = agreement_or_404(request, agreement_id)
    spec = BY_KEY.get(key)
    if spec is None:
        raise Http404
    section = agreement.sections.filter(key=key).first()
    complete = bool(section and section.complete)
    if key == "split":
        return _split(request, agreement, spec, section)
    if key in PARTY_SECTION_FIELDS:
        return _party_texts(request, agreement, spec, complete)
    if key in ("goals", "risks"):
        return _rows(request, agreement, spec, complete)
    if key == "roles":
        return _roles(request, agreement, spec, section)
    initial = {**(section.content if section else {}), "complete": complete}
    if request.method == "GET":
        return _section_page(request, agreement, spec, TextSectionForm(initial=initial, spec=spec))
    require_write(request.membership)
    form = TextSectionForm(request.POST, initial=initial, spec=spec)
    if not form.is_valid():
        return _section_page(request, agreement, spec, form, status=422)
    services.section_save(
        agreement=agreement,
        key=key,
        actor=request.user,
        content=form.texts(),
        complete=form.cleaned_data["complete"],
    )
    messages.success(request, _("“%(title)s” was saved.") % {"title": spec.title})
    return redirect(agreement)


def _split(request, agreement, spec, section):
    parties = list(agreement.parties.select_related("partner"))
    initial = {
        "settlement": section.content.get("settlement", "") if section else "",
        "complete": bool(section and section.complete),
    }
    if request.method == "GET":
        return _section_page(request, agreement, spec, SplitForm(initial=initial, parties=parties))
    require_write(request.membership)
    form = SplitForm(request.POST, initial=initial, parties=parties)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.split_save(agreement=agreement, actor=request.user, shares=form.shares())
                services.section_save(
                    agreement=agreement,
                    key="split",
                    actor=request.user,
                    content={"settlement": form.cleaned_data["settlement"]},
                    complete=form.cleaned_data["complete"],
                )
        except services.SplitError as error:
            for message in error.errors.values():
                form.add_error(None, message)
        else:
            messages.success(request, _("The split of costs and revenue was saved."))
            return redirect(agreement)
    return _section_page(request, agreement, spec, form, status=422)


def _with_matrix_rows(organisation, parties):
    """Give each partner's party its row in the latest value matrix it appears in (`party.matrix_row`), so the
    contributions page shows what the partner brings and gets according to the matrix."""
    latest = matrix_selectors.latest_rows_by_partner(
        organisation=organisation, partner_ids=[party.partner_id for party in parties if party.partner_id]
    )
    for party in parties:
        party.matrix_row = latest.get(party.partner_id)
    return parties


def _party_texts(request, agreement, spec, complete):
    parties = list(agreement.parties.select_related("partner"))
    if spec.key == "contributions":
        _with_matrix_rows(request.organisation, parties)
    initial = {"complete": complete}
    if request.method == "GET":
        form = PartyTextsForm(initial=initial, parties=parties, key=spec.key)
        return _section_page(request, agreement, spec, form)
    require_write(request.membership)
    form = PartyTextsForm(request.POST, initial=initial, parties=parties, key=spec.key)
    if not form.is_valid():
        return _section_page(request, agreement, spec, form, status=422)
    services.party_texts_save(
        agreement=agreement,
        key=spec.key,
        actor=request.user,
        texts=form.texts(),
        complete=form.cleaned_data["complete"],
    )
    messages.success(request, _("“%(title)s” was saved.") % {"title": spec.title})
    return redirect(agreement)


def _roles(request, agreement, spec, section):
    parties = list(agreement.parties.select_related("partner"))
    lead = next((party for party in parties if party.is_lead), None)
    initial = {**(section.content if section else {}), "complete": bool(section and section.complete)}
    initial["lead"] = lead.pk if lead else None
    if request.method == "GET":
        return _section_page(request, agreement, spec, RolesForm(initial=initial, spec=spec, parties=parties))
    require_write(request.membership)
    form = RolesForm(request.POST, initial=initial, spec=spec, parties=parties)
    if not form.is_valid():
        return _section_page(request, agreement, spec, form, status=422)
    services.roles_save(
        agreement=agreement,
        actor=request.user,
        lead=form.cleaned_data["lead"],
        content=form.texts(),
        complete=form.cleaned_data["complete"],
    )
    messages.success(request, _("“%(title)s” was saved.") % {"title": spec.title})
    return redirect(agreement)


def _goal_flags(formset):
    """Per goal form, the SMART flags of what it holds now (saved or just typed)."""
    flags = []
    for form in formset.forms:
        text = form["text"].value() or ""
        due = (
            form.cleaned_data.get("due_date") if form.is_bound and form.is_valid() else form.instance.due_date
        )
        flags.append(smart_check(text, due_date=due) if text.strip() else [])
    return flags


def _rows(request, agreement, spec, complete):
    """Goals or risks: a list of rows, added, changed and removed together."""
    make = goal_formset if spec.key == "goals" else risk_formset
    if request.method == "POST":
        require_write(request.membership)
        formset = make(agreement, request.POST)
        if formset.is_valid():
            services.formset_save(
                agreement=agreement,
                key=spec.key,
                actor=request.user,
                formset=formset,
                complete=forms.BooleanField(required=False).clean(request.POST.get("complete")),
            )
            messages.success(request, _("“%(title)s” was saved.") % {"title": spec.title})
            if spec.key == "goals":
                return redirect("agreements:section_edit", request.organisation.slug, agreement.pk, "goals")
            return redirect(agreement)
        status = 422
    else:
        formset, status = make(agreement), 200
    items = list(
        zip(
            formset.forms,
            _goal_flags(formset) if spec.key == "goals" else [[]] * len(formset.forms),
            strict=True,
        )
    )
    return render(
        request,
        "agreements/section_rows.html",
        {
            "agreement": agreement,
            "spec": spec,
            "formset": formset,
            "items": items,
            "complete": complete,
        },
        status=status,
    )


urlpatterns = [
    path("agreements/", agreement_list, name="agreement_list"),
    path("agreements/new/", agreement_create, name="agreement_create"),
    path("agreements/<int:agreement_id>/", agreement_detail, name="agreement_detail"),
    path("agreements/<int:agreement_id>/edit/", agreement_update, name="agreement_update"),
    path("agreements/<int:agreement_id>/sections/<slug:key>/", section_edit, name="section_edit"),
]
