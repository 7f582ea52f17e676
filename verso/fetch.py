"""The one way Verso fetches a URL someone else gave it (product images, webhook endpoints).

Such a URL must never reach our own network: the host is resolved once, every address it
resolves to is checked (loopback, private, link-local, multicast, reserved, unspecified,
IPv4 and IPv6, IPv4-mapped forms too), and the connection goes to the checked address
itself, so no second DNS lookup can be raced into pointing elsewhere. TLS is still
verified against the host name. Each redirect is checked the same way. The body is
streamed and cut off past ``max_bytes``, short socket timeouts bound every read, and a
watchdog closes the socket at the wall-clock deadline so a server that drips one byte at a
time cannot hold a worker. ``settings.VERSO_ALLOW_PRIVATE_URLS`` (networks such as
``127.0.0.1/32``, for tests and local development) exempts exactly those networks.
"""
import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

from django.conf import settings

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class FetchRefused(FetchError):
    """We will not fetch this: a scheme, an address or a size we do not allow."""


class FetchFailed(FetchError):
    """We tried and it did not work: no answer, a timeout, the deadline, a broken connection."""


@dataclass(frozen=True)
class FetchResult:
    status: int
    headers: Message
    body: bytes
    final_url: str


# --- addresses ------------------------------------------------------------------------------


def parse_ip(host: str) -> IPAddress | None:
    """``host`` as an IP address if it is one in any spelling a resolver accepts, else None.

    Besides the usual forms this reads what inet_aton reads (``2130706433``, ``0177.0.0.1``,
    ``0x7f.1``, ``127.1``), so such a spelling is checked as the address it stands for.
    """
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefABCDEFxX." for c in host) and host[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _allowed_networks() -> list:
    return [ipaddress.ip_network(net, strict=False) for net in settings.VERSO_ALLOW_PRIVATE_URLS]


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped ``::ffff:a.b.c.d``, 6to4, Teredo, NAT64)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_internal(ip: IPAddress) -> bool:
    return (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified or not ip.is_global
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
    )


def check_address(ip: IPAddress | str) -> None:
    """Refuse an address that is internal (or carries an internal IPv4 address) unless it lies
    in one of the networks ``VERSO_ALLOW_PRIVATE_URLS`` names."""
    if isinstance(ip, str):
        parsed = parse_ip(ip)
        if parsed is None:
            raise FetchRefused(f"{ip!r} is not an IP address.")
        ip = parsed
    # An opened network admits the address itself, or its IPv4-mapped form (the same host);
    # never a 6to4/Teredo/NAT64 address that merely carries it (those route elsewhere).
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    allowed = _allowed_networks()
    for candidate in [ip] if mapped is None else [ip, mapped]:
        if any(candidate.version == net.version and candidate in net for net in allowed):
            return  # exactly the networks the operator opened (tests, local development)
    candidates = [ip]
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        candidates.append(embedded)
    for candidate in candidates:
        if _is_internal(candidate):
            raise FetchRefused(f"The address {ip} is internal (not a public address).")


