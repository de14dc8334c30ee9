"""/r/<code>: the affiliate redirect (public). A trailing slash, as some site builders add, is accepted."""

from django.urls import re_path

from affiliates.tracking.views.redirect import affiliate_redirect

urlpatterns = [
    re_path(r"^(?P<code>[^/]{1,100})/?$", affiliate_redirect, name="affiliate_redirect"),
]
