"""(Being built.)"""

urlpatterns = []
