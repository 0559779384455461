"""Errors as Python exceptions carrying the gRPC status."""
import grpc


class StrataError(Exception):
    """A call failed. `code` is the gRPC status code (grpc.StatusCode), `details` the server's message."""

    def __init__(self, code: grpc.StatusCode, details: str, method: str = ""):
        super().__init__(f"{method + ': ' if method else ''}{code.name}: {details}")
        self.code = code
        self.details = details
        self.method = method


class NotFound(StrataError):
    pass


class InvalidArgument(StrataError):
    pass


class OutOfRange(StrataError):
    pass


class AlreadyExists(StrataError):
    pass


class FailedPrecondition(StrataError):
    pass


class Unavailable(StrataError):
    pass


class DeadlineExceeded(StrataError):
    pass


class PermissionDenied(StrataError):
    pass


class Unauthenticated(StrataError):
    pass


_BY_CODE = {
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.OUT_OF_RANGE: OutOfRange,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
}


def from_rpc(error: grpc.RpcError, method: str = "") -> StrataError:
    """The exception for a failed gRPC call."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = error.details() if hasattr(error, "details") else str(error)
    return _BY_CODE.get(code, StrataError)(code, details or "", method)
