"""The ten basic questions of an agreement, under /o/<org_slug>/agreements/<id>/questions/…

    questions/                               the parties with how far they are and their links
    questions/parties/<party_id>/link/       POST: a fresh link to copy, shown once
    questions/parties/<party_id>/send/       POST: a fresh link by e-mail (through Celery)
    questions/parties/<party_id>/revoke/     the link stops working (asks first)
    questions/parties/<party_id>/answers/    answer for a party in the app (the same form as the link's page)
    questions/compare/                       every party's answer per question, the agreed conclusion and
                                             the follow-up actions
    questions/conclusions/                   POST: one question's conclusion (htmx or a plain form)
    questions/actions/…                      POST: add, done, reopen; delete asks first

Viewers read everything; any change by a viewer is refused (403) by `organisation_view`/`require_write`.
"""

import datetime
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from kombu.exceptions import OperationalError as KombuOperationalError

from agreements.models import Agreement, FollowUpAction, Party
from agreements.questions import actions, conclusions, selectors, sheets, tasks, texts
from agreements.questions.forms import ActionForm, SendLinkForm
from agreements.questions.views.public import save_all, save_one, sheet_page
from agreements.views import agreement_or_404
from partnerhub.deletion import confirm_delete
from partnerhub.tenancy import OrganisationRequest, organisation_view, require_write

COMPARE = "agreements/questions/compare.html"


def _party(request: OrganisationRequest, agreement_id: int, party_id: int) -> Party:
    return get_object_or_404(
        Party.objects.select_related("agreement__organisation", "partner", "contact"),
        pk=party_id,
        agreement_id=agreement_id,
        agreement__organisation=request.organisation,
    )


def _action(request: OrganisationRequest, agreement_id: int, action_id: int) -> FollowUpAction:
    return get_object_or_404(
        FollowUpAction.objects.select_related("agreement__organisation", "owner__partner"),
        pk=action_id,
        agreement_id=agreement_id,
        agreement__organisation=request.organisation,
    )


def _overview_url(party: Party) -> str:
    return reverse("agreements:questions", args=[party.agreement.organisation.slug, party.agreement_id])


