from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Keyset pages: stable and fast however many rows a list holds. `?page_size=` up to 200."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
