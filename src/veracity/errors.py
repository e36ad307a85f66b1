"""One exception hierarchy for the whole library.

Every message says what is wrong and what to do about it; the CLI prints it as one line, the service returns it as
``{"error": {"type", "message"}}`` and the batch runner records it per document.

    VeracityError
    ├── InputError                  the user's input cannot be analysed (CLI exit 2, HTTP 422)
    │   ├── EmptyInputError
    │   ├── InputTooLargeError      (HTTP 413)
    │   ├── UnsupportedInputError   binary files, PDFs, unknown formats (HTTP 415)
    │   └── DecodingError           bytes that are not valid text in the declared/assumed encoding
    ├── FetchError                  a URL could not be fetched (CLI exit 2, HTTP 502)
    │   ├── URLRefusedError         bad scheme, private address, too many redirects (HTTP 400)
    │   └── FetchTimeoutError       (HTTP 504)
    ├── UsageError                  bad arguments or options (CLI exit 2, HTTP 422)
    ├── ConfigurationError          settings or installation problems (CLI exit 2)
    │   └── ModelMissingError       a model package or file is absent or fails verification
    ├── PipelineError               analyzers that cannot be wired together (requires/produces, unknown names)
    ├── SpanError                   an analyzer produced an offset outside the text or an inconsistent span
    ├── SchemaVersionError          a report of another major schema version
    ├── BudgetExceededError         work stopped because its time budget was spent or the process is stopping (503)
    └── ServiceError                raised by the HTTP service itself: auth (401), busy / not ready / over the time
                                    budget / not installed (503); carries its status, error type and headers
"""

from __future__ import annotations


class VeracityError(Exception):
    """Base of every error veracity raises on purpose."""

    #: suggested HTTP status for the service
    http_status: int = 500
    #: whether the CLI treats it as the user's fault (exit 2) rather than an internal fault (exit 1)
    user_error: bool = False


class InputError(VeracityError):
    """The input cannot be analysed as given."""

    http_status = 422
    user_error = True


class EmptyInputError(InputError):
    """The input holds no text."""


class InputTooLargeError(InputError):
    """The input is over the configured size cap."""

    http_status = 413


class UnsupportedInputError(InputError):
    """The input is of a kind veracity does not read (binary, PDF, unknown format)."""

    http_status = 415


class DecodingError(InputError):
    """The bytes are not valid text in the expected encoding."""


class FetchError(VeracityError):
    """A URL could not be fetched."""

    http_status = 502
    user_error = True


class URLRefusedError(FetchError):
    """The URL is refused before or while fetching (scheme, private address, redirects)."""

    http_status = 400


class FetchTimeoutError(FetchError):
    """The remote server did not answer in time."""

    http_status = 504


class UsageError(VeracityError):
    """Arguments or options that do not make sense together."""

    http_status = 422
    user_error = True


class ConfigurationError(VeracityError):
    """Settings or installation problems the user can fix."""

    user_error = True


class ModelMissingError(ConfigurationError):
    """A model package or file is missing or fails its checksum."""

    http_status = 503


class PipelineError(VeracityError):
    """Analyzers that cannot be wired together."""

    http_status = 422
    user_error = True


class SpanError(VeracityError):
    """An analyzer produced a span that does not fit the document text."""


class SchemaVersionError(VeracityError):
    """A report of a schema major version this release cannot read."""

    http_status = 422
    user_error = True


class BudgetExceededError(VeracityError):
    """Work stopped at a checkpoint because its time budget was spent or the process is shutting down."""

    http_status = 503


class ServiceError(VeracityError):
    """An error raised by the service itself (auth, busy, time budget, feature not installed), with its HTTP status."""

    def __init__(self, status: int, type_: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.http_status = status
        self.status = status
        self.type = type_
        self.message = message
        self.headers = headers or {}
