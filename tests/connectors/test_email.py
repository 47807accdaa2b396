import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from connectors.email import connector
from connectors.sdk import InvalidInputError, PermanentError, RetryableError, make_context
from connectors.testkit import LOOPBACK, run
from tests.stack import free_port


class Mailbox:
    def __init__(self):
        self.messages = []
        self.reply = "250 OK"
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reply.startswith("250"):
            self.messages.append(envelope)
        return self.reply


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"mailer" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                            auth_require_tls=False)  # fmt: skip
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


def settings(smtp, **overrides):
    return {"host": "127.0.0.1", "port": smtp.port, "security": "none", "username": "mailer", "password": "s3cret",
            "from_email": "stepwise@example.com", **overrides}  # fmt: skip


EMAIL = {"to": ["ada@example.com"], "cc": ["grace@example.com"], "subject": "Welcome", "body": "Hello Ada",
         "html": "<p>Hello <b>Ada</b></p>"}  # fmt: skip


def test_sends_a_multipart_email(smtp):
    output = run(connector, "send_email", connection=settings(smtp), input=EMAIL)
    assert output == {"sent": 1, "recipients": 2}
    envelope = smtp.messages[0]
    assert envelope.mail_from == "stepwise@example.com"
    assert sorted(envelope.rcpt_tos) == ["ada@example.com", "grace@example.com"]
    content = envelope.content.decode()
    assert "Subject: Welcome" in content
    assert "Hello Ada" in content
    assert "text/html" in content


def test_wrong_password_is_permanent(smtp):
    with pytest.raises(PermanentError, match="refused the user name or password"):
        run(connector, "send_email", connection=settings(smtp, password="nope"), input=EMAIL)
    assert smtp.messages == []


def test_a_refused_recipient_is_permanent(smtp):
    smtp.refuse = {"ada@example.com", "grace@example.com"}
    with pytest.raises(PermanentError, match="ada@example.com"):
        run(connector, "send_email", connection=settings(smtp), input=EMAIL)


def test_a_temporary_smtp_failure_is_retryable(smtp):
    smtp.reply = "451 4.3.0 Try again later"
    with pytest.raises(RetryableError, match="451"):
        run(connector, "send_email", connection=settings(smtp), input=EMAIL)


def test_an_unreachable_server_is_retryable():
    closed = {"host": "127.0.0.1", "port": free_port(), "security": "none", "from_email": "a@example.com"}
    with pytest.raises(RetryableError, match="Could not talk to the SMTP server"):
        run(connector, "send_email", connection=closed, input=EMAIL)


def test_starttls_against_a_server_without_it_is_permanent(smtp):
    with pytest.raises(PermanentError, match="security setting"):
        run(connector, "send_email", connection=settings(smtp, security="starttls"), input=EMAIL)


@pytest.mark.parametrize("field", ["to", "cc"])
def test_bad_addresses_are_bad_input(smtp, field):
    with pytest.raises(InvalidInputError) as caught:
        run(connector, "send_email", connection=settings(smtp), input={**EMAIL, field: ["ada at example"]})
    assert caught.value.errors[0]["pointer"] == f"/{field}/0"
    assert smtp.messages == []


def test_connection_test_logs_in(smtp):
    assert "Logged in" in connector.test(make_context(settings(smtp), network=LOOPBACK))
    with pytest.raises(PermanentError):
        connector.test(make_context(settings(smtp, password="nope"), network=LOOPBACK))


def test_private_smtp_hosts_are_refused_by_default(smtp):
    from connectors.sdk import BlockedDestinationError, run_action

    with pytest.raises(BlockedDestinationError, match="does not allow"):
        run_action(connector, "send_email", connection=settings(smtp), input=EMAIL)
    assert smtp.messages == []
