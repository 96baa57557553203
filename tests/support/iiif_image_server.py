"""A small IIIF Image API 3 server written for the tests (level 1: regions, sizes by width), on loopback.

It stands in for a museum's image server: ``/iiif/<id>/info.json`` and
``/iiif/<id>/<region>/<size>/0/default.jpg`` over images it draws itself with Pillow, and it records the
requests, so a test can see that the deep-zoom viewer asked for tiles, not for one big image.
"""

from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw
from werkzeug.wrappers import Request, Response

from tests.support.loopback_server import LoopbackServer

_REQUEST = re.compile(r"^/iiif/(?P<id>[a-z0-9-]+)/(?P<region>full|\d+,\d+,\d+,\d+)/(?P<size>max|\d+,|\d+,\d+|!\d+,\d+)"
                      r"/0/default\.jpg$")


def draw(width: int = 2048, height: int = 1536) -> Image.Image:
    """A test pattern with detail at every scale (concentric rings and a grid)."""
    image = Image.new("RGB", (width, height), (243, 237, 225))
    pen = ImageDraw.Draw(image)
    for r in range(20, max(width, height), 40):
        pen.ellipse((width // 2 - r, height // 2 - r, width // 2 + r, height // 2 + r), outline=(163, 59, 43), width=3)
    for x in range(0, width, 64):
        pen.line((x, 0, x, height), fill=(62, 92, 118), width=1)
    return image


class IiifImageServer:
    def __init__(self) -> None:
        self.images = {"banner": draw()}
        self.requests: list[str] = []

    def start(self) -> IiifImageServer:
        self._http = LoopbackServer(self._app).start()
        return self

    def stop(self) -> None:
        self._http.stop()

    @property
    def base(self) -> str:
        return f"{self._http.url}/iiif"

    def _app(self, environ, start_response):
        request = Request(environ)
        self.requests.append(request.path)
        response = self._respond(request.path)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response(environ, start_response)

    def _respond(self, path: str) -> Response:
        if path.endswith("/info.json"):
            name = path.split("/")[2]
            if name not in self.images:
                return Response("not found", status=404)
            w, h = self.images[name].size
            info = {
                "@context": "http://iiif.io/api/image/3/context.json", "id": f"{self.base}/{name}",
                "type": "ImageService3", "protocol": "http://iiif.io/api/image", "profile": "level1",
                "width": w, "height": h, "tiles": [{"width": 256, "scaleFactors": [1, 2, 4, 8]}],
            }
            import json

            return Response(json.dumps(info), content_type="application/ld+json")
        match = _REQUEST.match(path)
        if not match or match.group("id") not in self.images:
            return Response("not found", status=404)
        image = self.images[match.group("id")]
        if match.group("region") != "full":
            x, y, w, h = (int(v) for v in match.group("region").split(","))
            image = image.crop((x, y, min(x + w, image.width), min(y + h, image.height)))
        size = match.group("size").lstrip("!")
        if size != "max":
            width_text, _, height_text = size.partition(",")
            width = int(width_text) if width_text else round(image.width * int(height_text) / image.height)
            height = int(height_text) if height_text else max(1, round(image.height * width / image.width))
            image = image.resize((max(1, width), max(1, height)))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80)
        return Response(out.getvalue(), content_type="image/jpeg")
