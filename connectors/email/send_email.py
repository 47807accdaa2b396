"""email.send_email: a text email, optionally with an HTML alternative."""

from django.core.mail import EmailMultiAlternatives

from connectors.email import smtp
from connectors.sdk import Action, Context

ADDRESSES = {"type": "array", "items": {"type": "string", "format": "email"}, "maxItems": 100}

INPUT = {
    "type": "object",
    "required": ["to", "subject", "body"],
    "additionalProperties": False,
    "properties": {
        "to": {**ADDRESSES, "minItems": 1},
        "cc": ADDRESSES,
        "bcc": ADDRESSES,
        "reply_to": ADDRESSES,
        "subject": {"type": "string", "minLength": 1, "maxLength": 998},
        "body": {"type": "string", "description": "Plain text."},
        "html": {"type": "string", "description": "Optional HTML version."},
    },
}

OUTPUT = {
    "type": "object",
    "required": ["sent", "recipients"],
    "properties": {"sent": {"type": "integer"}, "recipients": {"type": "integer"}},
}


def run(ctx: Context, input: dict) -> dict:
    message = EmailMultiAlternatives(
        subject=input["subject"].replace("\n", " "),
        body=input["body"],
        from_email=ctx.connection["from_email"],
        to=input["to"],
        cc=input.get("cc", []),
        bcc=input.get("bcc", []),
        reply_to=input.get("reply_to", []),
    )
    if input.get("html"):
        message.attach_alternative(input["html"], "text/html")
    with smtp.backend(ctx) as connection:
        sent = connection.send_messages([message])
    return {"sent": sent or 0, "recipients": len(message.recipients())}


action = Action(
    key="send_email",
    title="Send an email",
    description="Sends one email to up to 100 recipients in each of to, cc and bcc.",
    input_schema=INPUT,
    output_schema=OUTPUT,
    run=run,
)
