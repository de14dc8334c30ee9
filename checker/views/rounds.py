"""Checker views: collaborations, their rounds, and the round page where invitations are sent and followed."""

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from checker import services
from checker.forms import CollaborationForm, RepeatRoundForm, RoundForm
from checker.models import CheckerRound, Collaboration, Invitation, Statement
from partnerhub.tenancy import organisation_view, require_write


def _collaboration(request, collaboration_id):
    return get_object_or_404(
        Collaboration.objects.filter(organisation=request.organisation), pk=collaboration_id
    )


def _round(request, round_id):
    return get_object_or_404(
        CheckerRound.objects.filter(organisation=request.organisation).select_related("collaboration"),
        pk=round_id,
    )


def _respondent(request, round_id, respondent_id):
    return get_object_or_404(
        Invitation.objects.select_related("round__organisation", "round__collaboration", "partner"),
        pk=respondent_id,
        round_id=round_id,
        round__organisation=request.organisation,
    )


def rounds_with_rates(queryset):
    return queryset.annotate(
        invited=Count("invitations", filter=Q(invitations__revoked_at__isnull=True), distinct=True),
        submitted=Count(
            "invitations",
            filter=Q(invitations__revoked_at__isnull=True, invitations__submitted_at__isnull=False),
            distinct=True,
        ),
    )


