"""A local SMTP server that keeps every message as a file: the demo's mailbox.

``vigie demo`` starts it and points the worker at it, so a new user can read the
confirmation, unsubscribe and policy e-mails in ``var/mail/`` without a real
mail server. Not for production.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class _SaveToFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:04d}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def free_port(preferred: int) -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_sink(folder: Path, port: int = 8025) -> Controller:
    """Start the sink on 127.0.0.1 (another port if ``port`` is taken); stop() it after."""
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(
        _SaveToFolder(folder),
        hostname="127.0.0.1",
        port=free_port(port),
        # Addresses with accents in their local part (RFC 6531) reach the sink too.
        enable_SMTPUTF8=True,
    )
    controller.start()
    return controller
