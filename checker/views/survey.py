"""The public survey of the samenwerkingschecker, reached with an invitation's link and no account.

    GET  /s/<token>/          the statements, with the answers given so far; the page works without JavaScript
    POST /s/<token>/answer/   one score (s<statement id>=1..5), autosaved by htmx as it is given
    POST /s/<token>/grade/    the grade (grade=1..10), autosaved the same way
    POST /s/<token>/submit/   the whole form: stores what it holds, then submits when everything is answered

A link that is unknown, withdrawn or past the round's deadline gets a page that says so and changes nothing.
Answers can be changed until the deadline, also after submitting; submitting again keeps the first moment.
"""

import re

from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from checker import services
from checker.models import GRADE_MAX, GRADE_MIN, SCORE_MAX, SCORE_MIN, Invitation

SURVEY = "checker/survey.html"
SCORE_FIELD = re.compile(r"^s(\d{1,9})$")


def _find(token):
    """(invitation, why it is closed or None). Unknown, withdrawn and expired links are told apart so the
    respondent knows what to do; none of them reveals anything of the round."""
    invitation, reason = Invitation.objects.select_related(
        "round__organisation", "round__collaboration", "partner"
    ).lookup(token)  # expiry is the round's deadline (services keep the two in step)
    if reason:
        return invitation, reason
    if not invitation.round.is_open(timezone.now()):
        return invitation, "not_open"
    return invitation, None


def _closed(request, token, invitation, reason):
    status = {"unknown": 404, "not_open": 403}.get(reason, 410)
    response = render(
        request,
        "checker/survey_closed.html",
        {"invitation": invitation if reason == "not_open" else None, "reason": reason},
        status=status,
    )
    if request.htmx:
        # An autosave on a page that was left open past the deadline: show the closed page instead.
        response["HX-Redirect"] = reverse("survey:survey", args=[token])
    return response


def _questions(invitation):
    """The round's statements in order, each with this respondent's score."""
    scores = dict(invitation.answers.values_list("statement_id", "score"))
    items = invitation.round.round_statements.select_related("statement").order_by("position", "pk")
    return [
        {"number": number, "statement": item.statement, "score": scores.get(item.statement_id)}
        for number, item in enumerate(items, start=1)
    ]


def _progress(statements, answered, grade):
    """Answered out of the statements plus the grade."""
    total = statements + 1
    answered += grade is not None
    return {"answered": answered, "total": total, "complete": answered == total}


def _page(request, token, invitation, *, questions=None, errors=None, missing_grade=False, status=200):
    questions = questions if questions is not None else _questions(invitation)
    grade = invitation.grade
    answered = sum(1 for question in questions if question["score"] is not None)
    return render(
        request,
        SURVEY,
        {
            "token": token,
            "invitation": invitation,
            "round": invitation.round,
            "questions": questions,
            "grade": grade,
            "progress": _progress(len(questions), answered, grade),
            "scores": range(SCORE_MIN, SCORE_MAX + 1),
            "grades": range(GRADE_MIN, GRADE_MAX + 1),
            "errors": errors,
            "missing_grade": missing_grade,
        },
        status=status,
    )


