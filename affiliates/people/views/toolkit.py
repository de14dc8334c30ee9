"""The partner toolkit and affiliate materials: the asset library (files checked on upload, and texts)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from affiliates.models import Asset, AssetAudience, AssetKind
from affiliates.people import toolkit
from affiliates.people.forms import AssetForm
from partnerhub.deletion import confirm_delete
from partnerhub.tenancy import organisation_view

PER_PAGE = 50


def _asset(request, asset_id):
    return get_object_or_404(Asset, organisation=request.organisation, pk=asset_id)


@organisation_view
def asset_list(request):
    queryset = Asset.objects.filter(organisation=request.organisation)
    audience = request.GET.get("audience", "")
    if audience in (AssetAudience.PARTNERS, AssetAudience.AFFILIATES):
        # "for partners" includes what is for both
        queryset = queryset.filter(audience__in=[audience, AssetAudience.BOTH])
    else:
        audience = ""
    page = Paginator(queryset.order_by("kind", "title", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    labels = dict(AssetKind.choices)
    return render(
        request,
        "affiliates/people/asset_list.html",
        {
            "page_obj": page,
            "labels": labels,
            "audience": audience,
            "audiences": [
                (AssetAudience.PARTNERS, AssetAudience.PARTNERS.label),
                (AssetAudience.AFFILIATES, AssetAudience.AFFILIATES.label),
            ],
        },
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def asset_create(request):
    form = AssetForm(
        request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind", "")}
    )
    accept = {
        kind: ",".join(ext for t in allowed for ext in toolkit.TYPES[t][1])
        for kind, allowed in toolkit.ALLOWED.items()
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            asset = toolkit.asset_create(
                organisation=request.organisation,
                actor=request.user,
                kind=data["kind"],
                audience=data["audience"],
                title=data["title"],
                upload=data["file"] or None,
                text=data["text"],
            )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            messages.success(request, _("“%(title)s” is in the toolkit.") % {"title": asset.title})
            return redirect("affiliates:asset_list", request.organisation.slug)
    return render(
        request,
        "affiliates/people/asset_form.html",
        {
            "form": form,
            "max_mb": toolkit.max_bytes() // (1024 * 1024),
            "rules": [(AssetKind(kind).label, toolkit.allowed_label(kind)) for kind in toolkit.ALLOWED],
            "accept": ",".join(sorted({ext for exts in accept.values() for ext in exts.split(",")})),
        },
        status=422 if request.method == "POST" else 200,
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def asset_delete(request, asset_id):
    asset = _asset(request, asset_id)
    back = reverse("affiliates:asset_list", args=[request.organisation.slug])
    return confirm_delete(
        request,
        asset,
        delete=lambda: toolkit.asset_delete(asset=asset, actor=request.user),
        success_url=back,
        success_message=_("“%(title)s” is removed from the toolkit.") % {"title": asset.title},
        cancel_url=back,
        context={
            "consequences": _(
                "The item and its file are removed; partners and affiliates can no longer download it."
            )
        },
    )


@organisation_view
@require_GET
def asset_download(request, asset_id):
    asset = _asset(request, asset_id)
    if not asset.file:
        raise Http404("This item has no file.")
    try:
        handle = asset.file.open("rb")
    except OSError as exc:
        raise Http404("The file is missing.") from exc
    filename = asset.file.name.rsplit("/", 1)[-1]
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=asset.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("toolkit/", asset_list, name="asset_list"),
    path("toolkit/new/", asset_create, name="asset_create"),
    path("toolkit/<int:asset_id>/delete/", asset_delete, name="asset_delete"),
    path("toolkit/<int:asset_id>/download/", asset_download, name="asset_download"),
]
