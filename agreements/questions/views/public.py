"""A party's ten basic questions, reached with its sheet's link and no account (/q/<token>/…), and the
sheet form that the organisation's "answer in the app" page shares.

    GET  /q/<token>/          the ten questions with the answers so far; works without JavaScript
    POST /q/<token>/answer/   one answer (<code>=text), autosaved by htmx as it is typed
    POST /q/<token>/submit/   the whole form: stores what it holds (all or nothing), then submits, or only
                              saves when the draft button was pressed

A link that is unknown (404), withdrawn or expired (410) gets a page that says so and changes nothing.
Answers can be changed while the link works, also after submitting; submitting again keeps the first moment.
"""

from collections.abc import Collection
from typing import TypedDict

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agreements.models import Party, QuestionSheet
from agreements.questions import answers, selectors, texts
from agreements.questions.forms import SheetForm
from agreements.views import HtmxRequest
from partnerhub.models import User

SHEET = "agreements/questions/sheet.html"


class _Page(TypedDict):
    """What `save_all` hands on to `sheet_page` as it got it."""

    party: Party
    urls: dict[str, str]
    public: bool


def _find(token: str) -> tuple[QuestionSheet | None, str | None]:
    """(sheet, why it is closed or None). Unknown, withdrawn and expired links are told apart so the party
    knows what to do; none of them reveals anything of the agreement."""
    return QuestionSheet.objects.select_related(
        "party__agreement__organisation", "party__partner", "party__contact"
    ).lookup(token)


def _closed(request: HtmxRequest, token: str, reason: str) -> HttpResponse:
    response = render(
        request,
        "agreements/questions/sheet_closed.html",
        {"reason": reason},
        status=404 if reason == "unknown" else 410,
    )
    if request.htmx:
        # An autosave on a page left open after the link was withdrawn or expired: show the closed page.
        response["HX-Redirect"] = reverse("questions:sheet", args=[token])
    return response


def sheet_page(
    request: HttpRequest,
    sheet: QuestionSheet | None,
    *,
    party: Party,
    urls: dict[str, str],
    public: bool,
    form: SheetForm | None = None,
    missing: Collection[str] = (),
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The sheet form (public or in the app): every question with its current text; after a refused
    submit, the texts as sent and the open questions marked."""
    questions = texts.questions()
    saved = selectors.answers_of(sheet)
    items = []
    for question in questions:
        text = form.data.get(question.code, "") if form is not None else saved.get(question.code, "")
        items.append(
            {
                "question": question,
                "text": text,
                "missing": question.code in missing,
                "error": form.errors.get(question.code) if form is not None else None,
            }
        )
    return render(
        request,
        SHEET,
        {
            "public": public,
            "sheet": sheet,
            "party": party,
            "agreement": party.agreement,
            "sender": party.agreement.organisation,
            "items": items,
            "progress": selectors.progress(sum(1 for code in saved if code in texts.CODES)),
            "urls": urls,
            "errors": errors,
            "max_answer": answers.MAX_ANSWER,
        },
        status=status,
    )


def save_one(request: HttpRequest, sheet: QuestionSheet, *, through_link: bool) -> HttpResponse:
    """One autosaved answer: the status line under it and the progress bar. Raises SheetClosed."""
    # (A posted key always has a value: the stub's list[object] is that of a key whose list was emptied.)
    fields = [
        (key, value) for key, value in request.POST.items() if key in texts.CODES and isinstance(value, str)
    ]
    if len(fields) != 1:
        return HttpResponse(_("Send one answer at a time."), status=400, content_type="text/plain")
    code, text = fields[0]
    try:
        sheet = answers.answer_save(sheet=sheet, code=code, text=text, through_link=through_link)
    except ValueError as error:
        return _saved(request, sheet, code=code, message=str(error), ok=False)
    return _saved(request, sheet, code=code, message=_("Saved"), ok=True)


def _saved(request: HttpRequest, sheet: QuestionSheet, *, code: str, message: str, ok: bool) -> HttpResponse:
    return render(
        request,
        f"{SHEET}#saved",
        {
            "code": code,
            "message": message,
            "ok": ok,
            "at": timezone.localtime() if ok else None,
            "progress": selectors.sheet_progress(sheet),
        },
        status=200 if ok else 422,
    )


def save_all(
    request: HttpRequest,
    sheet: QuestionSheet,
    *,
    party: Party,
    urls: dict[str, str],
    public: bool,
    actor: User | None = None,
) -> HttpResponse | None:
    """The whole form: store what it holds (all or nothing), then submit unless it was only a draft.
    Returns a response, or None when it was stored (the caller redirects). Raises SheetClosed."""
    form = SheetForm(request.POST, questions=texts.questions())
    page: _Page = {"party": party, "urls": urls, "public": public}
    if not form.is_valid():
        errors = [_("One of the answers is too long; it is marked below. Nothing was saved.")]
        return sheet_page(request, sheet, form=form, errors=errors, status=422, **page)
    # Only what the form carried: a field that was not sent leaves its answer alone.
    sent = {code: text for code, text in form.texts().items() if code in request.POST}
    answers.answers_save(sheet=sheet, texts=sent, through_link=public)
    if request.POST.get("intent") == "draft":
        saved = _("Your answers were saved. You can continue later with the same link.")
        if not public:
            saved = _("The answers of %(name)s were saved.") % {"name": party.name}
        messages.success(request, saved)
        return None
    try:
        answers.sheet_submit(sheet=sheet, actor=actor, through_link=public)
    except answers.IncompleteSheet as incomplete:
        errors = [_("Some questions have no answer yet; they are marked below. What was written is saved.")]
        return sheet_page(request, sheet, missing=incomplete.missing, errors=errors, status=422, **page)
    return None


def _urls(token: str) -> dict[str, str]:
    return {
        "answer": reverse("questions:sheet_answer", args=[token]),
        "submit": reverse("questions:sheet_submit", args=[token]),
    }


@require_GET
def sheet(request: HtmxRequest, token: str) -> HttpResponse:
    found, reason = _find(token)
    if found is None or reason:  # no sheet: "unknown"
        return _closed(request, token, reason or "unknown")
    return sheet_page(request, found, party=found.party, urls=_urls(token), public=True)


@require_POST
def sheet_answer(request: HtmxRequest, token: str) -> HttpResponse:
    found, reason = _find(token)
    if found is None or reason:  # no sheet: "unknown"
        return _closed(request, token, reason or "unknown")
    try:
        return save_one(request, found, through_link=True)
    except answers.SheetClosed:
        return _closed(request, token, "expired")


@require_POST
def sheet_submit(request: HtmxRequest, token: str) -> HttpResponse | HttpResponseRedirect:
    found, reason = _find(token)
    if found is None or reason:  # no sheet: "unknown"
        return _closed(request, token, reason or "unknown")
    try:
        response = save_all(request, found, party=found.party, urls=_urls(token), public=True)
    except answers.SheetClosed:
        return _closed(request, token, "expired")
    return response or redirect("questions:sheet", token=token)


urlpatterns = [
    path("<str:token>/", sheet, name="sheet"),
    path("<str:token>/answer/", sheet_answer, name="sheet_answer"),
    path("<str:token>/submit/", sheet_submit, name="sheet_submit"),
]
