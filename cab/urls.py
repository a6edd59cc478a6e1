"""Page URLs."""
app_name = "cab"
urlpatterns = []
