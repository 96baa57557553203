/* SROM Hub: deep zoom into an object's images (OpenSeadragon, vendored).
 *
 * A museum's IIIF Image API service is opened through its info.json (tiles at every zoom level); a
 * plain image URL is opened as a simple image. Several images become a sequence.
 */
(function () {
  "use strict";

  function init(el) {
    var sources = JSON.parse(el.getAttribute("data-sources") || "[]");
    if (!sources.length || typeof OpenSeadragon !== "function") return;
    var tileSources = sources.map(function (s) {
      return s.info ? s.info : { type: "image", url: s.url, buildPyramid: false };
    });
    var viewer = OpenSeadragon({
      element: el,
      prefixUrl: el.getAttribute("data-prefix"),
      tileSources: tileSources,
      sequenceMode: tileSources.length > 1,
      showNavigator: true,
      navigatorPosition: "BOTTOM_RIGHT",
      drawer: "canvas",
      gestureSettingsMouse: { clickToZoom: true, scrollToZoom: true },
      maxZoomPixelRatio: 4,
      visibilityRatio: 0.8
    });
    el.sromViewer = viewer;
    viewer.addHandler("open", function () { el.setAttribute("data-ready", "true"); });
    viewer.addHandler("open-failed", function () {
      // the viewer cannot read the source: show the plain images instead (the <noscript> copy is inert)
      el.setAttribute("data-ready", "failed");
      el.hidden = true;
      var box = document.createElement("div");
      box.className = "deepzoom-fallback";
      sources.forEach(function (s) {
        var img = document.createElement("img");
        img.src = s.url;
        img.alt = el.getAttribute("aria-label") || "";
        box.appendChild(img);
      });
      el.parentNode.insertBefore(box, el.nextSibling);
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".srom-deepzoom"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
