"""Advice on an agreement, under /o/<org_slug>/agreements/<id>/: the legal-form advisor, the pitfall check."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from agreements import services
from agreements.legal_forms import LEGAL_FORMS, LEGAL_FORMS_BY_CODE, LegalFormQuestionsForm, recommend
from agreements.models import Kind
from agreements.pitfalls import pitfalls
from agreements.views import agreement_or_404
from partnerhub.tenancy import organisation_view, require_write


def _as_form_data(answers):
    """Stored answers (the form's cleaned data) as the form takes them: yes/no for the booleans."""
    return {
        name: ("yes" if value else "no") if isinstance(value, bool) else value
        for name, value in answers.items()
    }


def _initial(agreement):
    """The stored answers; a first visit starts from what the agreement says: its duration and its parties."""
    if agreement.legal_form_answers:
        return _as_form_data(agreement.legal_form_answers)
    return {
        "duration": "project" if agreement.kind == Kind.PROJECT else "structural",
        "participants": agreement.parties.count(),
    }


def _advice(answers):
    """The ranked recommendation for stored answers, or None when there are none (or they no longer fit)."""
    form = LegalFormQuestionsForm(_as_form_data(answers))
    return recommend(form.cleaned_data) if answers and form.is_valid() else None


@organisation_view
@require_http_methods(["GET", "POST"])
def legal_form(request, agreement_id):
    """The questionnaire, the ranked and explained advice, the comparison table, and the choice."""
    agreement = agreement_or_404(request, agreement_id)
    status = 200
    if request.method == "POST":
        require_write(request.membership)
        if "choose" in request.POST:
            code = request.POST["choose"]
            if code == "" or code in LEGAL_FORMS_BY_CODE:
                services.legal_form_choose(agreement=agreement, actor=request.user, code=code)
                if code:
                    messages.success(
                        request,
                        _("%(form)s is now the legal form of this collaboration.")
                        % {"form": LEGAL_FORMS_BY_CODE[code].name},
                    )
                else:
                    messages.success(request, _("The choice of legal form was undone."))
                return redirect("agreements:legal_form", request.organisation.slug, agreement.pk)
            messages.error(request, _("Choose one of the legal forms in the table."))
            status = 422
            form = LegalFormQuestionsForm(initial=_initial(agreement))
        else:
            form = LegalFormQuestionsForm(request.POST)
            if form.is_valid():
                services.legal_form_answers_save(
                    agreement=agreement, actor=request.user, answers=form.cleaned_data
                )
                return redirect(f"{request.path}#advice")  # the advice is below the questionnaire
            status = 422
    else:
        form = LegalFormQuestionsForm(initial=_initial(agreement))
    advice = _advice(agreement.legal_form_answers)
    return render(
        request,
        "agreements/legal_form.html",
        {
            "agreement": agreement,
            "form": form,
            "advice": advice,
            "best": advice[0] if advice else None,
            "legal_forms": LEGAL_FORMS,
            "chosen": LEGAL_FORMS_BY_CODE.get(agreement.legal_form),
        },
        status=status,
    )


# The causes of failure (seed 003, chapter 7) that no form can check: questions for the partners to discuss.
DISCUSS = (
    gettext_lazy("Does every party have honest intentions with this collaboration?"),
    gettext_lazy("Is there enough support for it within each organisation?"),
    gettext_lazy("How do the cultures of the organisations differ, and how will you deal with that?"),
    gettext_lazy("Have you reckoned with how complex the process is?"),
    gettext_lazy("Will every party make enough time, even when its own business asks for attention?"),
    gettext_lazy("Are things presented as they are, without making them look better?"),
    gettext_lazy("Is all relevant information shared, and does no one keep an agenda of their own?"),
)


@organisation_view
@require_GET
def pitfall_check(request, agreement_id):
    agreement = agreement_or_404(request, agreement_id)
    found = pitfalls(agreement)
    return render(
        request,
        "agreements/pitfalls.html",
        {
            "agreement": agreement,
            "missing": [pitfall for pitfall in found if pitfall.missing],
            "risky": [pitfall for pitfall in found if not pitfall.missing],
            "discuss": DISCUSS,
        },
    )


urlpatterns = [
    path("agreements/<int:agreement_id>/legal-form/", legal_form, name="legal_form"),
    path("agreements/<int:agreement_id>/check/", pitfall_check, name="pitfall_check"),
]
