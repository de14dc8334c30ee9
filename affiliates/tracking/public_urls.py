"""/r/<code>: the affiliate redirect (public). A trailing slash, as some site builders add, is accepted.
/r/ itself is the page an unknown code leads to."""

from django.urls import path, re_path

from affiliates.tracking.views.redirect import affiliate_redirect, link_unknown

urlpatterns = [
    re_path(r"^(?P<code>[^/]{1,100})/?$", affiliate_redirect, name="affiliate_redirect"),
    path("", link_unknown, name="affiliate_link_unknown"),
]
