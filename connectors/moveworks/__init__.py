from connectors.moveworks import auth, send_message
from connectors.sdk import Connector, Context, Field


def test(ctx: Context) -> str:
    if ctx.connection.get("auth_method") == "oauth2":
        auth.bearer_token(ctx, force_new=True)
        return "Moveworks issued an access token for these client credentials."
    if not ctx.connection.get("api_key"):
        return "No API key is set."
    # Moveworks has no read-only call to check a static key with; say so rather than pretend.
    return "The API key is stored. Moveworks offers no read-only check for it: send a test message to verify."


connector = Connector(
    name="moveworks",
    title="Moveworks",
    description="Message employees in the Moveworks AI assistant through the Events API.",
    category="chat",
    icon="message-circle",
    fields=(
        Field(
            "base_url",
            "API base URL",
            type="url",
            required=True,
            default="https://api.moveworks.ai",
            help="https://api.moveworks.ai, or https://api.eu.moveworks.ai for the EU.",
        ),
        Field("event_id", "Default event id", help="The event messages are sent under, unless a step names one."),
        Field("auth_method", "Authentication", type="select", choices=("api_key", "oauth2"), default="api_key"),
        Field("api_key", "API key", type="password", secret=True),
        Field("token_url", "OAuth2 token URL", type="url"),
        Field("client_id", "OAuth2 client id"),
        Field("client_secret", "OAuth2 client secret", type="password", secret=True),
    ),  # fmt: skip
    actions=(send_message.action,),
    test=test,
)
