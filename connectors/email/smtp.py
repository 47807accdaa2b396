"""Django's SMTP backend, configured from the connection, and SMTP failures classified."""

import contextlib
import smtplib
import socket

from django.core.mail.backends.smtp import EmailBackend

from connectors.sdk import ConnectorError, Context, PermanentError, RetryableError


def _classify(exc: Exception) -> ConnectorError:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return PermanentError("The SMTP server refused the user name or password.")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(exc.recipients))
        return PermanentError(f"The SMTP server refused these recipients: {refused}.")
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        message = f"The SMTP server answered {exc.smtp_code}: {text}"
        # 4xx replies are transient by the SMTP standard, 5xx permanent.
        return RetryableError(message) if 400 <= exc.smtp_code < 500 else PermanentError(message)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return PermanentError(f"The SMTP server does not support this: {exc}. Check the security setting.")
    if isinstance(exc, (smtplib.SMTPServerDisconnected, socket.timeout, TimeoutError, ConnectionError, OSError)):
        return RetryableError(f"Could not talk to the SMTP server: {exc}.")
    return PermanentError(f"Sending the email failed: {exc}.")


@contextlib.contextmanager
def backend(ctx: Context):
    security = ctx.connection.get("security", "starttls")
    ctx.network.check_host(ctx.connection["host"], int(ctx.connection.get("port") or 587))
    connection = EmailBackend(
        host=ctx.connection["host"],
        port=int(ctx.connection.get("port") or 587),
        username=ctx.connection.get("username") or "",
        password=ctx.connection.get("password") or "",
        use_tls=security == "starttls",
        use_ssl=security == "ssl",
        timeout=ctx.timeout(30),
        fail_silently=False,
    )
    try:
        yield connection
    except ConnectorError:
        raise
    except Exception as exc:
        raise _classify(exc) from exc
    finally:
        with contextlib.suppress(Exception):
            connection.close()
