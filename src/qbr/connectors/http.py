"""What every vendor client shares: the exception tree, explicit timeouts, retries with backoff, and JSON parsing.

The exceptions are all ``QbrError``s, so the CLI and the API report them as one clear message:

ConnectorError                  something went wrong talking to a vendor; ``vendor`` says which
 ├── NotConfigured              a required connection setting is missing or unusable; names it
 ├── VendorUnavailable          network failure, timeout, 5xx or 429 that outlasted every retry
 ├── AuthenticationFailed       the vendor refused our credentials (after renewing a token once)
 │    └── ReconnectRequired     the stored authorization is gone for good: a person must reconnect the app
 ├── RequestRejected            any other 4xx; carries the vendor's own message and the HTTP status
 └── MalformedResponse          the answer is not the JSON the API documents

Retries (``tenacity``) cover timeouts, dropped connections, 429 and 5xx, with exponential backoff and jitter; a
``Retry-After`` header, when present, is honoured instead of the computed wait. Nothing else is retried: a 4xx
will not change by asking again.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from qbr.errors import QbrError

logger = logging.getLogger("qbr.connectors")

ModelT = TypeVar("ModelT", bound=BaseModel)


class ConnectorError(QbrError):
    """Something went wrong talking to a vendor system."""

    def __init__(self, vendor: str, message: str) -> None:
        self.vendor = vendor
        super().__init__(f"{vendor}: {message}")


class NotConfigured(ConnectorError):
    """A required connection setting is missing or unusable."""


class VendorUnavailable(ConnectorError):
    """The vendor could not be reached, timed out, or kept failing (5xx/429) through every retry."""


class AuthenticationFailed(ConnectorError):
    """The vendor refused the credentials."""


class ReconnectRequired(AuthenticationFailed):
    """The stored authorization is no longer valid; only a person can authorize the app again."""


class RequestRejected(ConnectorError):
    """The vendor refused the request with a 4xx other than an authentication failure."""

    def __init__(self, vendor: str, message: str, *, status_code: int) -> None:
        self.status_code = status_code
        super().__init__(vendor, message)


class MalformedResponse(ConnectorError):
    """The vendor answered with something other than the documented JSON."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait for a vendor and how often to try again."""

    attempts: int = 5
    initial_wait: float = 0.5  # seconds before the first retry; doubles each time, plus jitter
    max_wait: float = 30.0
    # A Retry-After longer than this is not worth sitting through inside one sync: give up and let the next run try.
    max_retry_after: float = 300.0
    timeout: float = 30.0

    @property
    def httpx_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0))


@dataclass(frozen=True)
class HttpOptions:
    """How a client talks HTTP. Tests inject a transport, a policy, and a ``sleep`` that only records."""

    transport: httpx.BaseTransport | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic  # for token expiry


