"""What the hub can tell about a museum's image from its URL: IIIF Image API service, media type, licence.

Museums give either a plain image URL or an IIIF Image API URL (``{base}/info.json``, or an image request
``{base}/{region}/{size}/{rotation}/{quality}.{format}``). The deep-zoom viewer and the IIIF manifest use
the service where there is one and the plain image otherwise. Pure functions: no I/O here (the hub never
fetches a museum's image to find this out).
"""

from __future__ import annotations

import re

# {base}/{region}/{size}/{rotation}/{quality}.{format}, as in the IIIF Image API 2 and 3.
_IMAGE_REQUEST = re.compile(
    r"^(?P<base>https?://[^?#]+?)/(?:full|square|pct:[\d.,]+|\d+,\d+,\d+,\d+)/"
    r"(?:full|max|\^?!?\d*,\d*|\^?pct:[\d.]+|\^?\d+,|\^?,\d+)/!?\d+(?:\.\d+)?/"
    r"(?:default|color|gray|bitonal|native)\.(?:jpg|jpeg|png|tif|tiff|gif|webp|jp2)$",
    re.IGNORECASE,
)
_INFO = re.compile(r"^(?P<base>https?://[^?#]+)/info\.json$", re.IGNORECASE)

MEDIA_TYPES = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
    "svg": "image/svg+xml", "tif": "image/tiff", "tiff": "image/tiff", "jp2": "image/jp2",
}


def iiif_service(url: str | None) -> str | None:
    """The IIIF Image API service base of ``url`` (no trailing ``/info.json``), or None for a plain image."""
    if not url:
        return None
    for pattern in (_INFO, _IMAGE_REQUEST):
        match = pattern.match(url)
        if match:
            return match.group("base")
    return None


def media_type(url: str) -> str:
    """The media type an image URL's extension suggests (``image/jpeg`` when it suggests nothing)."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return MEDIA_TYPES.get(ext, "image/jpeg")


def image_url(url: str) -> str:
    """A URL a browser can show as an image: an IIIF service's full image, else ``url`` itself."""
    base = iiif_service(url)
    if base and _INFO.match(url):
        return f"{base}/full/max/0/default.jpg"
    return url


_CC = re.compile(r"^\s*CC[ -]?(BY(?:[ -](?:NC|SA|ND))*)[ -]?(\d\.\d)?\s*$", re.IGNORECASE)


def licence_uri(licence: str | None) -> str | None:
    """A Creative Commons or RightsStatements.org URI for a licence given as a URI or as "CC BY 4.0"."""
    if not licence:
        return None
    text = licence.strip()
    if re.match(r"^https?://(creativecommons\.org|rightsstatements\.org)/", text):
        return text if text.endswith("/") else text + "/"
    if re.match(r"^\s*CC0(\s*1\.0)?\s*$", text, re.IGNORECASE):
        return "http://creativecommons.org/publicdomain/zero/1.0/"
    if re.match(r"^\s*(PDM|public domain( mark)?)(\s*1\.0)?\s*$", text, re.IGNORECASE):
        return "http://creativecommons.org/publicdomain/mark/1.0/"
    match = _CC.match(text)
    if match:
        kind = "-".join(match.group(1).lower().replace(" ", "-").split("-"))
        return f"http://creativecommons.org/licenses/{kind}/{match.group(2) or '4.0'}/"
    return None


def deepzoom_sources(urls: list[str]) -> list[dict[str, str]]:
    """What the deep-zoom viewer opens for each image: ``info`` (IIIF info.json) where there is a service,
    and always ``url`` (a plain image, also the fallback without JavaScript)."""
    sources = []
    for url in urls:
        base = iiif_service(url)
        source = {"url": image_url(url)}
        if base:
            source["info"] = f"{base}/info.json"
        sources.append(source)
    return sources


def thumbnail_url(url: str | None, width: int = 400) -> str | None:
    """An image no wider than ``width`` for cards: the IIIF service's ``{base}/full/{width},/0/default.jpg``
    where there is one (the museum's server scales it), else the image itself."""
    base = iiif_service(url)
    return f"{base}/full/{width},/0/default.jpg" if base else url
