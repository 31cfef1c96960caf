"""JSON-RPC and the LSP lifecycle, answered for every message whatever it contains.

What pygls leaves out, added here (each case logs one line saying why):

* a body that is not JSON gets ``-32700``; JSON that is not a request, notification or
  response gets ``-32600`` (with the id when one can be read);
* params that do not fit the method's type: a request gets ``-32602``, a notification is
  dropped (pygls never answered either);
* before ``initialize``, requests get ``-32002 ServerNotInitialized`` and notifications other
  than ``exit`` are dropped; a second ``initialize`` and requests after ``shutdown`` get
  ``-32600``;
* ``exit`` ends the session with status 0 after ``shutdown`` and 1 otherwise (pygls exits 0
  over stdio either way).

Unknown methods (``-32601`` for requests, ignored notifications) and ``$/cancelRequest``
(``-32800`` for a request cancelled before it finished) are pygls' own behaviour.

This is also the one module that touches pygls' non-public parts (listed in
:data:`PYGLS_INTERNALS`, each behind a small named method or function here);
:func:`missing_pygls_internals` says which of them an installed pygls lacks, and the
``pygls`` pin in ``pyproject.toml`` admits the releases where it finds none.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Generator
from concurrent.futures import Future
from functools import partial
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
    JsonRpcServerNotInitialized,
)
from pygls.lsp.server import LanguageServer
from pygls.protocol import (
    JsonRPCNotification,
    JsonRPCProtocol,
    JsonRPCRequestMessage,
    LanguageServerProtocol,
)
from pygls.protocol.language_server import lsp_method

logger = logging.getLogger(__name__)

_LIFECYCLE_FREE = {types.INITIALIZE, types.EXIT}


def _message_id(data: dict[str, Any]) -> int | str | None:
    value = data.get("id")
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return value
    return None


class RobustProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_received = False
        self._ending: asyncio.Future[int] | None = None
        self.exit_reason: str | None = None
        self.messages_received = 0

    # --- session ----------------------------------------------------------------------------

    def start_session(self) -> asyncio.Future[int]:
        """The future that a transport awaits: it holds the exit status once the session ends."""
        self._ending = asyncio.get_running_loop().create_future()
        return self._ending

    def request_exit(self, status: int, reason: str) -> None:
        if self._ending is None or self._ending.done():
            return
        self.exit_reason = reason
        log = logger.info if status == 0 else logger.error
        log("exiting with status %d: %s", status, reason)
        self._ending.set_result(status)

    @property
    def shut_down(self) -> bool:
        return self._shutdown

    @property
    def client_process_id(self) -> int | None:
        pid = getattr(self._language_server(), "process_id", None)
        return pid if isinstance(pid, int) and not isinstance(pid, bool) else None

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> Generator[Any, Any, None]:
        if (user_handler := self.fm.features.get(types.EXIT)) is not None:
            yield user_handler, args, None
        if self._shutdown:
            self.request_exit(0, "exit after shutdown")
        else:
            self.request_exit(1, "exit without shutdown")

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        # pygls' own cancels the pending requests while iterating over their dict, which the
        # cancellations' callbacks change: shutdown then failed with -32603.
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current = self.msg_id
        for msg_id, future in list(self._running().items()):
            if msg_id != current and not future.done():
                future.cancel()
        self._mark_shut_down()
        return None

    # --- handlers ---------------------------------------------------------------------------

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: Any = None,
        kwargs: Any = None,
    ) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        # pygls files the future of every generator or async handler under its id, but only
        # a request's answer removes it: each notification (every didChange) would leave one
        # future behind for the rest of the session.
        running = self._running()
        future = None if self._answers_request(callback) else running.get(msg_id)
        if future is None:
            return
        if future.done():
            running.pop(msg_id, None)
        else:
            future.add_done_callback(lambda _: running.pop(msg_id, None))

    # --- receiving --------------------------------------------------------------------------

    def receive(self, body: bytes) -> bool:
        """Handle one message body; False if it was not JSON at all."""
        self.messages_received += 1
        try:
            data = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as error:
            self._refuse(
                None, JsonRpcParseError(f"Parse error: the message is not UTF-8 ({error})")
            )
            return False
        except (ValueError, RecursionError) as error:
            self._refuse(None, JsonRpcParseError(f"Parse error: {error}"))
            return False
        try:
            self._dispatch(data)
        except Exception:  # a message must never take the server down
            logger.exception("message %.200r could not be handled", body)
        return True

    def _dispatch(self, data: Any) -> None:
        if not isinstance(data, dict):
            kind = "a batch (not part of LSP)" if isinstance(data, list) else type(data).__name__
            self._refuse(None, JsonRpcInvalidRequest(f"Invalid request: {kind}"))
            return
        msg_id = _message_id(data)
        has_id = "id" in data
        if data.get("jsonrpc") != self.VERSION:
            self._refuse(msg_id, JsonRpcInvalidRequest('Invalid request: "jsonrpc" must be "2.0"'))
            return
        if has_id and msg_id is None and data.get("id") is not None:
            self._refuse(
                None, JsonRpcInvalidRequest("Invalid request: id must be an integer or string")
            )
            return
        if "method" not in data:
            if has_id and ("result" in data or "error" in data):
                self._response(data)
            else:
                self._refuse(msg_id, JsonRpcInvalidRequest("Invalid request: no method"))
            return
        method = data["method"]
        if not isinstance(method, str):
            self._refuse(msg_id, JsonRpcInvalidRequest("Invalid request: method must be a string"))
            return
        is_request = has_id
        if not self._admitted(method, msg_id, is_request):
            return
        message_type = self.get_message_type(method)
        if message_type is None:
            # Not an LSP method: pygls answers -32601 unless a feature registered it.
            message_type = JsonRPCRequestMessage if is_request else JsonRPCNotification
            known = (
                ("id", "method", "jsonrpc", "params")
                if is_request
                else ("method", "jsonrpc", "params")
            )
            data = {"params": None, **{key: data[key] for key in known if key in data}}
        elif is_request != ("id" in attrs.fields_dict(message_type)):
            # A notification sent as a request or the other way round: LSP defines each
            # method as one or the other.
            kind = "notification" if is_request else "request"
            if is_request:
                self._refuse(
                    msg_id, JsonRpcInvalidRequest(f"Invalid request: {method} is a {kind}")
                )
            else:
                logger.warning("%s sent as a notification but is a %s: dropped", method, kind)
            return
        try:
            message = self._structure(data, message_type)
        except Exception as error:
            reason = _describe(error)
            if is_request:
                self._refuse(
                    msg_id, JsonRpcInvalidParams(f"Invalid params for {method}: {reason}")
                )
            else:
                logger.warning("%s notification with invalid params dropped: %s", method, reason)
            return
        if method == types.INITIALIZE:
            self.initialize_received = True
        self.handle_message(message)

    def _admitted(self, method: str, msg_id: int | str | None, is_request: bool) -> bool:
        if method == types.EXIT:
            return True
        if not self.initialize_received and method != types.INITIALIZE:
            if is_request:
                self._refuse(
                    msg_id,
                    JsonRpcServerNotInitialized(
                        f"Server not initialized: {method} before initialize"
                    ),
                )
            else:
                logger.warning("%s notification before initialize: dropped", method)
            return False
        if self.initialize_received and method == types.INITIALIZE:
            if is_request:
                self._refuse(msg_id, JsonRpcInvalidRequest("initialize was already received"))
            return False
        if self.shut_down:
            if is_request:
                self._refuse(msg_id, JsonRpcInvalidRequest(f"{method} after shutdown"))
            else:
                logger.warning("%s notification after shutdown: dropped", method)
            return False
        return True

    def _response(self, data: dict[str, Any]) -> None:
        try:
            message = self.structure_message(data)
        except Exception as error:
            logger.warning("malformed response %.200r dropped: %s", data, _describe(error))
            return
        self.handle_message(message)

    def _refuse(self, msg_id: int | str | None, error: JsonRpcException) -> None:
        logger.warning("answering %s with error %s: %s", msg_id, error.code, error.message)
        # Written as a plain object: lsprotocol's converter drops a None id, and JSON-RPC
        # wants "id": null when the request's id could not be read.
        self._send_plain(
            {
                "jsonrpc": self.VERSION,
                "id": msg_id,
                "error": {"code": error.code, "message": error.message},
            }
        )

    # --- pygls internals (see PYGLS_INTERNALS) -----------------------------------------------

    def _running(self) -> dict[Any, Future[Any]]:
        """The futures of the handlers running, by message id."""
        running: dict[Any, Future[Any]] = self._request_futures
        return running

    def _mark_shut_down(self) -> None:
        self._shutdown = True

    def _answers_request(self, callback: Any) -> bool:
        """Whether ``callback`` is pygls' sending of a request's answer."""
        return isinstance(callback, partial) and callback.func == self._send_handler_result

    def _structure(self, data: Any, message_type: type) -> Any:
        return self._converter.structure(data, message_type)

    def _send_plain(self, data: dict[str, Any]) -> None:
        self._send_data(data)

    def _language_server(self) -> Any:
        return self._server


class CoroProtocol(RobustProtocol):
    """The robust protocol without pygls' own text store for ``textDocument/*`` sync.

    pygls' built-in ``didChange`` applies each change to its ``TextDocument`` (whose lines
    split at form feeds and U+2028) and rewrites the change ranges in place before the
    server's handler sees them.  These replacements (same method names as pygls', so they
    take the built-ins' place) hand the client's params untouched to the server's handlers;
    the server's :class:`~coro_ls.server.documents.DocumentStore` is the only copy of the text.
    """

    def _user_handler(self, method: str, params: Any) -> Generator[Any, Any, None]:
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(
        self, params: types.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)


def advertise_notebook_sync(
    server: LanguageServer, options: types.NotebookDocumentSyncOptions
) -> None:
    """Offer notebook sync: pygls advertises its constructor's ``notebook_document_sync``
    (to clients that declare notebook support) when it answers ``initialize``."""
    server._notebook_document_sync = options


# --- what coro-ls relies on in pygls beyond its public API ----------------------------------

PYGLS_INTERNALS: tuple[tuple[str, str, str], ...] = (
    ("JsonRPCProtocol", "_request_futures", "a dict of the running handlers' futures by id"),
    ("JsonRPCProtocol", "_shutdown", "a bool, True once shutdown was handled"),
    ("JsonRPCProtocol", "_converter", "the cattrs converter (with .structure)"),
    ("JsonRPCProtocol", "_server", "the server the protocol belongs to"),
    ("JsonRPCProtocol", "_execute_handler", "(msg_id, handler, callback, args, kwargs)"),
    ("JsonRPCProtocol", "_send_handler_result", "the callback that answers a request"),
    ("JsonRPCProtocol", "_send_data", "writes one message object"),
    ("LanguageServerProtocol", "lsp_exit", "the built-in exit handler"),
    ("LanguageServerProtocol", "lsp_shutdown", "the built-in shutdown handler"),
    ("LanguageServerProtocol", "lsp_text_document__did_open", "the built-in didOpen"),
    ("LanguageServerProtocol", "lsp_text_document__did_change", "the built-in didChange"),
    ("LanguageServerProtocol", "lsp_text_document__did_close", "the built-in didClose"),
    ("LanguageServer", "_notebook_document_sync", "notebook sync options, read at initialize"),
)
"""(pygls class, attribute, what coro-ls expects of it): the non-public parts used above."""

_BUILT_IN_METHODS = {
    "lsp_exit": types.EXIT,
    "lsp_shutdown": types.SHUTDOWN,
    "lsp_text_document__did_open": types.TEXT_DOCUMENT_DID_OPEN,
    "lsp_text_document__did_change": types.TEXT_DOCUMENT_DID_CHANGE,
    "lsp_text_document__did_close": types.TEXT_DOCUMENT_DID_CLOSE,
}


def missing_pygls_internals() -> list[str]:
    """One line per item of :data:`PYGLS_INTERNALS` the installed pygls does not have (or
    has in another shape); empty when coro-ls can run on it."""
    server = LanguageServer("coro-ls-probe", "0", protocol_cls=LanguageServerProtocol)
    protocol = server.protocol
    owners: dict[str, tuple[type, object]] = {
        "JsonRPCProtocol": (JsonRPCProtocol, protocol),
        "LanguageServerProtocol": (LanguageServerProtocol, protocol),
        "LanguageServer": (LanguageServer, server),
    }
    missing = []
    for owner, name, expected in PYGLS_INTERNALS:
        cls, instance = owners[owner]
        if not hasattr(instance, name):
            missing.append(f"pygls {owner}.{name} is missing (coro-ls expects {expected})")
        elif not _fits(cls, instance, name):
            missing.append(f"pygls {owner}.{name} has changed (coro-ls expects {expected})")
    return missing


def _fits(cls: type, instance: object, name: str) -> bool:
    value = getattr(instance, name)
    if name == "_request_futures":
        return isinstance(value, dict)
    if name == "_shutdown":
        return isinstance(value, bool)
    if name == "_converter":
        return callable(getattr(value, "structure", None))
    if name == "_server":
        return isinstance(value, LanguageServer)
    if name == "_execute_handler":
        parameters = list(inspect.signature(value).parameters)
        return parameters == ["msg_id", "handler", "callback", "args", "kwargs"]
    if name in _BUILT_IN_METHODS:
        # Defined by that class (an override by the same name replaces it) for that method.
        return name in vars(cls) and getattr(value, "method_name", None) == _BUILT_IN_METHODS[name]
    return callable(value) or name == "_notebook_document_sync"


def _describe(error: BaseException) -> str:
    """A short account of a cattrs failure (its nested exceptions name the field)."""
    parts: list[str] = []
    stack: list[BaseException] = [error]
    while stack and len(parts) < 5:
        current = stack.pop()
        nested = getattr(current, "exceptions", None)
        if nested:
            stack.extend(reversed(nested))
            continue
        note = "; ".join(getattr(current, "__notes__", ()) or ())
        parts.append(f"{type(current).__name__}: {current}" + (f" ({note})" if note else ""))
    return " | ".join(parts)[:500] or type(error).__name__
