from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Keyset pages: stable and fast however many rows a list holds. `?page_size=` up to 200.

    A page size that is not a whole number from 1 is a 400 naming it (DRF would quietly use
    the default). A cursor that names no page stays DRF's 404: a cursor is opaque."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        digits = raw.lstrip("0")
        if not (raw.isascii() and raw.isdigit()) or not digits:
            raise ValidationError({self.page_size_query_param: "Give a whole number from 1."})
        return min(int(digits), self.max_page_size) if len(digits) < 10 else self.max_page_size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = f"Rows per page: {self.page_size} if left out, at most {self.max_page_size}."
        return parameters
