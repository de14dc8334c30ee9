"""The partner toolkit and affiliate materials."""

urlpatterns = []
