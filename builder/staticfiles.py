"""The static files storage outside tests: hashed, compressed, and ES module imports rewritten.

Pages load `{% static 'js/live.js' %}`, which is `js/live.<hash>.js`; the modules import one
another by relative URL (`import { subscribe } from "./live.js"`). Without rewriting, the
browser fetched the imported copy unhashed: a second instance of live.js, with a second
websocket, and a module graph mixing long-cached files with short-cached ones.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    # Django's patterns for `import … from "./x.js";` (one line or many), `export … from`,
    # `import "./x.js";` and `import("./x.js")` point each at the hashed file. An import of a
    # file that does not exist makes collectstatic (so `make run`'s stepwise_setup) fail with
    # "The file '…' could not be found": a broken import cannot ship.
    support_js_module_import_aggregation = True
