from connectors.email import send_email, smtp
from connectors.sdk import Connector, Context, Field


def test(ctx: Context) -> str:
    with smtp.backend(ctx) as connection:
        connection.open()
    return f"Logged in to {ctx.connection['host']}:{ctx.connection.get('port', 587)}."


connector = Connector(
    name="email",
    title="Email (SMTP)",
    description="Send email through your SMTP server.",
    category="messaging",
    icon="mail",
    fields=(
        Field("host", "SMTP host", required=True),
        Field("port", "Port", type="integer", default=587),
        Field("security", "Security", type="select", choices=("starttls", "ssl", "none"), default="starttls"),
        Field("username", "User name"),
        Field("password", "Password", type="password", secret=True),
        Field("from_email", "From address", type="email", required=True),
    ),
    actions=(send_email.action,),
    test=test,
)