@organisation_view
def checker_home(request):
    collaborations = request.organisation.collaborations.annotate(
        partner_count=Count("partners", distinct=True),
        round_count=Count("rounds", distinct=True),
        last_round=Max("rounds__opens_on"),
    ).order_by("name")
    open_rounds = rounds_with_rates(
        request.organisation.checker_rounds.filter(deadline__gte=timezone.localdate()).select_related(
            "collaboration"
        )
    ).order_by("deadline")
    return render(
        request, "checker/checker_home.html", {"collaborations": collaborations, "open_rounds": open_rounds}
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def collaboration_create(request):
    require_write(request.membership)
    form = CollaborationForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        collaboration = services.collaboration_create(
            organisation=request.organisation, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("Collaboration “%(name)s” created.") % {"name": collaboration.name})
        return redirect(collaboration)
    return render(request, "checker/collaboration_form.html", {"form": form})


@organisation_view
@require_http_methods(["GET", "POST"])
def collaboration_update(request, collaboration_id):
    require_write(request.membership)
    collaboration = _collaboration(request, collaboration_id)
    form = CollaborationForm(request.POST or None, instance=collaboration, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        services.collaboration_update(collaboration=collaboration, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Changes to “%(name)s” saved.") % {"name": collaboration.name})
        return redirect(collaboration)
    return render(request, "checker/collaboration_form.html", {"form": form, "collaboration": collaboration})


@organisation_view
def collaboration_detail(request, collaboration_id):
    collaboration = _collaboration(request, collaboration_id)
    rounds = rounds_with_rates(collaboration.rounds.all()).order_by("-opens_on", "-pk")
    return render(
        request,
        "checker/collaboration_detail.html",
        {
            "collaboration": collaboration,
            "partners": collaboration.partners.annotate(contact_count=Count("contacts")).order_by("name"),
            "rounds": rounds,
        },
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def round_create(request, collaboration_id):
    require_write(request.membership)
    collaboration = _collaboration(request, collaboration_id)
    number = collaboration.rounds.count() + 1
    form = RoundForm(
        request.POST or None,
        organisation=request.organisation,
        initial={"name": _("%(name)s, round %(number)d") % {"name": collaboration.name, "number": number}},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        own = list(data.get("own_statements") or [])
        own += [
            Statement.objects.create(organisation=request.organisation, text_nl=text, text_en=text)
            for text in data["new_statements"]
        ]
        round_ = services.round_create(
            collaboration=collaboration,
            actor=request.user,
            name=data["name"],
            opens_on=data["opens_on"],
            deadline=data["deadline"],
            anonymous=data["anonymous"],
            reminder_days=data["reminder_days"],
            own_statements=own,
        )
        messages.success(
            request,
            _("Round created with %(count)d respondents. Send the invitations when you are ready.")
            % {"count": round_.invitations.count()},
        )
        return redirect(round_)
    return render(request, "checker/round_form.html", {"form": form, "collaboration": collaboration})


@organisation_view
def round_detail(request, round_id):
    round_ = _round(request, round_id)
    invitations = (
        round_.invitations.select_related("partner")
        .annotate(answered=Count("answers", distinct=True))
        .prefetch_related("reminders")
        .order_by("partner__name", "name", "pk")
    )
    statement_count = round_.round_statements.count()
    active = [invitation for invitation in invitations if invitation.revoked_at is None]
    return render(
        request,
        "checker/round_detail.html",
        {
            "round": round_,
            "invitations": invitations,
            "statement_count": statement_count,
            "invited": len(active),
            "submitted": sum(invitation.submitted_at is not None for invitation in active),
            "unsent": sum(
                invitation.sent_at is None and bool(invitation.email) and not services.is_queued(invitation)
                for invitation in active
            ),
            "is_open": round_.is_open(),
            "today": timezone.localdate(),
            "site_url": request.build_absolute_uri("/").rstrip("/"),
        },
    )


@organisation_view
@require_POST
def round_send(request, round_id):
    """Send every invitation that has not gone out yet (and has an address); a second click sends none."""
    round_ = _round(request, round_id)
    if not round_.is_open() and round_.deadline < timezone.localdate():
        messages.error(request, _("The deadline has passed: invitations can no longer be sent."))
        return redirect(round_)
    try:
        queued = services.round_send_invitations(round_=round_, base_url=request.build_absolute_uri("/"))
    except services.MailNotQueued as error:
        messages.error(request, _not_queued_message(error.queued))
        return redirect(round_)
    if not queued:
        messages.info(request, _("The invitations have already been sent; nothing new was sent."))
        return redirect(round_)
    messages.success(
        request,
        ngettext("%(count)d invitation is being sent.", "%(count)d invitations are being sent.", len(queued))
        % {"count": len(queued)},
    )
    return redirect(round_)


@organisation_view
@require_POST
def respondent_send(request, round_id, respondent_id):
    invitation = _respondent(request, round_id, respondent_id)
    if invitation.revoked_at or not invitation.email or invitation.round.deadline < timezone.localdate():
        messages.error(
            request,
            _(
                "This invitation cannot be sent: it is revoked, has no e-mail address, or the deadline has "
                "passed."
            ),
        )
    else:
        try:
            queued = services.invitation_send(invitation=invitation, base_url=request.build_absolute_uri("/"))
        except services.MailNotQueued as error:
            messages.error(request, _not_queued_message(error.queued))
            return redirect(invitation.round)
        if queued:
            messages.success(
                request, _("The invitation to %(name)s is being sent.") % {"name": invitation.name}
            )
        else:
            messages.info(
                request,
                _("The invitation to %(name)s has just been sent; it was not sent again.")
                % {"name": invitation.name},
            )
    return redirect(invitation.round)


def _not_queued_message(queued):
    if queued:
        return ngettext(
            "%(count)d invitation is being sent; the others could not be handed to the mail queue. "
            "Try again in a moment.",
            "%(count)d invitations are being sent; the others could not be handed to the mail queue. "
            "Try again in a moment.",
            queued,
        ) % {"count": queued}
    return _(
        "The invitations could not be handed to the mail queue; nothing was sent. Try again in a moment."
    )


@organisation_view
@require_POST
def respondent_new_link(request, round_id, respondent_id):
    invitation = _respondent(request, round_id, respondent_id)
    services.invitation_new_link(invitation=invitation)
    messages.success(
        request,
        _("%(name)s has a new link; the old one no longer works. Send or copy the new one.")
        % {"name": invitation.name},
    )
    return redirect(f"{invitation.round.get_absolute_url()}#respondent-{invitation.pk}")


@organisation_view
@require_http_methods(["GET", "POST"])
def respondent_revoke(request, round_id, respondent_id):
    require_write(request.membership)
    invitation = _respondent(request, round_id, respondent_id)
    if request.method == "POST":
        if invitation.revoked_at is None:
            services.invitation_revoke(invitation=invitation, actor=request.user)
        messages.success(request, _("The link of %(name)s no longer works.") % {"name": invitation.name})
        return redirect(invitation.round)
    return render(
        request,
        "partnerhub/confirm_delete.html",
        {
            "object": invitation,
            "title": _("Revoke the invitation of %(name)s?") % {"name": invitation.name},
            "confirm_label": _("Yes, revoke"),
            "cancel_url": invitation.round.get_absolute_url(),
            "consequences": _("Their link stops working. Answers they already gave stay in the results."),
        },
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def round_repeat(request, round_id):
    require_write(request.membership)
    previous = _round(request, round_id)
    number = previous.collaboration.rounds.count() + 1
    form = RepeatRoundForm(
        request.POST or None,
        initial={
            "name": _("%(name)s, round %(number)d") % {"name": previous.collaboration.name, "number": number},
            "opens_on": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        round_ = services.round_repeat(previous=previous, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The next round is ready, with the same respondents and statements."))
        return redirect(round_)
    return render(request, "checker/round_repeat.html", {"form": form, "previous": previous})


urlpatterns = [
    path("", checker_home, name="checker_home"),
    path("collaborations/new/", collaboration_create, name="collaboration_create"),
    path("collaborations/<int:collaboration_id>/", collaboration_detail, name="collaboration_detail"),
    path("collaborations/<int:collaboration_id>/edit/", collaboration_update, name="collaboration_update"),
    path("collaborations/<int:collaboration_id>/rounds/new/", round_create, name="round_create"),
    path("rounds/<int:round_id>/", round_detail, name="round_detail"),
    path("rounds/<int:round_id>/send/", round_send, name="round_send"),
    path("rounds/<int:round_id>/repeat/", round_repeat, name="round_repeat"),
    path(
        "rounds/<int:round_id>/respondents/<int:respondent_id>/send/", respondent_send, name="respondent_send"
    ),
    path(
        "rounds/<int:round_id>/respondents/<int:respondent_id>/new-link/",
        respondent_new_link,
        name="respondent_new_link",
    ),
    path(
        "rounds/<int:round_id>/respondents/<int:respondent_id>/revoke/",
        respondent_revoke,
        name="respondent_revoke",
    ),
]
