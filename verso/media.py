"""Local media (product images and thumbnails) served by the app itself, DEBUG on or off.

Only while the default storage is a FileSystemStorage: another backend (S3 and the like)
serves its own URLs, and then this route answers 404. A deleted image's files are gone,
so their URLs answer 404 too.
"""
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404
from django.views.static import serve


def serve_media(request, path: str):
    if not isinstance(default_storage, FileSystemStorage):  # the lazy proxy passes isinstance on
        raise Http404("No local media.")
    try:
        response = serve(request, path, document_root=default_storage.location)
    except SuspiciousFileOperation:
        raise Http404("No such file.")  # a path climbing out of the media folder
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response
