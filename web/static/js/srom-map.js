/* SROM Hub: a section's objects on a map of the Silk Road (Leaflet + Leaflet.markercluster, vendored).
 *
 * No tile server: the pages work offline, so the map is drawn from the hub's own GeoJSON (seas, the main
 * overland and maritime routes, their cities) with the objects as clustered markers on top. Object data
 * comes from a <script type="application/json"> next to the map; every text is set as text, never HTML.
 */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "en";

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value == null ? "" : String(value);
    return el;
  }

  function popup(p) {
    var box = document.createElement("div");
    box.className = "srom-popup";
    if (p.image) {
      var img = document.createElement("img");
      img.src = p.image;
      img.alt = "";
      box.appendChild(img);
    }
    var link = document.createElement("a");
    link.href = p.href || p.iri;
    link.appendChild(text("strong", p.title));
    box.appendChild(link);
    [p.date, p.place, p.museum].forEach(function (v) { if (v) box.appendChild(text("span", v)); });
    return box;
  }

  function name(props) {
    var names = props.name || {};
    return names[lang] || names.en || "";
  }

  function drawBackground(map, geo) {
    var layers = { seas: L.layerGroup(), routes: L.layerGroup(), cities: L.layerGroup() };
    L.geoJSON(geo, {
      filter: function (f) { return f.properties.kind === "sea"; },
      style: function () { return { className: "srom-sea", stroke: false, fillOpacity: 1 }; },
      interactive: false
    }).addTo(layers.seas);
    L.geoJSON(geo, {
      filter: function (f) { return /^route/.test(f.properties.kind); },
      style: function (f) {
        return { className: "srom-route " + f.properties.kind, weight: 3, opacity: 0.85,
                 dashArray: f.properties.kind === "route-sea" ? "6 6" : null };
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(name(f.properties), { sticky: true }); }
    }).addTo(layers.routes);
    L.geoJSON(geo, {
      filter: function (f) { return f.properties.kind === "city"; },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 3, className: "srom-city", weight: 1, fillOpacity: 1 });
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(name(f.properties), { direction: "top" }); }
    }).addTo(layers.cities);
    layers.seas.addTo(map);
    layers.routes.addTo(map);
    layers.cities.addTo(map);
    return layers;
  }

  function init(el) {
    var source = document.querySelector('script.srom-view-data[data-for="' + el.id + '"]');
    var data = source ? JSON.parse(source.textContent) : { features: [] };
    var map = L.map(el, { zoomSnap: 0.5, minZoom: 2, maxZoom: 12, worldCopyJump: false });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("SROM Hub");
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
    data.features.forEach(function (f) {
      var c = f.geometry.coordinates;
      var marker = L.marker([c[1], c[0]], { title: f.properties.title, alt: f.properties.title });
      marker.bindPopup(popup(f.properties));
      cluster.addLayer(marker);
    });
    var silkRoad = L.latLngBounds([[18, -2], [50, 122]]);
    if (data.features.length) {
      map.fitBounds(cluster.getBounds().pad(0.4), { maxZoom: 5 });
    } else {
      map.fitBounds(silkRoad);
    }
    el.sromMap = map;
    el.sromCluster = cluster;
    fetch(el.getAttribute("data-routes"))
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        var layers = drawBackground(map, geo);
        cluster.addTo(map);
        var overlays = {};
        overlays[el.getAttribute("data-label-routes") || "Routes"] = layers.routes;
        overlays[el.getAttribute("data-label-objects") || "Objects"] = cluster;
        L.control.layers(null, overlays, { collapsed: true }).addTo(map);
        el.setAttribute("data-ready", "true");
      })
      .catch(function () {
        cluster.addTo(map);
        el.setAttribute("data-ready", "true");
      });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".srom-map"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
