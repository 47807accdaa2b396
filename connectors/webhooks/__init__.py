from connectors.sdk import Connector, Field
from connectors.webhooks import push

connector = Connector(
    name="webhooks",
    title="Webhooks",
    description="Start a recipe when an app pushes an event to its secret URL, with an optional signature check.",
    category="trigger",
    icon="zap",
    fields=(
        Field(
            "signing_secret",
            "Signing secret",
            type="password",
            secret=True,
            help="Shared with the sending app. Leave empty to accept unsigned events.",
        ),
        Field("signature_header", "Signature header", default="X-Hub-Signature-256"),
        Field("algorithm", "Algorithm", type="select", choices=("sha256", "sha1", "sha512"), default="sha256"),
        Field("signature_prefix", "Signature prefix", default="sha256=", help="Text before the digest, if any."),
        Field("encoding", "Digest encoding", type="select", choices=("hex", "base64"), default="hex"),
    ),  # fmt: skip
    triggers=(push.trigger,),
)
