"""Filter backends shared by every API viewset (kept apart from common.api, which imports DRF's views)."""

from rest_framework import exceptions, filters


class SearchFilter(filters.SearchFilter):
    """DRF's search, refusing NUL characters (PostgreSQL cannot compare them) with a 400."""

    def get_search_terms(self, request):
        terms = super().get_search_terms(request)
        if any("\x00" in term for term in terms):
            raise exceptions.ValidationError({self.search_param: ["Null characters are not allowed."]})
        return terms
