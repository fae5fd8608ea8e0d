"""A real SMTP server (aiosmtpd) for the tests here: the `smtp` fixture."""

from tests.mail.smtp import smtp  # noqa: F401 - the fixture
