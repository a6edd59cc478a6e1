"""Page URLs."""
app_name = "inbox"
urlpatterns = []