def _overview(
    request: OrganisationRequest,
    agreement: Agreement,
    *,
    fresh: dict[str, Any] | None = None,
    send_form: SendLinkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The parties page. `fresh`: a just-made link to show once; `send_form`: a refused e-mail form."""
    return render(
        request,
        "agreements/questions/overview.html",
        {
            "agreement": agreement,
            "rows": selectors.party_rows(agreement),
            "fresh": fresh,
            "send_form": send_form,
            "link_days": sheets.LINK_DAYS,
        },
        status=status,
    )


@organisation_view
@require_GET
def questions(request: OrganisationRequest, agreement_id: int) -> HttpResponse:
    return _overview(request, agreement_or_404(request, agreement_id))


@organisation_view
@require_POST
def questions_link(request: OrganisationRequest, agreement_id: int, party_id: int) -> HttpResponse:
    """A fresh link to copy. It is on this response only (it is not stored), so it is rendered, not
    redirected to."""
    party = _party(request, agreement_id, party_id)
    _sheet, raw = sheets.sheet_issue_link(party=party, actor=request.user)
    url = request.build_absolute_uri(reverse("questions:sheet", args=[raw]))
    return _overview(request, party.agreement, fresh={"party_id": party.pk, "name": party.name, "url": url})


@organisation_view
@require_POST
def questions_send(
    request: OrganisationRequest, agreement_id: int, party_id: int
) -> HttpResponse | HttpResponseRedirect:
    party = _party(request, agreement_id, party_id)
    form = SendLinkForm(request.POST)
    if not form.is_valid():
        form.party_id = party.pk
        return _overview(request, party.agreement, send_form=form, status=422)
    email = form.cleaned_data["email"]
    try:
        sheet = sheets.sheet_request_mail(party=party, email=email, actor=request.user)
    except sheets.LinkAlreadyMailed:
        messages.info(
            request,
            _("A link to the ten questions was just sent to %(email)s; no second one was sent.")
            % {"email": email},
        )
        return redirect(f"{_overview_url(party)}#party-{party.pk}")
    try:
        tasks.send_question_link.delay(
            sheet.pk,
            # just recorded by sheet_request_mail
            cast(datetime.datetime, sheet.mail_requested_at).isoformat(),
            base_url=request.build_absolute_uri("/"),
        )
    except (KombuOperationalError, OSError):
        sheets.sheet_request_mail_failed(sheet=sheet)
        messages.error(
            request,
            _("The link could not be handed to the mail queue; nothing was sent. Try again in a moment."),
        )
        return redirect(f"{_overview_url(party)}#party-{party.pk}")
    messages.success(
        request,
        _("A new link to the ten questions is being sent to %(email)s; the previous link stops working.")
        % {"email": email},
    )
    return redirect(f"{_overview_url(party)}#party-{party.pk}")


@organisation_view
@require_http_methods(["GET", "POST"])
def questions_revoke(
    request: OrganisationRequest, agreement_id: int, party_id: int
) -> HttpResponse | HttpResponseRedirect:
    require_write(request.membership)
    party = _party(request, agreement_id, party_id)
    sheet = selectors.sheet_of(party)
    if sheet is None or selectors.link_state(sheet) != "active":  # no sheet: no link
        messages.info(request, _("%(name)s has no working link to withdraw.") % {"name": party.name})
        return redirect(f"{_overview_url(party)}#party-{party.pk}")
    if request.method == "POST":
        sheets.sheet_revoke(sheet=sheet, actor=request.user)
        messages.success(request, _("The link of %(name)s no longer works.") % {"name": party.name})
        return redirect(f"{_overview_url(party)}#party-{party.pk}")
    return render(
        request,
        "partnerhub/confirm_delete.html",
        {
            "object": sheet,
            "title": _("Withdraw the link of %(name)s?") % {"name": party.name},
            "confirm_label": _("Yes, withdraw the link"),
            "cancel_url": _overview_url(party),
            "consequences": _(
                "The link stops working at once. The answers already given are kept, and you can make a new "
                "link later."
            ),
        },
    )


def _answer_urls(request: OrganisationRequest, party: Party) -> dict[str, str]:
    args = [request.organisation.slug, party.agreement_id, party.pk]
    return {
        "answer": reverse("agreements:questions_answer_save", args=args),
        "submit": reverse("agreements:questions_answer", args=args),
    }


@organisation_view
@require_http_methods(["GET", "POST"])
def questions_answer(
    request: OrganisationRequest, agreement_id: int, party_id: int
) -> HttpResponse | HttpResponseRedirect:
    """Answer for a party in the app: the same form as the link's page, saved as the member types."""
    party = _party(request, agreement_id, party_id)
    urls = _answer_urls(request, party)
    if request.method == "GET":
        return sheet_page(request, selectors.sheet_of(party), party=party, urls=urls, public=False)
    require_write(request.membership)
    sheet = sheets.sheet_for(party=party)
    response = save_all(request, sheet, party=party, urls=urls, public=False, actor=request.user)
    if response is not None:
        return response
    if request.POST.get("intent") == "draft":
        return redirect(request.path)
    messages.success(request, _("The answers of %(name)s were submitted.") % {"name": party.name})
    return redirect(f"{_overview_url(party)}#party-{party.pk}")


@organisation_view
@require_POST
def questions_answer_save(request: OrganisationRequest, agreement_id: int, party_id: int) -> HttpResponse:
    party = _party(request, agreement_id, party_id)
    return save_one(request, sheets.sheet_for(party=party), through_link=False)


def _compare(
    request: OrganisationRequest,
    agreement: Agreement,
    *,
    action_form: ActionForm | None = None,
    failed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The side-by-side page; after a refused plain POST, `action_form` (bound) or `failed` (a conclusion
    that was not saved, with the text as sent) show what went wrong where it happened."""
    data = selectors.comparison(agreement)
    return render(
        request,
        COMPARE,
        {
            "agreement": agreement,
            **data,
            "parties": [row["party"] for row in data["rows"]],
            "action_form": action_form,
            "failed": failed,
            "today": timezone.localdate(),
            "max_conclusion": conclusions.MAX_CONCLUSION,
            "max_action": actions.MAX_ACTION,
            "suggestions": SUGGESTIONS,
        },
        status=status,
    )


# Seed 003's examples of follow-up actions, offered while typing a new one.
SUGGESTIONS = [
    gettext_lazy("Find out whether a legal form is needed or a short contract is enough"),
    gettext_lazy("Name the shared interests in a conversation with everyone involved"),
    gettext_lazy("Start a small market survey to see whether there is a market for the idea"),
]


@organisation_view
@require_GET
def questions_compare(request: OrganisationRequest, agreement_id: int) -> HttpResponse:
    return _compare(request, agreement_or_404(request, agreement_id))


def _compare_url(agreement: Agreement, anchor: str) -> str:
    url = reverse("agreements:questions_compare", args=[agreement.organisation.slug, agreement.pk])
    return f"{url}#{anchor}"


def _code(request: OrganisationRequest) -> str:
    code = request.POST.get("code", "")
    if code and code not in texts.CODES:
        raise Http404("No such question.")
    return code


@organisation_view
@require_POST
def questions_conclusion(
    request: OrganisationRequest, agreement_id: int
) -> HttpResponse | HttpResponseRedirect:
    """Save one question's conclusion. With htmx: the status line (and the text it now starts from);
    without: back to the question. A text someone else saved meanwhile is never overwritten unseen."""
    agreement = agreement_or_404(request, agreement_id)
    code = _code(request)
    if not code:
        raise Http404("No such question.")
    text = request.POST.get("text", "")
    original = request.POST.get("original")
    context: dict[str, Any] = {"code": code, "ok": True, "at": None, "conflict": None, "message": ""}
    status = 200
    try:
        conclusion = conclusions.conclusion_save(
            agreement=agreement, code=code, text=text, actor=request.user, original=original
        )
        context |= {"at": timezone.localtime(conclusion.updated_at), "original": conclusion.text}
    except conclusions.ConclusionConflict as conflict:
        theirs = conflict.conclusion
        context |= {"ok": False, "conflict": theirs, "original": theirs.text}
        status = 409
    except ValueError as error:
        context |= {"ok": False, "message": str(error), "original": original or ""}
        status = 422
    if request.htmx:
        return render(request, f"{COMPARE}#conclusion_saved", context, status=status)
    if status == 200:
        messages.success(request, _("The conclusion was saved."))
        return redirect(_compare_url(agreement, f"q-{code}"))
    failed = {key: context[key] for key in ("code", "conflict", "message", "original")}
    return _compare(request, agreement, failed={**failed, "text": text.strip()}, status=status)


def _actions_block(
    request: OrganisationRequest,
    agreement: Agreement,
    code: str,
    *,
    form: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """One question's (or the general) actions with the add form, for an htmx swap."""
    return render(
        request,
        f"{COMPARE}#actions",
        {
            "agreement": agreement,
            "code": code,
            "actions": selectors.actions_of(agreement, code),
            "action_form": form,
            "parties": list(
                Party.objects.filter(agreement=agreement).select_related("partner", "agreement__organisation")
            ),
            "today": timezone.localdate(),
            "max_action": actions.MAX_ACTION,
            "suggestions": SUGGESTIONS,
        },
        status=status,
    )


def _after_action(
    request: OrganisationRequest, agreement: Agreement, code: str, message: str
) -> HttpResponse | HttpResponseRedirect:
    if request.htmx:
        return _actions_block(request, agreement, code)
    messages.success(request, message)
    return redirect(_compare_url(agreement, f"actions-{code or 'general'}"))


@organisation_view
@require_POST
def questions_action_create(
    request: OrganisationRequest, agreement_id: int
) -> HttpResponse | HttpResponseRedirect:
    agreement = agreement_or_404(request, agreement_id)
    code = _code(request)
    form = ActionForm(request.POST, agreement=agreement, code=code)
    if form.is_valid():
        try:
            actions.action_create(
                agreement=agreement,
                actor=request.user,
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
                code=code,
            )
        except actions.ActionInvalid as invalid:
            for field, message in invalid.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            return _after_action(request, agreement, code, _("The action was added."))
    if request.htmx:
        return _actions_block(request, agreement, code, form=form, status=422)
    return _compare(request, agreement, action_form=form, status=422)


@organisation_view
@require_POST
def questions_action_done(
    request: OrganisationRequest, agreement_id: int, action_id: int
) -> HttpResponse | HttpResponseRedirect:
    action = _action(request, agreement_id, action_id)
    actions.action_done(action=action, actor=request.user)
    return _after_action(request, action.agreement, action.code, _("The action is done."))


@organisation_view
@require_POST
def questions_action_reopen(
    request: OrganisationRequest, agreement_id: int, action_id: int
) -> HttpResponse | HttpResponseRedirect:
    action = _action(request, agreement_id, action_id)
    actions.action_reopen(action=action, actor=request.user)
    return _after_action(request, action.agreement, action.code, _("The action is open again."))


@organisation_view
@require_http_methods(["GET", "POST"])
def questions_action_delete(request: OrganisationRequest, agreement_id: int, action_id: int) -> HttpResponse:
    require_write(request.membership)
    action = _action(request, agreement_id, action_id)
    back = _compare_url(action.agreement, f"actions-{action.code or 'general'}")
    return confirm_delete(
        request,
        action,
        delete=lambda: actions.action_delete(action=action, actor=request.user),
        success_url=back,
        success_message=_("The action “%(action)s” was deleted.") % {"action": action.description},
        cancel_url=back,
        context={
            "title": _("Delete the action “%(action)s”?") % {"action": action.description},
            "consequences": _("If it still has to happen, mark it done instead."),
        },
    )


urlpatterns = [
    path("agreements/<int:agreement_id>/questions/", questions, name="questions"),
    path("agreements/<int:agreement_id>/questions/compare/", questions_compare, name="questions_compare"),
    path(
        "agreements/<int:agreement_id>/questions/conclusions/",
        questions_conclusion,
        name="questions_conclusion",
    ),
    path(
        "agreements/<int:agreement_id>/questions/actions/",
        questions_action_create,
        name="questions_action_create",
    ),
    path(
        "agreements/<int:agreement_id>/questions/actions/<int:action_id>/done/",
        questions_action_done,
        name="questions_action_done",
    ),
    path(
        "agreements/<int:agreement_id>/questions/actions/<int:action_id>/reopen/",
        questions_action_reopen,
        name="questions_action_reopen",
    ),
    path(
        "agreements/<int:agreement_id>/questions/actions/<int:action_id>/delete/",
        questions_action_delete,
        name="questions_action_delete",
    ),
    path(
        "agreements/<int:agreement_id>/questions/parties/<int:party_id>/link/",
        questions_link,
        name="questions_link",
    ),
    path(
        "agreements/<int:agreement_id>/questions/parties/<int:party_id>/send/",
        questions_send,
        name="questions_send",
    ),
    path(
        "agreements/<int:agreement_id>/questions/parties/<int:party_id>/revoke/",
        questions_revoke,
        name="questions_revoke",
    ),
    path(
        "agreements/<int:agreement_id>/questions/parties/<int:party_id>/answers/",
        questions_answer,
        name="questions_answer",
    ),
    path(
        "agreements/<int:agreement_id>/questions/parties/<int:party_id>/answers/save/",
        questions_answer_save,
        name="questions_answer_save",
    ),
]
