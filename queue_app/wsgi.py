"""The WSGI entry point of production servers: `queue-app serve` runs
`gunicorn -k gevent -w 1 queue_app.wsgi:app` (README: "Serving")."""
from gevent import monkey

from . import create_app
from .jobs import start_background

# Gunicorn's gevent worker has patched the standard library before importing this module; the
# Socket.IO layer must then use gevent too. Pinned here rather than guessed from installed packages.
app = create_app({"ONEDOOR_ASYNC_MODE": "gevent"} if monkey.is_module_patched("socket") else None)
start_background(app)  # the print worker, and the scheduled jobs unless ONEDOOR_SCHEDULER=0 (docs/deploy)