def _resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` stands for, each checked; the first refusal wins."""
    literal = parse_ip(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchFailed(f"The host {host} could not be resolved.") from exc
        addresses = []
        for _family, _type, _proto, _name, sockaddr in infos:
            ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
            if ip not in addresses:
                addresses.append(ip)
        if not addresses:
            raise FetchFailed(f"The host {host} could not be resolved.")
    for ip in addresses:
        check_address(ip)
    return addresses


# --- connections ----------------------------------------------------------------------------


class _PinnedConnectionMixin:
    """Connects to an address checked beforehand instead of resolving the host again.

    The Host header (and, for HTTPS, SNI and certificate verification) still use the host name.
    """

    def __init__(self, host: str, port: int, *, addresses: list[IPAddress], connect_timeout: float,
                 read_timeout: float, watchdog: "_Watchdog", **kwargs):
        super().__init__(host, port, timeout=connect_timeout, **kwargs)
        self._addresses = addresses
        self._watchdog = watchdog
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._create_connection = self._connect_pinned

    def _connect_pinned(self, address, timeout=None, source_address=None):
        last_error: OSError | None = None
        for ip in self._addresses:
            family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(self._connect_timeout)
                self._watchdog.watch(sock)  # from here on (TLS handshake included) the deadline holds
                sock.connect((str(ip), self.port))
                sock.settimeout(self._read_timeout)
                return sock
            except OSError as exc:
                sock.close()
                last_error = exc
        raise last_error or OSError("no address to connect to")


class _PinnedHTTPConnection(_PinnedConnectionMixin, http.client.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, http.client.HTTPSConnection):
    def __init__(self, host, port, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)


class _Watchdog:
    """Shuts the connection's socket at the deadline, whatever read is blocked on it.

    It holds its own handle on the socket (a duplicated file descriptor): wrapping a socket
    in TLS detaches the original Python object, and shutting that one down would do nothing
    while a TLS server drips its handshake or headers.
    """

    def __init__(self, seconds: float):
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0), self._fire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._close_handle()
            self._sock = socket.socket(fileno=os.dup(sock.fileno()))
            if self.fired:
                self._kill()

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._close_handle()

    def _close_handle(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._kill()

    def _kill(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# --- fetching -------------------------------------------------------------------------------


def _target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a URL we may fetch; FetchRefused otherwise."""
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise FetchRefused("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused("The URL is not valid.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused("Only http and https URLs are allowed.")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("URLs with credentials are not allowed.")
    host = parts.hostname or ""
    if not host:
        raise FetchRefused("The URL has no host.")
    if parse_ip(host) is None:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise FetchRefused("The URL's host name is not valid.") from exc
    port = port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port, path


def fetch(
    url: str, *, max_bytes: int, deadline_seconds: float, connect_timeout: float, read_timeout: float,
    max_redirects: int = 3, follow_redirects: bool = True, method: str = "GET", body: bytes | None = None,
    headers: dict[str, str] | None = None, truncate: bool = False,
) -> FetchResult:
    """GET ``url`` safely (see the module's docstring). With ``follow_redirects`` False a
    redirect is returned as it is (its address was checked all the same).

    ``method``, ``body`` and ``headers`` send something else (a webhook's signed POST): the
    same address checks hold, and a redirect is followed with a plain GET, as browsers do,
    so pass ``follow_redirects=False`` when the body must not be lost or resent.

    With ``truncate`` an answer longer than ``max_bytes`` is not an error: reading stops
    there and the result holds its status and first ``max_bytes`` bytes (a webhook
    receiver's answer, whose body Verso does not need)."""
    deadline = time.monotonic() + deadline_seconds
    watchdog = _Watchdog(deadline_seconds)
    watchdog.start()
    try:
        for _hop in range(max_redirects + 1):
            result = _fetch_once(url, max_bytes=max_bytes, deadline=deadline, deadline_seconds=deadline_seconds,
                                 connect_timeout=connect_timeout, read_timeout=read_timeout, watchdog=watchdog,
                                 method=method, body=body, headers=headers, truncate=truncate)
            if result.status not in REDIRECT_STATUSES or not follow_redirects:
                return result
            location = result.headers.get("Location")
            if not location:
                return result
            url = urljoin(url, location.strip())
            method, body = "GET", None
        raise FetchFailed(f"More than {max_redirects} redirects.")
    finally:
        watchdog.cancel()


def _fetch_once(url: str, *, max_bytes: int, deadline: float, deadline_seconds: float, connect_timeout: float,
                read_timeout: float, watchdog: _Watchdog, method: str = "GET", body: bytes | None = None,
                headers: dict[str, str] | None = None, truncate: bool = False) -> FetchResult:
    scheme, host, port, path = _target(url)
    addresses = _resolve(host, port)
    late = FetchFailed(f"No complete answer within {deadline_seconds:g} seconds.")
    if time.monotonic() >= deadline:
        raise late
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    conn = connection_class(host, port, addresses=addresses, connect_timeout=connect_timeout,
                            read_timeout=read_timeout, watchdog=watchdog)
    try:
        conn.connect()
        conn.putrequest(method, path, skip_accept_encoding=True)
        sent = {"Accept": "*/*", "User-Agent": "Verso/1.0", **(headers or {})}
        for name, value in sent.items():
            if name.lower() not in ("accept-encoding", "connection", "content-length", "host"):
                conn.putheader(name, value)
        conn.putheader("Accept-Encoding", "identity")
        conn.putheader("Connection", "close")
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        if response.status in REDIRECT_STATUSES:
            return FetchResult(response.status, response.headers, b"", url)
        declared = response.headers.get("Content-Length")
        if not truncate and declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
            raise FetchRefused(f"The file is larger than {max_bytes} bytes.")
        chunks, size = [], 0
        while True:
            if time.monotonic() >= deadline or watchdog.fired:
                raise late
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                if truncate:
                    chunks.append(chunk[: max_bytes - (size - len(chunk))])
                    return FetchResult(response.status, response.headers, b"".join(chunks), url)
                raise FetchRefused(f"The file is larger than {max_bytes} bytes.")
            chunks.append(chunk)
        if watchdog.fired:
            raise late  # the watchdog's shutdown reads as an early end of the body
        if response.length:
            raise FetchFailed("The connection closed before the whole body arrived.")
        return FetchResult(response.status, response.headers, b"".join(chunks), url)
    except FetchError:
        raise
    except ssl.SSLError as exc:
        raise (late if watchdog.fired else FetchFailed(f"TLS failed: {exc.reason or exc}.")) from exc
    except TimeoutError as exc:
        raise (late if watchdog.fired else FetchFailed("The server did not answer in time.")) from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if watchdog.fired:
            raise late from exc
        raise FetchFailed(f"The connection failed ({type(exc).__name__}).") from exc
    finally:
        conn.close()
