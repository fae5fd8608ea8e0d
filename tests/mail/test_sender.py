"""Sending over real SMTP connections: plain, STARTTLS and implicit TLS with a certificate the test makes,
and credentials; a refusal surfaces as an error (so the outbox retries)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ideaflow.config import get_settings
from ideaflow.mail import Email, build_message, send
from ideaflow.mail.tokens import make_signed, read_signed
from tests.mail.smtp import Inbox, free_port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, and the file the client trusts."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, str(cert_file)


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"mailer", b"s3cret")
    return AuthResult(success=ok)


def _message(to: str = "reader@example.com") -> Email:
    return Email(to=to, subject="Hello", text="Plain words", html="<p>Rich words</p>")


def _point_at(monkeypatch, port: int, security: str, ca_file: str = "", username: str = "", password: str = ""):
    settings = get_settings()
    for name, value in {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": security,
        "smtp_ca_file": ca_file,
        "smtp_username": username,
        "smtp_password": password,
        "smtp_from": "Ideaflow <notify@ideaflow.test>",
    }.items():
        monkeypatch.setattr(settings, name, value)


async def test_starttls_with_credentials(monkeypatch, certificate):
    tls_context, ca_file = certificate
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=tls_context,
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    controller.start()
    try:
        _point_at(monkeypatch, controller.port, "starttls", ca_file, "mailer", "s3cret")
        await send(build_message(_message()))
        [received] = inbox.messages
        assert received.rcpt_tos == ["reader@example.com"] and received.text.strip() == "Plain words"

        _point_at(monkeypatch, controller.port, "starttls", ca_file, "mailer", "wrong")
        with pytest.raises(aiosmtplib.SMTPException):
            await send(build_message(_message()))
        _point_at(monkeypatch, controller.port, "none")  # the server insists on STARTTLS
        with pytest.raises(aiosmtplib.SMTPException):
            await send(build_message(_message()))
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


async def test_implicit_tls(monkeypatch, certificate):
    tls_context, ca_file = certificate
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ssl_context=tls_context)
    controller.start()
    try:
        _point_at(monkeypatch, controller.port, "tls", ca_file)
        await send(build_message(_message("tls@example.com")))
        assert [m.rcpt_tos for m in inbox.messages] == [["tls@example.com"]]
    finally:
        controller.stop()


async def test_a_refusal_raises(monkeypatch, smtp):
    smtp.refuse_next = 1
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await send(build_message(_message()))
    assert refused.value.code == 451
    await send(build_message(_message()))
    assert len(smtp.messages) == 1


def test_signed_tokens_resist_tampering_and_reuse_across_purposes():
    token = make_signed("unsubscribe", {"u": 7, "i": 9})
    assert read_signed("unsubscribe", token) == {"u": 7, "i": 9}
    assert read_signed("something-else", token) is None
    mac = token.split(".")[1]
    forged = make_signed("unsubscribe", {"u": 8, "i": 9}).split(".")[0] + "." + mac
    assert read_signed("unsubscribe", forged) is None
    assert read_signed("unsubscribe", "garbage") is None
