"""A real SMTP server (aiosmtpd) for the tests here (the `smtp` fixture), and the browser harness's fixtures
for the bell and follow button in Chromium."""

from tests.browser.conftest import browser, chromium, new_page, portal  # noqa: F401 - fixtures
from tests.mail.smtp import smtp  # noqa: F401 - the fixture
