import factory

from comments.models import Comment
from tests.okrs.factories import ObjectiveFactory


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on an objective (pass `kpi=` and `objective=None` for a KPI's)."""

    class Meta:
        model = Comment

    objective = factory.SubFactory(ObjectiveFactory)
    organization = factory.LazyAttribute(
        lambda c: c.objective.cycle.organization if c.objective else c.kpi.organization
    )
    author = factory.LazyAttribute(lambda c: c.objective.owner if c.objective else None)
    body = factory.Sequence(lambda n: f"Comment {n}")
