import factory

from tests.accounts.factories import OrganizationFactory
from webhooks.choices import WebhookEvent
from webhooks.models import WebhookEndpoint


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    organization = factory.SubFactory(OrganizationFactory)
    url = "http://127.0.0.1:9/hook"
    secret = "a-secret-of-enough-length"
    events = factory.LazyFunction(lambda: list(WebhookEvent.values))
