"""The WSGI entry point of production servers: `queue-app serve` runs
`gunicorn -k gevent -w 1 queue_app.wsgi:app` (README: "Serving")."""
import os

from gevent import monkey

# Gunicorn's gevent worker has patched the standard library before importing this module; the
# Socket.IO layer must then use gevent too. Pinned here rather than guessed from installed packages.
if monkey.is_module_patched("socket"):
    os.environ.setdefault("ONEDOOR_ASYNC_MODE", "gevent")

from . import create_app  # noqa: E402
from .jobs import start_background  # noqa: E402

app = create_app()
start_background(app)  # the print worker, and the scheduled jobs unless ONEDOOR_SCHEDULER=0 (docs/deploy)
