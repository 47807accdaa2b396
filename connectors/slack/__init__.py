from connectors.sdk import Connector, Context, Field, PermanentError
from connectors.slack import api, post_message, send_webhook


def test(ctx: Context) -> str:
    if not ctx.connection.get("bot_token"):
        if ctx.connection.get("webhook_url"):
            return "A webhook URL is set; Slack offers no check for it short of posting a message."
        raise PermanentError("Set a bot token or an incoming webhook URL.")
    body = api.call(ctx, "auth.test", {})
    return f"Connected to {body.get('team', 'Slack')} as {body.get('user', 'the bot')}."


connector = Connector(
    name="slack",
    title="Slack",
    description="Post messages to Slack channels with a bot token, or through an incoming webhook.",
    category="chat",
    icon="hash",
    fields=(
        Field("bot_token", "Bot token", type="password", secret=True, help="xoxb-… with the chat:write scope."),
        Field(
            "webhook_url",
            "Incoming webhook URL",
            type="password",
            secret=True,
            help="https://hooks.slack.com/services/… (the URL is the secret).",
        ),
        Field("api_base_url", "API base URL", type="url", default="https://slack.com/api"),
    ),  # fmt: skip
    actions=(post_message.action, send_webhook.action),
    test=test,
)
