"""The service catalog over the API: services, configuration items and standard (pre-approved)
templates. Anyone with a role reads them; every write is changes.catalog_services' (administrators
only, validated, one ledger entry), the same function the admin calls."""
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from changemgmt.api.permissions import ReadOnlyForAuditors
from changemgmt.api.schema import FORBIDDEN, NOT_FOUND, WRITE_ERRORS, DetailSerializer
from changes import catalog_services
from changes.api import catalog_serializers as io
from changes.calendar.models import ConfigurationItem
from changes.models import Service, StandardTemplate

READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}


def catalog_schema(name: str, what: str, output, body):
    """The documented operations of one catalog resource (operation ids `<name>_<action>`)."""
    return extend_schema_view(
        list=extend_schema(operation_id=f"{name}_list", description=f"Every {what}.",
                           responses={200: output(many=True), 403: FORBIDDEN,
                                      404: OpenApiResponse(DetailSerializer, description="No such page.")}),
        retrieve=extend_schema(operation_id=f"{name}_retrieve", responses={200: output, **READ_ERRORS}),
        create=extend_schema(operation_id=f"{name}_create", request=body, responses={201: output, **WRITE_ERRORS},
                             description=f"Add a {what} (administrators; recorded in the ledger)."),
        partial_update=extend_schema(operation_id=f"{name}_partial_update", request=body,
                                     responses={200: output, **WRITE_ERRORS},
                                     description=f"Edit some fields of a {what} (administrators; recorded in the "
                                                 "ledger with the values before and after)."),
        destroy=extend_schema(operation_id=f"{name}_destroy", responses={204: None, **WRITE_ERRORS},
                              description=f"Delete a {what} nothing names any more (administrators; recorded in "
                                          "the ledger)."),
    )


class CatalogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, read, add, edit (PATCH) and delete one kind of catalog row through its service pair."""

    permission_classes = [ReadOnlyForAuditors]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = r"\d+"
    input_class: type
    # The catalog_services pair, called as saver(actor=…, <keyword>=obj); not named `delete`, which a
    # view would take for its DELETE handler.
    saver = remover = None
    keyword = ""

    def _saved(self, obj, code=status.HTTP_200_OK) -> Response:
        saved = type(self).saver(actor=self.request.user, **{self.keyword: obj})
        return Response(self.get_serializer(saved).data, status=code)

    def create(self, request):
        body = self.input_class(data=request.data)
        body.is_valid(raise_exception=True)
        return self._saved(self.queryset.model(**io.model_fields(body.validated_data)), status.HTTP_201_CREATED)

    def partial_update(self, request, pk):
        obj = self.get_object()
        body = self.input_class(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        for name, value in io.model_fields(body.validated_data).items():
            setattr(obj, name, value)
        return self._saved(obj)

    def destroy(self, request, pk):
        type(self).remover(actor=request.user, **{self.keyword: self.get_object()})
        return Response(status=status.HTTP_204_NO_CONTENT)


@catalog_schema("services", "service", io.CatalogServiceSerializer, io.CatalogServiceInput)
class ServiceViewSet(CatalogViewSet):
    queryset = Service.objects.all()
    serializer_class = io.CatalogServiceSerializer
    input_class = io.CatalogServiceInput
    saver, remover, keyword = catalog_services.save_service, catalog_services.delete_service, "service"


@catalog_schema("configuration_items", "configuration item", io.ConfigurationItemSerializer,
                io.ConfigurationItemInput)
class ConfigurationItemViewSet(CatalogViewSet):
    queryset = ConfigurationItem.objects.select_related("service")
    serializer_class = io.ConfigurationItemSerializer
    input_class = io.ConfigurationItemInput
    saver, remover, keyword = (catalog_services.save_configuration_item, catalog_services.delete_configuration_item,
                             "item")


@catalog_schema("catalog_templates", "standard (pre-approved) template", io.StandardTemplateSerializer,
                io.StandardTemplateInput)
class StandardTemplateViewSet(CatalogViewSet):
    queryset = StandardTemplate.objects.all()
    serializer_class = io.StandardTemplateSerializer
    input_class = io.StandardTemplateInput
    saver, remover, keyword = catalog_services.save_template, catalog_services.delete_template, "template"
