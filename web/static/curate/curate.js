/* The exhibition editor: facet builder, SPARQL editor (YASQE, vendored), syntax check, trying a query,
   pinning objects and ordering sections. The form works without this script (plain textareas); the
   script only helps. Every request carries the session's CSRF token; no request leaves this hub. */
(function () {
  "use strict";
  var root = document.getElementById("curate-editor");
  if (!root) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var editors = {};  // section key -> YASQE instance
  window.sromEditors = editors;

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); });
  }

  function say(el, text, good) {
    el.textContent = text;
    el.classList.toggle("good", !!good);
    el.classList.toggle("bad", !good);
  }

  function queryOf(section) {
    var key = section.dataset.key;
    if (editors[key]) return editors[key].getValue();
    return section.querySelector("textarea.query").value;
  }

  function setQuery(section, text) {
    var key = section.dataset.key;
    section.querySelector("textarea.query").value = text;
    if (editors[key]) editors[key].setValue(text);
  }

  function parameterRows(section) {
    return Array.prototype.slice.call(section.querySelectorAll("table.parameters tbody tr"));
  }

  function parametersOf(section) {
    var out = [], args = {};
    parameterRows(section).forEach(function (tr) {
      var name = tr.querySelector('[name$="-p-name"]').value.trim();
      if (!name) return;
      out.push({name: name, type: tr.querySelector('[name$="-p-type"]').value,
                default: tr.querySelector('[name$="-p-default"]').value,
                choices_query: tr.querySelector('[name$="-p-choices"]').value});
      var value = tr.querySelector('[name$="-p-value"]').value;
      if (value !== "") args[name] = value;
    });
    return {parameters: out, arguments: args};
  }

  function setParameters(section, parameters, args) {
    var body = section.querySelector("table.parameters tbody");
    var blank = body.querySelector("tr.blank");
    parameterRows(section).forEach(function (tr) { if (tr !== blank) tr.remove(); });
    parameters.forEach(function (p) {
      var tr = blank.cloneNode(true);
      tr.classList.remove("blank");
      tr.querySelector('[name$="-p-name"]').value = p.name;
      tr.querySelector('[name$="-p-name"]').removeAttribute("placeholder");
      tr.querySelector('[name$="-p-type"]').value = p.type;
      tr.querySelector('[name$="-p-label-en"]').value = (p.label || {}).en || "";
      tr.querySelector('[name$="-p-label-zh"]').value = (p.label || {}).zh || "";
      tr.querySelector('[name$="-p-value"]').value = args[p.name] || "";
      body.insertBefore(tr, blank);
    });
  }

  function showTab(section, name) {
    section.querySelectorAll(".tab").forEach(function (t) {
      t.setAttribute("aria-selected", t.dataset.tab === name ? "true" : "false");
    });
    section.querySelectorAll(".panel").forEach(function (p) { p.hidden = p.dataset.panel !== name; });
    if (name === "sparql") startEditor(section);
    if (name === "facets") loadOptions(section);
  }

  function startEditor(section) {
    var key = section.dataset.key;
    if (editors[key] || typeof window.Yasqe !== "function") return;
    var textarea = section.querySelector("textarea.query");
    var holder = document.createElement("div");
    holder.className = "yasqe-holder";
    textarea.parentNode.insertBefore(holder, textarea);
    // Offline: no remote autocompleters (LOV), no query button, no persistence between pages.
    var yasqe = new window.Yasqe(holder, {
      value: textarea.value, persistenceId: null, showQueryButton: false, resizeable: true,
      autocompleters: ["prefixes", "variables"], editorHeight: "280px"
    });
    textarea.hidden = true;
    yasqe.on("change", function () { textarea.value = yasqe.getValue(); scheduleCheck(section); });
    editors[key] = yasqe;
  }

  var timers = {};
  function scheduleCheck(section) {
    clearTimeout(timers[section.dataset.key]);
    timers[section.dataset.key] = setTimeout(function () { check(section); }, 600);
  }

  function check(section) {
    var out = section.querySelector(".check-result");
    var params = parametersOf(section);
    return post(root.dataset.checkUrl, {query: queryOf(section), parameters: params.parameters}).then(function (r) {
      if (!r.ok) say(out, r.error, false);
      else if (r.valid) say(out, "✓ valid SELECT binding ?object", true);
      else say(out, "✗ " + r.error, false);
    });
  }

  function loadOptions(section) {
    if (section.dataset.optionsLoaded) return;
    section.dataset.optionsLoaded = "1";
    section.querySelectorAll("select[data-facet][multiple]").forEach(function (select) {
      var chosen = (select.dataset.chosen || "").split(/\s+/).filter(Boolean);
      var url = root.dataset.optionsUrl.replace("FACET", select.dataset.facet);
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (r) {
          if (!r.ok) return;
          r.options.forEach(function (o) {
            var option = document.createElement("option");
            option.value = o.value;
            option.textContent = o.label + " (" + o.count + ")";
            option.selected = o.iris.some(function (i) { return chosen.indexOf(i) >= 0; });
            select.appendChild(option);
          });
        });
    });
  }

  function facetState(section) {
    var state = {};
    section.querySelectorAll("[data-facet]").forEach(function (el) {
      var name = el.dataset.facet;
      if (el.multiple) state[name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
      else if (el.type === "checkbox") state[name] = el.checked;
      else state[name] = el.value;
    });
    return state;
  }

  function writeSparql(section) {
    var out = section.querySelector(".facet-result");
    return post(root.dataset.facetsUrl, facetState(section)).then(function (r) {
      if (!r.ok) { say(out, r.error, false); return; }
      setQuery(section, r.query);
      setParameters(section, r.parameters, r.arguments);
      section.querySelector("input.facet-state").value = JSON.stringify(r.facets);
      say(out, "✓ query written with " + r.parameters.length + " parameter(s): see the SPARQL editor", true);
      tryQuery(section);
    });
  }

  function tryQuery(section) {
    var out = section.querySelector(".try-result");
    var list = section.querySelector("ol.try-objects");
    var params = parametersOf(section);
    var pinned = section.querySelector("textarea.pinned").value.split(/\s+/).filter(Boolean);
    var budget = document.querySelector('[name="time_budget"]').value;
    say(out, "running…", true);
    return post(root.dataset.tryUrl, {query: queryOf(section), parameters: params.parameters, arguments: params.arguments,
                                      pinned: pinned, time_budget: budget,
                                      limit: section.querySelector('[name$="-limit"]').value}).then(function (r) {
      list.textContent = "";
      if (!r.ok) { say(out, r.error, false); return; }
      say(out, r.count + " objects", true);
      r.objects.forEach(function (o) {
        var li = document.createElement("li");
        li.dataset.iri = o.iri;
        var title = document.createElement("span");
        title.className = "title";
        title.textContent = o.title + (o.museum ? " · " + o.museum : "");  // museum text: never HTML
        var pin = document.createElement("button");
        pin.type = "button";
        pin.className = "pin";
        pin.textContent = pinned.indexOf(o.iri) >= 0 ? "pinned" : "Pin";
        pin.disabled = pinned.indexOf(o.iri) >= 0;
        pin.addEventListener("click", function () {
          var area = section.querySelector("textarea.pinned");
          area.value = (area.value.trim() ? area.value.trim() + "\n" : "") + o.iri;
          pin.textContent = "pinned";
          pin.disabled = true;
        });
        li.appendChild(title);
        li.appendChild(pin);
        list.appendChild(li);
      });
    });
  }

  function move(section, up) {
    var other = up ? section.previousElementSibling : section.nextElementSibling;
    if (!other || !other.classList.contains("section") || other.classList.contains("new-section")) return;
    if (up) section.parentNode.insertBefore(section, other);
    else section.parentNode.insertBefore(other, section);
  }

  root.querySelectorAll("fieldset.section").forEach(function (section) {
    section.querySelectorAll(".tab").forEach(function (t) {
      t.addEventListener("click", function () { showTab(section, t.dataset.tab); });
    });
    section.querySelector(".write-sparql").addEventListener("click", function () { writeSparql(section); });
    section.querySelector(".check").addEventListener("click", function () { check(section); });
    section.querySelector(".try").addEventListener("click", function () { tryQuery(section); });
    var up = section.querySelector(".move-up"), down = section.querySelector(".move-down");
    if (up) up.addEventListener("click", function () { move(section, true); });
    if (down) down.addEventListener("click", function () { move(section, false); });
    var selected = section.querySelector('.tab[aria-selected="true"]');
    showTab(section, selected ? selected.dataset.tab : "facets");
  });
  document.getElementById("editor").addEventListener("submit", function () {
    Object.keys(editors).forEach(function (key) {
      var section = root.querySelector('fieldset.section[data-key="' + key + '"]');
      section.querySelector("textarea.query").value = editors[key].getValue();
    });
  });
})();
