"""API keys in the settings: the list with a form to make one (the key is shown once), and revoking one.

settings/api-keys/                      GET the list; POST a new key (owners and managers)
settings/api-keys/<api_key_id>/revoke/  GET asks to confirm; POST revokes
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from affiliates.models import ApiKey
from affiliates.tracking import conversions
from partnerhub.tenancy import organisation_view, require_write

# The raw key of a just-made API key, shown once on the page the user is sent back to.
KEY_SESSION_KEY = "affiliates.api_key"
PER_PAGE = 25


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What uses the key, for example “Webshop” or “CRM”."),
        error_messages={"required": gettext_lazy("Give the key a name, for example “Webshop”.")},
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the key a name, for example “Webshop”."))
        return name


@organisation_view
@require_http_methods(["GET", "POST"])
def api_key_list(request):
    organisation = request.organisation
    form = ApiKeyForm()
    status = 200
    if request.method == "POST":
        require_write(request.membership)
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            api_key, raw = conversions.api_key_create(
                organisation=organisation, name=form.cleaned_data["name"], actor=request.user
            )
            request.session[KEY_SESSION_KEY] = {"id": api_key.pk, "raw": raw}
            return redirect("affiliates:api_key_list", organisation.slug)
        status = 422
    fresh = request.session.pop(KEY_SESSION_KEY, None) if request.method == "GET" else None
    keys = (
        ApiKey.objects.filter(organisation=organisation).select_related("created_by").order_by("-created_at")
    )
    page = Paginator(keys, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "affiliates/tracking/api_keys.html",
        {
            "form": form,
            "page": page,
            "fresh": fresh,
            "api_base": request.build_absolute_uri("/api/v1/"),
            "docs_url": reverse("api:openapi-view"),
        },
        status=status,
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def api_key_revoke(request, api_key_id):
    api_key = get_object_or_404(ApiKey.objects.filter(organisation=request.organisation), pk=api_key_id)
    if request.method == "POST":
        require_write(request.membership)
        if conversions.api_key_revoke(api_key=api_key, actor=request.user):
            messages.success(
                request, _("The key “%(name)s” is revoked. It works no more.") % {"name": api_key.name}
            )
        return redirect("affiliates:api_key_list", request.organisation.slug)
    return render(request, "affiliates/tracking/api_key_revoke.html", {"api_key": api_key})


urlpatterns = [
    path("settings/api-keys/", api_key_list, name="api_key_list"),
    path("settings/api-keys/<int:api_key_id>/revoke/", api_key_revoke, name="api_key_revoke"),
]
