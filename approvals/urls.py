"""Page URLs."""
app_name = "approvals"
urlpatterns = []