class _TransientFailure(Exception):
    """An attempt that may succeed if repeated; internal to the retry loop."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); None when absent or bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def short_body(response: httpx.Response, limit: int = 200) -> str:
    text = " ".join(response.text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


ErrorDescriber = Callable[[httpx.Response], str]


class VendorHttp:
    """One vendor's HTTP connection: base URL, auth, timeouts, retries, and errors turned into the tree above."""

    def __init__(
        self,
        vendor: str,
        base_url: str,
        *,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        describe_error: ErrorDescriber = short_body,
    ) -> None:
        self.vendor = vendor
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._describe_error = describe_error
        # initial_wait × 2^(attempt-1), capped, plus up to initial_wait of jitter so clients do not retry in step.
        self._backoff = wait_exponential(multiplier=self.policy.initial_wait, max=self.policy.max_wait) + wait_random(
            0, self.policy.initial_wait
        )
        self._client = httpx.Client(
            base_url=base_url,
            auth=auth,
            headers=dict(headers or {}),
            transport=transport,
            timeout=self.policy.httpx_timeout,
            follow_redirects=False,
        )

    @property
    def base_url(self) -> httpx.URL:
        return self._client.base_url

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> httpx.Response:
        """Send one request, retrying transient failures; return a 2xx response or raise a ConnectorError."""
        retrying = Retrying(
            stop=stop_after_attempt(max(1, self.policy.attempts)),
            wait=self._wait,
            retry=retry_if_exception_type(_TransientFailure),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        described = f"{method} {httpx.URL(url).path}"
        try:
            for attempt in retrying:
                with attempt:
                    response = self._send_once(
                        method, url, params=params, data=data, json=json, headers=headers, auth=auth
                    )
        except _TransientFailure as exc:
            raise VendorUnavailable(
                self.vendor, f"{described} failed {self.policy.attempts} times; last: {exc.reason}"
            ) from exc
        return self._checked(response, described)

    def get_json(self, url: str, *, params: Mapping[str, str | int] | None = None) -> tuple[Any, httpx.Response]:
        response = self.request("GET", url, params=params)
        return self.decode_json(response), response

    def decode_json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedResponse(
                self.vendor,
                f"{response.request.url.path} answered with something that is not JSON: {short_body(response)!r}",
            ) from exc

    def _send_once(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None,
        data: Mapping[str, str] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        auth: httpx.Auth | None,
    ) -> httpx.Response:
        try:
            response = self._client.request(
                method,
                url,
                # An empty mapping would wipe the query of a next-page link, so only pass real parameters.
                params=dict(params) if params else None,
                data=dict(data) if data is not None else None,
                json=json,
                headers=dict(headers) if headers is not None else None,
                auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            raise _TransientFailure(f"timed out ({type(exc).__name__})") from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise NotConfigured(self.vendor, f"the URL {str(self._client.base_url)!r} is unusable: {exc}") from exc
        except httpx.TransportError as exc:
            raise _TransientFailure(f"connection failed ({type(exc).__name__}: {exc})") from exc
        if response.status_code in RETRYABLE_STATUS:
            response.read()
            raise _TransientFailure(
                f"HTTP {response.status_code}: {self._describe_error(response)}",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        return response

    def _checked(self, response: httpx.Response, described: str) -> httpx.Response:
        status = response.status_code
        if 200 <= status < 300:
            return response
        message = f"{described} answered HTTP {status}: {self._describe_error(response)}"
        if status in (401, 403):
            raise AuthenticationFailed(self.vendor, message)
        if 300 <= status < 400:
            location = response.headers.get("Location", "?")
            raise RequestRejected(
                self.vendor, f"{described} was redirected to {location}; check the URL setting", status_code=status
            )
        raise RequestRejected(self.vendor, message, status_code=status)

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        retry_after = failure.retry_after if isinstance(failure, _TransientFailure) else None
        if retry_after is not None:
            if retry_after > self.policy.max_retry_after:
                raise VendorUnavailable(
                    self.vendor,
                    f"asked to wait {retry_after:.0f} s before retrying (Retry-After), longer than the "
                    f"{self.policy.max_retry_after:.0f} s a sync waits; try again later",
                )
            return retry_after
        return float(self._backoff(state))

    def _log_retry(self, state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        reason = failure.reason if isinstance(failure, _TransientFailure) else repr(failure)
        wait = state.next_action.sleep if state.next_action else 0.0
        logger.warning(
            "%s: attempt %d of %d failed (%s); retrying in %.1f s",
            self.vendor,
            state.attempt_number,
            self.policy.attempts,
            reason,
            wait,
        )

    def __enter__(self) -> VendorHttp:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def error_body(response: httpx.Response) -> dict[str, Any] | None:
    """The JSON object of an error response, or None when the body is something else."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


class VendorClient:
    """What the three vendor clients share: one :class:`VendorHttp`, closed with the client."""

    vendor: ClassVar[str]

    def __init__(
        self,
        url: str,
        *,
        auth: httpx.Auth,
        headers: Mapping[str, str] | None = None,
        describe_error: ErrorDescriber,
        options: HttpOptions | None,
    ) -> None:
        options = options or HttpOptions()
        self._http = VendorHttp(
            self.vendor,
            url.rstrip("/"),
            auth=auth,
            headers={"Accept": "application/json", **(headers or {})},
            transport=options.transport,
            policy=options.policy,
            sleep=options.sleep,
            describe_error=describe_error,
        )

    def check(self) -> str:
        """Prove the settings work with one small authenticated read; returns what the vendor says it is."""
        raise NotImplementedError

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def parse_model(vendor: str, model: type[ModelT], data: Any, what: str) -> ModelT:
    """Validate one vendor record; a shape mismatch becomes a MalformedResponse naming the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise MalformedResponse(vendor, f"{what} does not have the documented shape: {_first_error(exc)}") from exc


def parse_models(vendor: str, model: type[ModelT], data: Any, what: str) -> list[ModelT]:
    """Validate a JSON array of vendor records."""
    try:
        return TypeAdapter(list[model]).validate_python(data)  # type: ignore[valid-type]
    except ValidationError as exc:
        raise MalformedResponse(vendor, f"{what} does not have the documented shape: {_first_error(exc)}") from exc


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{location}: {first['msg']}{more}"
