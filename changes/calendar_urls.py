"""Page URLs."""
app_name = "calendar"
urlpatterns = []
