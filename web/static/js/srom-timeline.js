/* SROM Hub: a section's objects on a timeline (vis-timeline standalone build, vendored).
 *
 * Years come as signed integers (206 BCE is -206), because `new Date("-0206")` is not portable: dates are
 * built with setUTCFullYear, which takes any year, and the axis labels say BCE/CE themselves.
 */
(function () {
  "use strict";

  function yearDate(year, atEnd) {
    var d = new Date(Date.UTC(2000, 0, 1));
    d.setUTCFullYear(year, atEnd ? 11 : 0, atEnd ? 31 : 1);
    if (atEnd) d.setUTCHours(23, 59, 59);
    return d;
  }

  function yearOf(date) {
    if (date && typeof date.year === "function") return date.year();  // a moment
    return new Date(date).getUTCFullYear();
  }

  function label(bce, ce) {
    return function (date, scale) {
      var y = yearOf(date);
      if (scale !== "year" && scale !== "month" && scale !== "day") return String(y);
      if (y < 0) return bce.replace("{year}", String(-y));
      if (y === 0) return "0";
      return y < 1000 ? ce.replace("{year}", String(y)) : String(y);
    };
  }

  function content(item) {
    var el = document.createElement("a");
    el.href = item.href || item.iri;
    el.textContent = item.title;
    el.title = [item.title, item.date, item.museum].filter(Boolean).join(" · ");
    return el;
  }

  function init(el) {
    var source = document.querySelector('script.srom-view-data[data-for="' + el.id + '"]');
    var data = source ? JSON.parse(source.textContent) : [];
    var min = Infinity, max = -Infinity;
    var items = data.map(function (it, i) {
      var ranged = it.end !== null && it.end !== it.begin;
      min = Math.min(min, it.begin);
      max = Math.max(max, it.end === null ? it.begin : it.end);
      return {
        id: i, content: content(it), start: yearDate(it.begin, false),
        end: ranged ? yearDate(it.end, true) : undefined, type: ranged ? "range" : "point",
        className: "srom-item"
      };
    });
    var span = Math.max(50, max - min);
    var bce = el.getAttribute("data-bce") || "{year} BCE", ce = el.getAttribute("data-ce") || "{year} CE";
    var timeline = new vis.Timeline(el, new vis.DataSet(items), {
      stack: true,
      zoomKey: "ctrlKey",
      orientation: { axis: "both" },
      margin: { item: { horizontal: 2, vertical: 6 } },
      maxHeight: 520,
      min: yearDate(Math.floor(min - span * 0.2), false),
      // labels run to the right of their item: room after the last one, so its label is not cut by the edge
      max: yearDate(Math.ceil(max + span * 0.4), true),
      start: yearDate(Math.floor(min - span * 0.05), false),
      end: yearDate(Math.ceil(max + span * 0.25), true),
      zoomMin: 1000 * 3600 * 24 * 365 * 5,
      format: { minorLabels: label(bce, ce), majorLabels: function () { return ""; } }
    });
    el.sromTimeline = timeline;
    el.setAttribute("data-ready", "true");
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".srom-timeline"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
