"""URL routes."""
urlpatterns = []
