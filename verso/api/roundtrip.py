"""One Redis round trip per warm API request: the key's version, its rate-limit counter and
the generations of what the view may serve from its page cache.

A process remembers the snapshots of the keys it has seen (``keys.remembered``). For a
request whose key it knows, one Lua script checks that the snapshot's version token is
still the current one (a revocation or any change to the key or its supplier replaces the
token, in every process at once), counts the request against the key's budget, and reads
the generations; if the token moved, it counts nothing and the request takes the slow
path (``keys.lookup``: the shared snapshot or the database, then the limiter's own call).

So a revoked key is refused on the very next request in every process, counters stay
exact across processes, and a cached page is served only under the generation read in
this request's own round trip. With the cache down, everything fails open: the key comes
from the database, nothing is counted, no page is served from cache.
"""
import secrets
from dataclasses import dataclass

from django.conf import settings
from redis.exceptions import NoScriptError

from verso import generations as gens

from . import keys, sharedcache, throttling

WARM = """
local version = redis.call('GET', KEYS[1])
if version ~= ARGV[1] then
  return {0}
end
local count = redis.call('INCR', KEYS[2])
if count == 1 then
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
local out = {1, count}
for i = 3, #KEYS do
  local token = redis.call('GET', KEYS[i])
  if not token then
    token = ARGV[i]
    redis.call('SET', KEYS[i], token)
  end
  out[#out + 1] = token
end
return out
"""

_scripts: dict = {}


def _script(client):
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(WARM)
    return script


def _run(client, keys: list, args: list):
    """EVALSHA on one pooled connection, without redis-py's per-command layers (retries,
    argument checks, instrumentation: a third of the call's CPU); the first call in a
    server's life, which finds no script loaded, goes through ``Script`` to load it."""
    script = _script(client)
    pool = client.connection_pool
    connection = pool.get_connection()
    try:
        connection.send_command("EVALSHA", script.sha, len(keys), *keys, *args)
        out = connection.read_response()
    except NoScriptError:
        pool.release(connection)  # the error was read whole: the connection is in step
        return script(keys=keys, args=args, client=client)
    except BaseException:
        connection.disconnect()  # a half-read reply must not reach the next command
        pool.release(connection)
        raise
    pool.release(connection)
    return out


@dataclass
class Trip:
    principal: keys.ApiKeyPrincipal | None
    usage: throttling.Usage | None = None  # set when the request was counted already
    generations: dict | None = None  # set when the shared cache answered


def _fresh_tokens(count: int) -> list[str]:
    # Used only for a generation Redis does not hold; tokens must differ over time for one
    # generation, so two generations minted together may share one.
    token = secrets.token_hex(16)
    return [token] * count


def begin(raw: str, *, check, flavour: str, method: str, generation_names=()) -> Trip:
    """Authenticate ``raw`` and, when warm, count the request and read generations, in one trip.

    ``check(principal)`` raises for a key this API refuses; a refused key is never counted
    here (the limiter counts such traffic per client IP)."""
    prefix = keys.parse_prefix(raw)
    if prefix is None:
        return Trip(None)
    shared = sharedcache.redis() if sharedcache.available() else None
    known = keys.remembered(prefix) if shared is not None else None
    if known is not None and settings.RATELIMIT_USE_CACHE == "default" and keys.matches(known, raw):
        try:
            check(known)
        except Exception:
            known = None  # refused: let the slow path re-read it and refuse it properly
        if known is not None:
            client, make_key = shared
            counter = throttling.key_counter(known, flavour=flavour, method=method)
            names = list(generation_names)
            try:
                out = _run(
                    client,
                    keys=[make_key(keys.version_key(prefix)), make_key(counter.key),
                          *(make_key(gens.cache_key(name)) for name in names)],
                    args=[known.version, counter.ttl, *_fresh_tokens(len(names))],
                )
            except sharedcache.CACHE_ERRORS as exc:
                sharedcache.failed("API key round trip", exc)
                return Trip(keys.lookup(raw))
            if out[0] == 1:
                tokens = [t.decode() if isinstance(t, bytes) else t for t in out[2:]]
                return Trip(known, counter.usage(int(out[1])), dict(zip(names, tokens, strict=True)))
    principal = keys.lookup(raw)
    return Trip(principal, None, current_generations(generation_names))


def current_generations(names) -> dict | None:
    """The generations' tokens, or None when the cache cannot say (then nothing is served from cache)."""
    names = list(names)
    if not names or not sharedcache.available() or sharedcache.redis() is None:
        return None
    try:
        tokens = sharedcache.get_tokens([gens.cache_key(name) for name in names])
    except sharedcache.CACHE_ERRORS as exc:
        sharedcache.failed("reading cache generations", exc)
        return None
    return {name: tokens[gens.cache_key(name)] for name in names}
