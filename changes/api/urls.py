"""API routes."""
urlpatterns = []
