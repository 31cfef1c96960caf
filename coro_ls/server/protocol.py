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
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Generator
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
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, LanguageServerProtocol
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
        pid = getattr(self._server, "process_id", None)
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
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current and not future.done():
                future.cancel()
        self._shutdown = True
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
        answers = isinstance(callback, partial) and callback.func == self._send_handler_result
        future = None if answers else self._request_futures.get(msg_id)
        if future is None:
            return
        if future.done():
            self._request_futures.pop(msg_id, None)
        else:
            future.add_done_callback(lambda _: self._request_futures.pop(msg_id, None))

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
            message = self._converter.structure(data, message_type)
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
        if self._shutdown:
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
        self._send_data(
            {
                "jsonrpc": self.VERSION,
                "id": msg_id,
                "error": {"code": error.code, "message": error.message},
            }
        )


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
