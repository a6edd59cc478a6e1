"""Page URLs."""
urlpatterns = []
