/* The exhibition editor: sections that open and close, adding a section, the facet builder (its choices
   one row each), the SPARQL editor (YASQE, vendored, with the hub's prefixes), syntax check, trying a
   query (with dates), pinning objects, ordering sections, picking a cover from the objects, and a
   warning about unsaved changes (publishing publishes only what is saved). The form works without this
   script (plain textareas); the script only helps. Every request carries the session's CSRF token; no
   request leaves this hub. The words it shows come translated from the page (#curate-data). */
(function () {
  "use strict";
  var root = document.getElementById("curate-editor");
  if (!root) return;
  var form = document.getElementById("editor");
  var page = JSON.parse(document.getElementById("curate-data").textContent);
  var words = page.words;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var editors = {};  // section key -> YASQE instance
  window.sromEditors = editors;
  if (window.sromPredeclarePrefixes) window.sromPredeclarePrefixes(window.Yasqe, page.prefixes);

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (_, k) { return values[k] === undefined ? "" : values[k]; });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); });
  }

  function getJson(url) {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); });
  }

  function say(el, text, good) {
    el.textContent = text;
    el.classList.toggle("good", !!good);
    el.classList.toggle("bad", !good);
  }

  /* --- unsaved changes: a notice, the standalone "Publish revision N" disabled, a warning on leaving -- */
  var dirty = !document.getElementById("unsaved-notice").hidden;
  function markDirty() {
    if (dirty) return;
    dirty = true;
    document.getElementById("unsaved-notice").hidden = false;
    var publish = document.getElementById("publish");
    if (publish) publish.disabled = true;
  }
  if (dirty && document.getElementById("publish")) document.getElementById("publish").disabled = true;
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return undefined;
    event.preventDefault();
    event.returnValue = words.leave;  // browsers show their own wording
    return words.leave;
  });

  /* --- one section ------------------------------------------------------------------------------ */
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
    parameters.forEach(function (p, i) {
      var tr = blank.cloneNode(true);
      tr.classList.remove("blank");
      tr.querySelector('[name$="-p-name"]').value = p.name;
      tr.querySelector('[name$="-p-name"]').removeAttribute("placeholder");
      tr.querySelector('[name$="-p-type"]').value = p.type;
      tr.querySelector('[name$="-p-label-en"]').value = (p.label || {}).en || "";
      tr.querySelector('[name$="-p-label-zh"]').value = (p.label || {}).zh || "";
      tr.querySelector('[name$="-p-value"]').value = args[p.name] || "";
      tr.querySelectorAll("input, select").forEach(function (el) {
        el.setAttribute("aria-label", el.getAttribute("aria-label") + " " + (i + 1));
      });
      body.insertBefore(tr, blank);
    });
    var summary = section.querySelector(".parameters-box summary");
    summary.textContent = summary.textContent.replace(/\d+/, String(parameters.length));
  }

  function setChoices(section, rows) {
    var body = section.querySelector("table.choices tbody");
    body.textContent = "";
    if (!rows.length) {
      var none = document.createElement("tr");
      none.className = "none";
      var td = document.createElement("td");
      td.colSpan = 3;
      td.textContent = words.noChoice;
      none.appendChild(td);
      body.appendChild(none);
      return;
    }
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.dataset.facet = r.facet;
      [r.name, r.value].forEach(function (text, i) {
        var cell = document.createElement("td");
        if (i === 1) cell.className = "choice";
        cell.textContent = text;  // labels from museums: text, never HTML
        tr.appendChild(cell);
      });
      var names = document.createElement("td");
      r.parameters.forEach(function (n) {
        var code = document.createElement("code");
        code.textContent = "?" + n;
        names.appendChild(code);
        names.appendChild(document.createTextNode(" "));
      });
      tr.appendChild(names);
      body.appendChild(tr);
    });
  }

  function showTab(section, name) {
    section.querySelectorAll(".tab").forEach(function (t) {
      t.setAttribute("aria-selected", t.dataset.tab === name ? "true" : "false");
    });
    section.querySelectorAll(".panel").forEach(function (p) { p.hidden = p.dataset.panel !== name; });
    if (!section.open) return;  // a closed section starts its editor and loads its lists when opened
    if (name === "sparql") startEditor(section);
    if (name === "facets") loadOptions(section);
  }

  function startEditor(section) {
    var key = section.dataset.key;
    if (editors[key]) { editors[key].refresh(); return; }
    if (typeof window.Yasqe !== "function") return;
    var textarea = section.querySelector("textarea.query");
    var holder = document.createElement("div");
    holder.className = "yasqe-holder";
    textarea.parentNode.insertBefore(holder, textarea);
    // Offline: no remote autocompleters (LOV), no query button, no persistence between pages.
    // No keyboard trap: Tab and Shift-Tab move the focus on as everywhere else on the page (not handled
    // by the editor), and Esc goes to the "Check syntax" button.
    var yasqe = new window.Yasqe(holder, {
      value: textarea.value, persistenceId: null, showQueryButton: false, resizeable: true,
      autocompleters: ["prefixes", "variables"], editorHeight: "280px",
      createShareableLink: null, consumeShareLink: null,
      extraKeys: {"Tab": false, "Shift-Tab": false,
                  "Esc": function () { section.querySelector("button.check").focus(); }}
    });
    yasqe.getInputField().setAttribute("aria-label", section.querySelector('label[for^="query-"]').textContent);
    textarea.hidden = true;
    yasqe.on("change", function () {
      if (textarea.value !== yasqe.getValue()) markDirty();
      textarea.value = yasqe.getValue();
      scheduleCheck(section);
    });
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
      else if (r.valid) say(out, words.valid, true);
      else say(out, "✗ " + r.error, false);
    });
  }

  function loadOptions(section) {
    if (section.dataset.optionsLoaded) return;
    section.dataset.optionsLoaded = "1";
    section.querySelectorAll("select[data-facet][multiple]").forEach(function (select) {
      var chosen = (select.dataset.chosen || "").split(/\s+/).filter(Boolean);
      getJson(root.dataset.optionsUrl.replace("FACET", select.dataset.facet)).then(function (r) {
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
      if (el.tagName === "TR") return;  // a row of the choices table
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
      setChoices(section, r.choices);
      section.querySelector("input.facet-state").value = JSON.stringify(r.facets);
      markDirty();
      say(out, format(words.written, {n: r.parameters.length}), true);
      tryQuery(section);
    });
  }

  function tryQuery(section) {
    var out = section.querySelector(".try-result");
    var list = section.querySelector("ol.try-objects");
    var params = parametersOf(section);
    var pinned = section.querySelector("textarea.pinned").value.split(/\s+/).filter(Boolean);
    var budget = document.querySelector('[name="time_budget"]').value;
    say(out, words.running, true);
    return post(root.dataset.tryUrl, {query: queryOf(section), parameters: params.parameters, arguments: params.arguments,
                                      pinned: pinned, time_budget: budget,
                                      limit: section.querySelector('[name$="-limit"]').value}).then(function (r) {
      list.textContent = "";
      if (!r.ok) { say(out, r.error, false); return; }
      say(out, format(words.objects, {n: r.count}), true);
      r.objects.forEach(function (o) {
        var li = document.createElement("li");
        li.dataset.iri = o.iri;
        var title = document.createElement("span");
        title.className = "title";
        title.textContent = o.title;  // museum text: never HTML
        var when = document.createElement("span");
        when.className = "date";
        when.textContent = o.date || "";
        var museum = document.createElement("span");
        museum.className = "museum";
        museum.textContent = o.museum || "";
        var pin = document.createElement("button");
        pin.type = "button";
        pin.className = "pin";
        pin.textContent = pinned.indexOf(o.iri) >= 0 ? words.pinned : words.pin;
        pin.disabled = pinned.indexOf(o.iri) >= 0;
        pin.setAttribute("aria-label", words.pin + ": " + o.title);
        pin.addEventListener("click", function () {
          var area = section.querySelector("textarea.pinned");
          area.value = (area.value.trim() ? area.value.trim() + "\n" : "") + o.iri;
          pin.textContent = words.pinned;
          pin.disabled = true;
          markDirty();
        });
        [title, when, museum, pin].forEach(function (el) { li.appendChild(el); });
        list.appendChild(li);
      });
    });
  }

  function move(section, up) {
    var other = up ? section.previousElementSibling : section.nextElementSibling;
    if (!other || !other.classList.contains("section")) return;
    if (up) section.parentNode.insertBefore(section, other);
    else section.parentNode.insertBefore(other, section);
    markDirty();
  }

  function setUp(section) {
    section.querySelectorAll(".tab").forEach(function (t) {
      t.addEventListener("click", function () { showTab(section, t.dataset.tab); });
    });
    section.querySelector(".write-sparql").addEventListener("click", function () { writeSparql(section); });
    section.querySelector(".check").addEventListener("click", function () { check(section); });
    section.querySelector(".try").addEventListener("click", function () { tryQuery(section); });
    var up = section.querySelector(".move-up"), down = section.querySelector(".move-down");
    if (up) up.addEventListener("click", function () { move(section, true); });
    if (down) down.addEventListener("click", function () { move(section, false); });
    var discard = section.querySelector(".discard");
    if (discard) discard.addEventListener("click", function () {
      section.remove();
      document.getElementById("add-section").focus();
    });
    function current() {
      var selected = section.querySelector('.tab[aria-selected="true"]');
      showTab(section, selected ? selected.dataset.tab : "facets");
    }
    section.addEventListener("toggle", function () { if (section.open) current(); });
    current();
  }

  root.querySelectorAll("details.section").forEach(setUp);

  /* --- "Add a section": a copy of the page's template, opened, with its own key -------------------- */
  var added = 0;
  document.getElementById("add-section").addEventListener("click", function () {
    added += 1;
    var template = document.getElementById("new-section");
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__KEY__/g, "new" + added);
    var section = holder.querySelector("details.section");
    document.getElementById("sections").appendChild(section);
    section.open = true;
    setUp(section);
    markDirty();
    section.querySelector('[name$="-id"]').focus();
  });

  /* --- a cover picked from the objects' images ---------------------------------------------------- */
  var pick = document.getElementById("pick-cover");
  pick.addEventListener("click", function () {
    var out = document.querySelector(".cover-result");
    var box = document.querySelector(".covers");
    var input = document.getElementById("cover-image");
    say(out, words.loading, true);
    getJson(root.dataset.coversUrl).then(function (r) {
      box.textContent = "";
      if (!r.ok) { say(out, r.error, false); return; }
      if (!r.images.length) { say(out, words.noCover, false); return; }
      say(out, format(words.coverCount, {n: r.images.length}), true);
      r.images.forEach(function (img, i) {
        var label = document.createElement("label");
        label.className = "cover-choice";
        var radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "cover-choice";
        radio.value = img.image;
        radio.checked = input.value ? input.value === img.image : i === 0;
        radio.addEventListener("change", function () { input.value = img.image; markDirty(); });
        var picture = document.createElement("img");
        picture.src = img.image;
        picture.alt = img.title;
        var caption = document.createElement("span");
        caption.textContent = img.title + (i === 0 ? " (" + words.defaultCover + ")" : "");
        [radio, picture, caption].forEach(function (el) { label.appendChild(el); });
        box.appendChild(label);
      });
    });
  });

  form.addEventListener("submit", function () {
    dirty = false;  // saving: nothing is lost by leaving
    Object.keys(editors).forEach(function (key) {
      var section = root.querySelector('details.section[data-key="' + key + '"]');
      if (section) section.querySelector("textarea.query").value = editors[key].getValue();
    });
  });
})();
