import pytest

from tests.accounts.smtp import smtp_server


@pytest.fixture
def mailbox():
    """A real SMTP server on 127.0.0.1 that receives every mail the test sends."""
    with smtp_server() as received:
        yield received
