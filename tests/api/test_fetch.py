"""verso.fetch: the safe fetcher every outbound URL goes through (images now, webhooks later)."""
import socket
import threading

import pytest

from tests.webserver import LocalServer
from verso.fetch import FetchFailed, FetchRefused, check_address, fetch, parse_ip

LIMITS = {"max_bytes": 5 * 1024 * 1024, "deadline_seconds": 5, "connect_timeout": 2, "read_timeout": 2}


@pytest.fixture
def allow_local(settings):
    settings.VERSO_ALLOW_PRIVATE_URLS = ["127.0.0.1/32"]


# --- the address check --------------------------------------------------------------------------

BLOCKED = [
    "127.0.0.1", "127.255.255.254",  # loopback
    "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",  # private
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "169.254.169.254",  # link-local (cloud metadata)
    "224.0.0.1", "239.255.255.250",  # multicast
    "240.0.0.1", "255.255.255.255",  # reserved, broadcast
    "0.0.0.0", "0.1.2.3",  # unspecified, "this network"
    "192.0.2.1", "198.51.100.1", "203.0.113.1", "198.18.0.1",  # documentation, benchmarking
    "::1", "::",  # IPv6 loopback, unspecified
    "fe80::1", "fc00::1", "fd12:3456::1", "fec0::1",  # link-local, unique local, site-local
    "ff02::1", "ff05::2",  # multicast
    "2001:db8::1",  # documentation
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",  # IPv4-mapped
    "64:ff9b::7f00:1", "2002:7f00:1::1", "2002:a00:1::1",  # NAT64 and 6to4 carrying internal IPv4
]


@pytest.mark.parametrize("address", BLOCKED)
def test_internal_addresses_are_refused(settings, address):
    settings.VERSO_ALLOW_PRIVATE_URLS = []
    with pytest.raises(FetchRefused, match="internal"):
        check_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(settings, address):
    settings.VERSO_ALLOW_PRIVATE_URLS = []
    check_address(address)  # no exception


@pytest.mark.parametrize("spelling", ["2130706433", "0177.0.0.1", "127.1", "0x7f.0.0.1", "0x7f000001", "017700000001",
                                      "127.0.1"])
def test_other_spellings_of_loopback_are_read_as_loopback_and_refused(settings, spelling):
    settings.VERSO_ALLOW_PRIVATE_URLS = []
    assert str(parse_ip(spelling)) == "127.0.0.1"
    with pytest.raises(FetchRefused, match="internal"):
        fetch(f"http://{spelling}/", **LIMITS)


@pytest.mark.parametrize("url", ["http://0.0.0.0/", "http://[::]/", "http://[::ffff:127.0.0.1]/", "http://[::1]/",
                                 "http://localhost/", "http://169.254.169.254/latest/meta-data/", "http://0/"])
def test_urls_naming_internal_hosts_are_refused(settings, url):
    settings.VERSO_ALLOW_PRIVATE_URLS = []
    with pytest.raises(FetchRefused, match="internal"):
        fetch(url, **LIMITS)


def test_the_allowed_networks_exempt_exactly_themselves(settings):
    settings.VERSO_ALLOW_PRIVATE_URLS = ["127.0.0.1/32"]
    check_address("127.0.0.1")
    for other in ("127.0.0.2", "10.0.0.1", "::1", "169.254.169.254"):
        with pytest.raises(FetchRefused):
            check_address(other)


@pytest.mark.parametrize("url", ["ftp://example.com/a.jpg", "file:///etc/passwd", "gopher://example.com/",
                                 "javascript:alert(1)", "//example.com/a.jpg", "http://user:pw@example.com/a.jpg",
                                 "http://exa mple.com/", "http:///a.jpg"])
def test_only_plain_http_and_https_urls_are_fetched(url):
    with pytest.raises(FetchRefused):
        fetch(url, **LIMITS)


# --- against a real server ----------------------------------------------------------------------


def test_a_file_is_fetched_from_an_allowed_server(allow_local, origin):
    url = origin.serve("/a.bin", b"hello", content_type="text/plain")

    result = fetch(url, **LIMITS)

    assert (result.status, result.body, result.final_url) == (200, b"hello", url)
    assert result.headers["Content-Type"] == "text/plain"


def test_without_the_allowance_the_local_server_is_never_reached(settings, origin):
    settings.VERSO_ALLOW_PRIVATE_URLS = []
    url = origin.serve("/a.bin", b"hello")

    with pytest.raises(FetchRefused):
        fetch(url, **LIMITS)

    assert origin.hits == []


def test_a_redirect_to_an_internal_address_is_refused_before_connecting(allow_local, origin, canary):
    target = canary.serve("/secret", b"internal data")
    url = origin.redirect("/hop", target)

    with pytest.raises(FetchRefused, match="127.0.0.2"):
        fetch(url, **LIMITS)

    assert origin.hits == ["/hop"]
    assert canary.hits == []


