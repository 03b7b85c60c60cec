from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from accounts.scoping import membership_required
from okrs import selectors


@login_required
@membership_required
def overview(request):
    """The organization's priorities and objectives in the current cycle."""
    cycle = selectors.cycle_current(organization=request.organization)
    objectives = selectors.objective_list(organization=request.organization, cycle=cycle) if cycle else []
    return render(request, "dashboards/overview.html", {"cycle": cycle, "objectives": objectives})


@login_required
@membership_required
def objective_detail(request, pk):
    objective = get_object_or_404(selectors.objective_list(organization=request.organization), pk=pk)
    return render(request, "dashboards/objective_detail.html", {"objective": objective})
