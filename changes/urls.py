"""Page URLs."""
app_name = "changes"
urlpatterns = []