def test_redirects_are_followed_up_to_three_times(allow_local, origin):
    origin.serve("/end", b"done")
    for n in range(3, 0, -1):
        origin.redirect(f"/r{n}", f"/r{n + 1}" if n < 3 else "/end")

    assert fetch(origin.url("/r1"), **LIMITS).body == b"done"

    origin.redirect("/r0", "/r1")
    with pytest.raises(FetchFailed, match="More than 3 redirects"):
        fetch(origin.url("/r0"), **LIMITS)


def test_a_redirect_is_returned_as_is_when_not_followed(allow_local, origin):
    url = origin.redirect("/hop", "/elsewhere")

    result = fetch(url, **LIMITS, follow_redirects=False)

    assert (result.status, result.headers["Location"]) == (302, "/elsewhere")
    assert origin.hits == ["/hop"]


def test_a_declared_length_over_the_cap_is_refused_before_reading(allow_local, origin):
    url = origin.serve("/big", b"x" * 2000)

    with pytest.raises(FetchRefused, match="larger than 1000 bytes"):
        fetch(url, **{**LIMITS, "max_bytes": 1000})


def test_a_body_without_a_length_is_cut_off_at_the_cap(allow_local, origin):
    def endless(handler):
        handler.send_response(200)
        handler.send_header("Connection", "close")  # no Content-Length: the body runs until close
        handler.end_headers()
        for _ in range(100):
            handler.wfile.write(b"x" * 100_000)

    url = origin.route("/endless", endless)

    with pytest.raises(FetchRefused, match="larger than 1000000 bytes"):
        fetch(url, **{**LIMITS, "max_bytes": 1_000_000})


def test_a_lying_content_length_never_yields_more_than_it_declared(allow_local, origin):
    def liar(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "1024")
        handler.end_headers()
        handler.wfile.write(b"x" * (6 * 1024 * 1024))

    url = origin.route("/liar", liar)

    assert len(fetch(url, **LIMITS).body) == 1024


def test_a_server_that_drips_bytes_is_cut_off_at_the_deadline(allow_local, origin):
    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        while not origin.stopping.wait(0.05):  # a byte every 50 ms: never silent long enough to time out
            handler.wfile.write(b"x")
            handler.wfile.flush()

    url = origin.route("/drip", drip)

    with pytest.raises(FetchFailed, match="within 0.5 seconds"):
        fetch(url, **{**LIMITS, "deadline_seconds": 0.5, "read_timeout": 5})


def test_a_silent_server_times_out(allow_local, origin):
    def silent(handler):
        origin.stopping.wait(10)

    url = origin.route("/silent", silent)

    with pytest.raises(FetchFailed, match="did not answer in time"):
        fetch(url, **{**LIMITS, "read_timeout": 0.3})


def test_a_closed_port_fails_cleanly(allow_local):
    with LocalServer("127.0.0.1") as server:
        url = server.url("/gone")
    with pytest.raises(FetchFailed, match="connection failed"):
        fetch(url, **LIMITS)


def test_an_https_server_that_drips_its_handshake_is_cut_off_at_the_deadline(allow_local):
    # given a TLS "server" that announces a long handshake record, then drips it a byte at a time
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    sent = []
    done = threading.Event()

    def serve():
        connection, _ = listener.accept()
        with connection:
            try:
                connection.recv(4096)  # the client's hello
                connection.sendall(b"\x16\x03\x03\x40\x00")  # a handshake record of 16 KB is coming
                for _ in range(100):  # ... at a byte every 50 ms: never silent long enough to time out
                    if done.wait(0.05):
                        break
                    connection.sendall(b"\x00")
                    sent.append(1)
            except OSError:
                pass  # the client hung up: what the test wants

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        # when / then: the wall-clock deadline holds through the TLS handshake too
        with pytest.raises(FetchFailed, match="within 0.5 seconds"):
            fetch(f"https://127.0.0.1:{port}/", **{**LIMITS, "deadline_seconds": 0.5, "read_timeout": 5})
    finally:
        done.set()
        server.join(timeout=10)
        listener.close()
    assert len(sent) < 50  # cut off at the deadline (about 10 bytes in), long before the drip ran out


def test_an_allowed_network_admits_its_mapped_form_but_not_a_6to4_address_carrying_it(settings):
    settings.VERSO_ALLOW_PRIVATE_URLS = ["127.0.0.1/32"]
    check_address("::ffff:127.0.0.1")  # the same host, spelled as IPv6
    with pytest.raises(FetchRefused):
        check_address("2002:7f00:1::1")  # 6to4 carrying 127.0.0.1: routed elsewhere
