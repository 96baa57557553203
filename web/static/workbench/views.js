/* SROM Hub workbench: the ways to show a query's results (table, map, image grid, timeline, bar chart).
 *
 * Results come as {kind: "select"|"graph"|"ask", vars: [...], rows: [{var: term}]}, terms as in the
 * SPARQL 1.1 JSON results format. Each view says whether it fits the results (`fits`) and draws them
 * into an element (`draw`). Every value is set as text, never as HTML: the data is the museums'.
 * Leaflet and vis-timeline are vendored; the chart is plain SVG.
 */
(function () {
  "use strict";

  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger",
                 "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt"].map(function (t) { return XSD + t; });
  var DATES = ["dateTime", "date", "gYear", "dateTimeStamp"].map(function (t) { return XSD + t; });
  var WKT = "http://www.opengis.net/ont/geosparql#wktLiteral";
  var POINT = /^\s*(?:<[^>]*>\s*)?POINT\s*Z?\s*\(\s*(-?[\d.]+(?:[eE][-+]?\d+)?)\s+(-?[\d.]+(?:[eE][-+]?\d+)?)/i;
  var IMAGE = /\.(jpe?g|png|gif|webp|svg|tiff?)(\?.*)?$|\/iiif\/|\/full\/[^/]+\/\d+\/default\./i;
  var PALETTE = ["#2d3a6b", "#a33b2b", "#c28f2c", "#4f7a5a", "#7a4f8a", "#3f8a9a", "#8a6a4f", "#5a5a5a"];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function values(data, v) {
    return data.rows.map(function (r) { return r[v]; }).filter(Boolean);
  }

  function all(data, v, test) {
    var vs = values(data, v);
    return vs.length > 0 && vs.every(test);
  }

  function isNumber(t) {
    return t.type === "literal" && NUMERIC.indexOf(t.datatype) >= 0 && !isNaN(parseFloat(t.value));
  }

  function isDate(t) {
    return t.type === "literal" && DATES.indexOf(t.datatype) >= 0;
  }

  function isPoint(t) {
    return t.type === "literal" && (t.datatype === WKT || /^\s*POINT/i.test(t.value)) && POINT.test(t.value);
  }

  function isImage(t) {
    return t.type === "uri" && IMAGE.test(t.value);
  }

  /* A short readable form of a term: prefixed IRIs, literals as their text. */
  function shorten(iri, prefixes) {
    for (var p in prefixes) {
      if (iri.indexOf(prefixes[p]) === 0 && /^[\w-]*$/.test(iri.slice(prefixes[p].length))) {
        return p + ":" + iri.slice(prefixes[p].length);
      }
    }
    return iri;
  }

  function textOf(t, prefixes) {
    if (!t) return "";
    if (t.type === "uri") return shorten(t.value, prefixes || {});
    if (t.type === "bnode") return "_:" + t.value;
    return t.value;
  }

  /* The first variable whose values are literals (not numbers, dates or points): the row's label. */
  function labelVar(data, skip) {
    return data.vars.filter(function (v) {
      return skip.indexOf(v) < 0 && all(data, v, function (t) {
        return t.type === "literal" && !isNumber(t) && !isDate(t) && !isPoint(t);
      });
    })[0];
  }

  function linkVar(data, skip) {
    return data.vars.filter(function (v) {
      return skip.indexOf(v) < 0 && all(data, v, function (t) { return t.type === "uri" && !isImage(t); });
    })[0];
  }

  function cell(t, prefixes) {
    var td = el("td");
    if (!t) return td;
    if (t.type === "uri") {
      var a = el("a", null, shorten(t.value, prefixes));
      a.href = t.value;
      a.title = t.value;
      td.appendChild(a);
    } else {
      td.appendChild(document.createTextNode(textOf(t)));
      if (t["xml:lang"]) td.appendChild(el("span", "wb-lang", "@" + t["xml:lang"]));
      else if (t.datatype && t.datatype !== XSD + "string") {
        var dt = el("span", "wb-datatype", "^^" + shorten(t.datatype, prefixes));
        td.appendChild(dt);
      }
      if (isNumber(t)) td.className = "wb-number";
    }
    return td;
  }

  var PAGE = 500;

  var Table = {
    fits: function () { return true; },
    draw: function (box, data, ctx) {
      var table = el("table", "wb-table");
      var head = el("thead"), tr = el("tr");
      data.vars.forEach(function (v) { tr.appendChild(el("th", null, v)); });
      head.appendChild(tr);
      table.appendChild(head);
      var body = el("tbody");
      table.appendChild(body);
      var shown = 0;
      function more() {
        var end = Math.min(data.rows.length, shown + PAGE);
        for (; shown < end; shown++) {
          var row = el("tr");
          for (var i = 0; i < data.vars.length; i++) row.appendChild(cell(data.rows[shown][data.vars[i]], ctx.prefixes));
          body.appendChild(row);
        }
        button.hidden = shown >= data.rows.length;
        button.textContent = "+ " + (data.rows.length - shown);
      }
      var scroller = el("div", "wb-table-scroll");
      scroller.appendChild(table);
      box.appendChild(scroller);
      var button = el("button", "wb-more");
      button.type = "button";
      button.addEventListener("click", more);
      box.appendChild(button);
      more();
    }
  };

  function mapColumns(data) {
    var wkt = data.vars.filter(function (v) { return all(data, v, isPoint); })[0];
    if (wkt) return { wkt: wkt };
    var lat = data.vars.filter(function (v) { return /^lat(itude)?$/i.test(v); })[0];
    var lon = data.vars.filter(function (v) { return /^(long|lon|lng|longitude)$/i.test(v); })[0];
    if (lat && lon && all(data, lat, isNumber) && all(data, lon, isNumber)) return { lat: lat, lon: lon };
    return null;
  }

  function drawRoutes(map, url) {
    if (!url) return;
    fetch(url).then(function (r) { return r.json(); }).then(function (geo) {
      L.geoJSON(geo, {
        filter: function (f) { return f.properties.kind !== "city"; },
        style: function (f) {
          return f.properties.kind === "sea" ? { className: "wb-sea", stroke: false, fillOpacity: 1 }
            : { className: "wb-route", weight: 2, opacity: 0.7, dashArray: f.properties.kind === "route-sea" ? "5 5" : null };
        },
        interactive: false
      }).addTo(map).bringToBack();
    }).catch(function () { /* the points are what matters */ });
  }

  var MapView = {
    fits: function (data) { return data.kind === "select" && data.rows.length > 0 && !!mapColumns(data); },
    draw: function (box, data, ctx) {
      var cols = mapColumns(data);
      var holder = el("div", "wb-map");
      holder.setAttribute("role", "region");
      holder.setAttribute("aria-label", ctx.words.map || "Map");
      box.appendChild(holder);
      var note = el("p", "wb-note");
      box.appendChild(note);
      var map = L.map(holder, { zoomSnap: 0.5, minZoom: 1, maxZoom: 14 });
      map.attributionControl.setPrefix(false);
      map.attributionControl.addAttribution("SROM Hub");
      var label = labelVar(data, []);
      var points = [];
      data.rows.forEach(function (row) {
        var lat, lon;
        if (cols.wkt) {
          var m = POINT.exec(row[cols.wkt].value);
          lon = parseFloat(m[1]);
          lat = parseFloat(m[2]);
        } else {
          lat = parseFloat(row[cols.lat].value);
          lon = parseFloat(row[cols.lon].value);
        }
        if (isNaN(lat) || isNaN(lon)) return;
        var marker = L.circleMarker([lat, lon], { radius: 6, className: "wb-point", weight: 1, fillOpacity: 0.8 });
        var pop = el("dl", "wb-popup");
        data.vars.forEach(function (v) {
          if (!row[v] || v === cols.wkt) return;
          pop.appendChild(el("dt", null, v));
          var dd = el("dd");
          if (row[v].type === "uri") {
            var a = el("a", null, textOf(row[v], ctx.prefixes));
            a.href = row[v].value;
            dd.appendChild(a);
          } else dd.textContent = textOf(row[v]);
          pop.appendChild(dd);
        });
        marker.bindPopup(pop);
        if (label && row[label]) marker.bindTooltip(row[label].value);
        marker.addTo(map);
        points.push([lat, lon]);
      });
      note.textContent = ctx.format(ctx.words.placed, { n: points.length, m: data.rows.length });
      if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 6 });
      else map.fitBounds([[18, -2], [50, 122]]);
      drawRoutes(map, ctx.routes);
      holder.setAttribute("data-points", String(points.length));
      return function () { map.remove(); };
    }
  };

  function imageVar(data) {
    return data.vars.filter(function (v) { return /^(image|img|picture|thumbnail|pic)$/i.test(v); })[0] ||
      data.vars.filter(function (v) { return all(data, v, isImage); })[0];
  }

  var ImageGrid = {
    fits: function (data) {
      var v = data.kind === "select" && imageVar(data);
      return !!v && values(data, v).some(isImage);
    },
    draw: function (box, data, ctx) {
      var img = imageVar(data), label = labelVar(data, [img]), link = linkVar(data, [img]);
      var grid = el("ul", "wb-grid");
      data.rows.forEach(function (row) {
        if (!row[img] || row[img].type !== "uri") return;
        var li = el("li", "wb-card");
        var a = el("a");
        a.href = row[link] ? row[link].value : row[img].value;
        var pic = el("img");
        pic.loading = "lazy";
        pic.src = row[img].value;
        pic.alt = label && row[label] ? row[label].value : "";
        a.appendChild(pic);
        a.appendChild(el("span", null, label && row[label] ? row[label].value : textOf(row[link] || row[img], ctx.prefixes)));
        li.appendChild(a);
        data.vars.forEach(function (v) {
          if (v !== img && v !== label && v !== link && row[v]) li.appendChild(el("small", null, textOf(row[v], ctx.prefixes)));
        });
        grid.appendChild(li);
      });
      box.appendChild(grid);
    }
  };

  /* A year (signed, 206 BCE = -206) from an xsd date or an integer. */
  function yearOf(t) {
    if (isNumber(t)) return Math.round(parseFloat(t.value));
    var m = /^(-?\d{1,6})/.exec(t.value);
    return m ? parseInt(m[1], 10) : NaN;
  }

  function timeColumns(data) {
    var dated = data.vars.filter(function (v) { return all(data, v, isDate); });
    if (dated.length) return { begin: dated[0], end: dated[1] };
    var begin = data.vars.filter(function (v) { return /^(begin|start|from|year)/i.test(v) && all(data, v, isNumber); })[0];
    var end = data.vars.filter(function (v) { return /^(end|to|until)/i.test(v) && all(data, v, isNumber); })[0];
    return begin ? { begin: begin, end: end } : null;
  }

  function yearDate(year, atEnd) {
    var d = new Date(Date.UTC(2000, 0, 1));
    d.setUTCFullYear(year, atEnd ? 11 : 0, atEnd ? 31 : 1);
    return d;
  }

  var Timeline = {
    fits: function (data) { return data.kind === "select" && data.rows.length > 0 && !!timeColumns(data); },
    draw: function (box, data, ctx) {
      var cols = timeColumns(data), label = labelVar(data, []), link = linkVar(data, []);
      var holder = el("div", "wb-timeline");
      box.appendChild(holder);
      var min = Infinity, max = -Infinity, items = [];
      data.rows.forEach(function (row, i) {
        var b = row[cols.begin] ? yearOf(row[cols.begin]) : NaN;
        if (isNaN(b)) return;
        var e = cols.end && row[cols.end] ? yearOf(row[cols.end]) : b;
        if (isNaN(e) || e < b) e = b;
        min = Math.min(min, b);
        max = Math.max(max, e);
        var content = el(link && row[link] ? "a" : "span", null,
                         label && row[label] ? row[label].value : textOf(row[link] || row[cols.begin], ctx.prefixes));
        if (link && row[link]) content.href = row[link].value;
        items.push({ id: i, content: content, start: yearDate(b, false), end: e > b ? yearDate(e, true) : undefined,
                     type: e > b ? "range" : "point", title: b + (e > b ? " – " + e : "") });
      });
      if (!items.length) return;
      var span = Math.max(50, max - min);
      function axis(date, scale) {
        var y = date && typeof date.year === "function" ? date.year() : new Date(date).getUTCFullYear();
        if (scale !== "year") return String(y);
        return y < 0 ? ctx.format(ctx.words.bce, { year: -y }) : y < 1000 ? ctx.format(ctx.words.ce, { year: y }) : String(y);
      }
      var timeline = new vis.Timeline(holder, new vis.DataSet(items), {
        stack: true, zoomKey: "ctrlKey", maxHeight: 480, orientation: { axis: "both" },
        min: yearDate(Math.floor(min - span * 0.2), false), max: yearDate(Math.ceil(max + span * 0.2), true),
        start: yearDate(Math.floor(min - span * 0.05), false), end: yearDate(Math.ceil(max + span * 0.05), true),
        zoomMin: 1000 * 3600 * 24 * 365 * 5,
        format: { minorLabels: axis, majorLabels: function () { return ""; } }
      });
      holder.setAttribute("data-items", String(items.length));
      return function () { timeline.destroy(); };
    }
  };

  /* Bar chart: the first column names the bars, the trailing numeric columns are the values; with one
   * value column and a column between, that column is the series (e.g. century x museum x count). */
  function chartShape(data) {
    if (data.kind !== "select" || !data.rows.length || data.vars.length < 2) return null;
    var numeric = [];
    for (var i = data.vars.length - 1; i >= 1; i--) {
      if (all(data, data.vars[i], isNumber)) numeric.unshift(data.vars[i]);
      else break;
    }
    if (!numeric.length) return null;
    var before = data.vars.slice(0, data.vars.length - numeric.length);
    // a series column holds plain labels (museum, mapping), not points or IRIs
    var series = numeric.length === 1 && before.length > 1 && all(data, before[1], function (t) {
      return t.type === "literal" && !isPoint(t);
    }) ? before[1] : null;
    return { category: before[0], series: series, values: numeric };
  }

  var BarChart = {
    fits: function (data) { return !!chartShape(data); },
    draw: function (box, data, ctx) {
      var shape = chartShape(data);
      var categories = [], series = [], table = {};
      data.rows.forEach(function (row) {
        var c = textOf(row[shape.category], ctx.prefixes);
        if (categories.indexOf(c) < 0) categories.push(c);
        shape.values.forEach(function (v) {
          var s = shape.series ? textOf(row[shape.series], ctx.prefixes) : v;
          if (series.indexOf(s) < 0) series.push(s);
          var n = row[v] ? parseFloat(row[v].value) : 0;
          table[c + "\u0000" + s] = (table[c + "\u0000" + s] || 0) + (isNaN(n) ? 0 : n);
        });
      });
      categories = categories.slice(0, 60);
      var max = 0;
      for (var k in table) max = Math.max(max, table[k]);
      var bar = 16, gap = 10, labelW = 220, plotW = 520, right = 60;
      var groupH = series.length * bar + gap;
      var height = categories.length * groupH + 30;
      var NS = "http://www.w3.org/2000/svg";
      var svg = document.createElementNS(NS, "svg");
      svg.setAttribute("class", "wb-chart");
      svg.setAttribute("viewBox", "0 0 " + (labelW + plotW + right) + " " + height);
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", shape.values.join(", ") + " / " + shape.category);
      function add(tag, attrs, text) {
        var n = document.createElementNS(NS, tag);
        for (var a in attrs) n.setAttribute(a, attrs[a]);
        if (text !== undefined) n.textContent = String(text);
        svg.appendChild(n);
        return n;
      }
      categories.forEach(function (c, ci) {
        var y0 = ci * groupH;
        add("text", { x: labelW - 8, y: y0 + (series.length * bar) / 2 + 4, "text-anchor": "end", class: "wb-chart-label" },
            c.length > 34 ? c.slice(0, 33) + "…" : c);
        series.forEach(function (s, si) {
          var value = table[c + "\u0000" + s];
          if (value === undefined) return;
          var w = max > 0 ? Math.max(1, (value / max) * plotW) : 1;
          var rect = add("rect", { x: labelW, y: y0 + si * bar, width: w, height: bar - 2,
                                   fill: PALETTE[si % PALETTE.length], class: "wb-bar" });
          var title = document.createElementNS(NS, "title");
          title.textContent = c + " · " + s + ": " + value;
          rect.appendChild(title);
          add("text", { x: labelW + w + 4, y: y0 + si * bar + bar - 5, class: "wb-chart-value" }, value);
        });
      });
      add("line", { x1: labelW, x2: labelW, y1: 0, y2: height - 30, class: "wb-axis" });
      box.appendChild(svg);
      if (series.length > 1 || shape.series) {
        var legend = el("ul", "wb-legend");
        series.forEach(function (s, si) {
          var li = el("li", null);
          var sw = el("span", "wb-swatch");
          sw.style.background = PALETTE[si % PALETTE.length];
          li.appendChild(sw);
          li.appendChild(document.createTextNode(s));
          legend.appendChild(li);
        });
        box.appendChild(legend);
      }
    }
  };

  window.SromWorkbenchViews = {
    order: ["Table", "Map", "ImageGrid", "Timeline", "BarChart"],
    views: { Table: Table, Map: MapView, ImageGrid: ImageGrid, Timeline: Timeline, BarChart: BarChart },
    shorten: shorten
  };
})();