def _number(value, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


@require_GET
def survey(request, token):
    invitation, reason = _find(token)
    if reason:
        return _closed(request, token, invitation, reason)
    return _page(request, token, invitation)


def _saved(request, invitation, *, target, message, status=200):
    """The answer's status line and the progress bar: two queries, not the whole questionnaire (this runs
    on every click). The grade is read again with the count: a grade saved at the same moment by another
    request of the same page must count too."""
    statements = invitation.round.round_statements.count()
    answered, grade = (
        Invitation.objects.filter(pk=invitation.pk)
        .annotate(answered=Count("answers"))
        .values_list("answered", "grade")
        .get()
    )
    return render(
        request,
        f"{SURVEY}#saved",
        {
            "target": target,
            "message": message,
            "progress": _progress(statements, answered, grade),
            "ok": status == 200,
        },
        status=status,
    )


@require_POST
def survey_answer(request, token):
    invitation, reason = _find(token)
    if reason:
        return _closed(request, token, invitation, reason)
    fields = [(SCORE_FIELD.match(key), value) for key, value in request.POST.items()]
    fields = [(int(match[1]), value) for match, value in fields if match]
    if len(fields) != 1:
        return HttpResponse(_("Send one answer at a time."), status=400, content_type="text/plain")
    statement_id, value = fields[0]
    target = f"s{statement_id}"
    score = _number(value, SCORE_MIN, SCORE_MAX)
    if score is None:
        message = _("Choose a score from %(low)d to %(high)d.") % {"low": SCORE_MIN, "high": SCORE_MAX}
        return _saved(request, invitation, target=target, message=message, status=422)
    try:
        services.answer_save(invitation=invitation, statement_id=statement_id, score=score)
    except services.SurveyClosed:
        return _closed(request, token, invitation, "expired")
    except ValueError:
        return HttpResponse(
            _("This statement is not part of the survey."), status=400, content_type="text/plain"
        )
    return _saved(request, invitation, target=target, message=_("Saved"))


@require_POST
def survey_grade(request, token):
    invitation, reason = _find(token)
    if reason:
        return _closed(request, token, invitation, reason)
    grade = _number(request.POST.get("grade"), GRADE_MIN, GRADE_MAX)
    if grade is None:
        message = _("Choose a grade from %(low)d to %(high)d.") % {"low": GRADE_MIN, "high": GRADE_MAX}
        return _saved(request, invitation, target="grade", message=message, status=422)
    try:
        invitation = services.grade_save(invitation=invitation, grade=grade)
    except services.SurveyClosed:
        return _closed(request, token, invitation, "expired")
    return _saved(request, invitation, target="grade", message=_("Saved"))


@require_POST
def survey_submit(request, token):
    """Without JavaScript this form carries every answer; with it, the answers are already saved and the
    form carries them again. Bad values are reported and nothing of this request is stored."""
    invitation, reason = _find(token)
    if reason:
        return _closed(request, token, invitation, reason)
    questions = _questions(invitation)
    known = {question["statement"].pk for question in questions}
    scores, errors = {}, []
    for key, value in request.POST.items():
        match = SCORE_FIELD.match(key)
        if not match or not value:
            continue
        score = _number(value, SCORE_MIN, SCORE_MAX)
        if int(match[1]) not in known or score is None:
            errors.append(_("One of the answers was not valid; please choose a score from 1 to 5."))
            break
        scores[int(match[1])] = score
    grade = None
    if request.POST.get("grade"):
        grade = _number(request.POST["grade"], GRADE_MIN, GRADE_MAX)
        if grade is None:
            errors.append(
                _("Choose a grade from %(low)d to %(high)d.") % {"low": GRADE_MIN, "high": GRADE_MAX}
            )
    if errors:
        return _page(request, token, invitation, errors=errors, status=422)
    try:
        with transaction.atomic():
            for statement_id, score in scores.items():
                services.answer_save(invitation=invitation, statement_id=statement_id, score=score)
            if grade is not None:
                services.grade_save(invitation=invitation, grade=grade)
        services.invitation_submit(invitation=invitation)
    except services.SurveyClosed:
        return _closed(request, token, invitation, "expired")
    except services.IncompleteResponse as incomplete:
        # What was given is kept; the respondent sees what is still open.
        invitation.refresh_from_db()
        missing = {statement.pk for statement in incomplete.missing_statements}
        questions = _questions(invitation)
        for question in questions:
            question["missing"] = question["statement"].pk in missing
        errors = [_("Not everything has been answered yet. The open questions are marked below.")]
        return _page(
            request,
            token,
            invitation,
            questions=questions,
            errors=errors,
            missing_grade=incomplete.missing_grade,
            status=422,
        )
    return redirect("survey:survey", token=token)


urlpatterns = [
    path("<str:token>/", survey, name="survey"),
    path("<str:token>/answer/", survey_answer, name="survey_answer"),
    path("<str:token>/grade/", survey_grade, name="survey_grade"),
    path("<str:token>/submit/", survey_submit, name="survey_submit"),
]
