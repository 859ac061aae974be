"""`depthfake serve --model BUNDLE [--model BUNDLE ...]`: the scoring service, on uvicorn.

It listens on 127.0.0.1 unless told otherwise; any other address needs a token (--token,
else $DEPTHFAKE_TOKEN, else one is generated and its login link printed). SIGINT or SIGTERM
stops it cleanly (running jobs are marked interrupted); after a SIGKILL the next start marks
them.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import socket

import uvicorn

from depthfake.bundles.load import BundleError
from depthfake.serve.access import Access
from depthfake.serve.app import create_app
from depthfake.serve.service import Service
from depthfake.settings import DetectSettings, add_arguments, from_args
from depthfake.settings.serve import ServeSettings

TOKEN_VARIABLE = "DEPTHFAKE_TOKEN"


def serve_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("serve", help="a web service that scores uploaded videos",
                                 description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", required=True, dest="models",
                        help="a bundle (folder or hub id); repeat for more")
    add_arguments(parser, ServeSettings)
    add_arguments(parser, DetectSettings)


def access_for(settings: ServeSettings) -> tuple[Access, bool]:
    """The access rules, and whether the token was generated here (and must be shown)."""
    token = settings.token or os.environ.get(TOKEN_VARIABLE)
    if token or settings.loopback:
        return Access(token=token), False
    return Access(token=secrets.token_urlsafe(24)), True


def bound_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Inherited by each connection: no Nagle delay between a response's header and body
    # writes (40 ms per request on a kept-alive connection otherwise).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)  # connections wait in the backlog until uvicorn accepts them
    return sock


def serve(args: argparse.Namespace) -> None:
    settings = from_args(ServeSettings, args)
    try:
        service = Service(settings=settings, bundles=args.models,
                          detect=from_args(DetectSettings, args))
    except (BundleError, FileNotFoundError, ValueError) as err:
        raise SystemExit(f"depthfake serve: {err}") from None
    access, generated = access_for(settings)
    sock = bound_socket(settings.host, settings.port)
    host, port = sock.getsockname()[:2]
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
    if generated:
        print(f"depthfake serve: log in at {url}login?token={access.token}", flush=True)
    print(f"depthfake serve: {len(service.bundles)} bundles, {settings.workers} workers, "
          f"state in {service.state}; listening on {url}", flush=True)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    server = uvicorn.Server(uvicorn.Config(create_app(service, access), log_level="warning",
                                           timeout_graceful_shutdown=5))
    server.run(sockets=[sock])
