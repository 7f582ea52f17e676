"""Django's Redis cache, minus a per-call cost.

Django's RedisCacheClient builds a new ``redis.Redis`` object for every cache call, and
redis-py fills each new one with a table of ~170 response callbacks: about a third of a
millisecond per call, several calls per API request. A client object only wraps the
thread-safe connection pool, so one per pool is enough.
"""
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
