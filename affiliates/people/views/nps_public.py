"""/nps/<token>/: the one-question satisfaction link a customer answers without an account.

    GET  /nps/<token>/   the question with eleven big buttons (0–10) and an optional comment
    POST /nps/<token>/   the answer: one score, once

An unknown link is 404; a withdrawn or expired link and a link answered before are 410, each with a page
that says so. A missing or bad score is 422 with the question again. No refusal writes anything.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from affiliates.people import nps

PAGE = "affiliates/people/nps_answer.html"


def _closed(request, reason, nps_request=None):
    return render(
        request,
        "affiliates/people/nps_closed.html",
        {"reason": reason, "organisation": None, "sender": nps_request.organisation if nps_request else None},
        status=404 if reason == "unknown" else 410,
    )


@require_http_methods(["GET", "POST"])
def nps_answer(request, token):
    nps_request, reason = nps.request_by_token(token)
    if reason:
        return _closed(request, reason, nps_request)
    context = {
        "organisation": None,  # no member's organisation: no navigation
        "sender": nps_request.organisation,
        "partner": nps_request.partner,
        "scores": range(11),
    }
    if request.method == "GET":
        return render(request, PAGE, context)
    comment = request.POST.get("comment", "")
    try:
        nps.nps_answer(raw_token=token, score=request.POST.get("score"), comment=comment)
    except ValidationError as error:
        context |= {"error": error.messages[0], "comment": comment}
        return render(request, PAGE, context, status=422)
    except nps.NpsClosed as closed:
        return _closed(request, closed.reason, closed.nps_request)
    return render(request, "affiliates/people/nps_thanks.html", context)


urlpatterns = [path("<str:token>/", nps_answer, name="nps_answer")]
