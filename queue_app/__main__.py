"""`python -m queue_app` is the same as the `queue-app` command."""
from .cli import main

main()
