/* SROM Hub workbench at /sparql: the YASQE editor (vendored) with the hub's prefixes predeclared and
 * completion from /sparql/complete, the example gallery, running through the endpoint itself, errors
 * with line and column, the views (views.js), share links in the URL fragment, downloads in the
 * endpoint's formats, and the way into the curator's editor.
 *
 * Links carry the query in the fragment, never in the query string (GET /sparql?query= is the protocol):
 * #query=<text>&view=Map (readable), #z=<deflate-raw, base64url> (short), #example=<id>.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("wb-data").textContent);
  var words = JSON.parse(document.getElementById("wb-words").textContent);
  var V = window.SromWorkbenchViews;
  var $ = function (id) { return document.getElementById(id); };
  var textarea = $("query"), status = $("wb-status"), errorBox = $("wb-error"), results = $("wb-results");
  var state = { data: null, view: "Table", cleanup: null, prologueLines: 0, headLines: 0 };

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (_, k) { return values[k] === undefined ? "" : values[k]; });
  }

  /* --- the editor -------------------------------------------------------------------------------- */

  // Predeclare the hub's prefixes in the tokenizer's start state: valid queries show no error marks.
  window.sromPredeclarePrefixes(window.Yasqe, data.prefixes);

  var hintLabels = {};
  function toPrefixed(iri) {
    var short = V.shorten(iri, data.prefixes);
    return short === iri ? "<" + iri + ">" : short;
  }

  function fetchTerms(kind) {
    return function (yasqe, token) {
      var q = token && (token.autocompletionString || token.string);
      if (!q || !q.trim() || /^[?$]/.test(q)) return Promise.resolve([]);
      var url = data.complete + "?" + new URLSearchParams({ q: q.trim(), kind: kind, lang: document.documentElement.lang || "en" });
      return fetch(url).then(function (r) { return r.json(); }).then(function (body) {
        return (body.results || []).map(function (t) {
          hintLabels[toPrefixed(t.iri)] = t.label + (t.detail ? " (" + t.detail + ")" : "");
          return t.iri;
        });
      }).catch(function () { return []; });
    };
  }

  function labelHints(yasqe, hints) {
    return hints.map(function (h) {
      var label = hintLabels[h.text];
      return label ? Object.assign({}, h, { displayText: h.text + "  —  " + label }) : h;
    });
  }

  function postProcess(yasqe, token, suggestion) { return toPrefixed(suggestion); }

  window.Yasqe.forkAutocompleter("class", {
    name: "srom-class", get: fetchTerms("class"), postProcessSuggestion: postProcess, postprocessHints: labelHints,
    autoShow: true, persistenceId: null
  }, false);
  window.Yasqe.forkAutocompleter("property", {
    name: "srom-property", get: fetchTerms("property"), postProcessSuggestion: postProcess, postprocessHints: labelHints,
    autoShow: true, persistenceId: null
  }, false);
  // Anywhere else, Ctrl+Space after a word: thesaurus concepts by a label in any language ("silk", "丝绸",
  // "Seide") and the model's classes and properties by name ("E22", "produced").
  window.Yasqe.forkAutocompleter("class", {
    name: "srom-concept", get: fetchTerms(""), postProcessSuggestion: postProcess, postprocessHints: labelHints,
    autoShow: false, persistenceId: null,
    // the tokenizer splits an unknown word (丝绸) into error tokens: take the word before the cursor
    preProcessToken: function (yasqe, token) {
      var cursor = yasqe.getDoc().getCursor(), word = wordBefore(yasqe);
      token.string = word;
      token.autocompletionString = word;
      token.from = { line: cursor.line, ch: cursor.ch - word.length };
      token.to = { line: cursor.line, ch: cursor.ch };
      return token;
    },
    isValidCompletionPosition: function (yasqe) {
      var word = wordBefore(yasqe);
      return word.length >= 2 && !/^(select|where|filter|optional|prefix|limit|order|group|by|distinct|union|as)$/i.test(word);
    }
  }, false);

  function wordBefore(yasqe) {
    var cursor = yasqe.getDoc().getCursor();
    var m = /([^\s?$"'<>:{}()[\].;,#@^=!&|/*+]+)$/.exec(yasqe.getLine(cursor.line).slice(0, cursor.ch));
    return m ? m[1] : "";
  }

  var holder = document.createElement("div");
  holder.className = "wb-editor";
  textarea.parentNode.insertBefore(holder, textarea);
  textarea.hidden = true;
  textarea.required = false;
  var yasqe = new window.Yasqe(holder, {
    value: textarea.value, persistenceId: null, showQueryButton: false, resizeable: true, editorHeight: "320px",
    createShareableLink: null, consumeShareLink: null,
    autocompleters: ["prefixes", "variables", "srom-class", "srom-property", "srom-concept"],
    extraKeys: {
      "Ctrl-Enter": function () { run(); }, "Cmd-Enter": function () { run(); },
      "Ctrl-Space": function (cm) { cm.autocomplete(); },
      "Esc": function () { $("wb-run").focus(); }
    }
  });
  window.sromWorkbench = { yasqe: yasqe };
  yasqe.getInputField().setAttribute("aria-label", "SPARQL");
  yasqe.on("change", function () {
    textarea.value = yasqe.getValue();
    clearErrorMark();
    updateDownloads();
  });

  /* --- prefixes the query uses but does not declare (sent, never inserted into the editor) -------- */

  function prologueFor(text) {
    var body = text.split("\n").filter(function (l) { return !/^\s*#/.test(l); }).join("\n")
      .replace(/<[^>\s]*>/g, "<>").replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
    var declared = {}, used = {}, m;
    var decl = /^\s*PREFIX\s+([A-Za-z][\w-]*)?:/gim;
    while ((m = decl.exec(text))) declared[m[1] || ""] = true;
    var use = /(^|[^\w:<"'?$@-])([A-Za-z][\w-]*):/g;
    while ((m = use.exec(body))) used[m[2]] = true;
    return Object.keys(data.prefixes).filter(function (p) { return used[p] && !declared[p]; })
      .map(function (p) { return "PREFIX " + p + ": <" + data.prefixes[p] + ">"; });
  }

  function fullText() {
    var text = yasqe.getValue();
    var lines = text.split("\n"), head = 0;
    while (head < lines.length && /^\s*#/.test(lines[head])) head++;
    var prologue = prologueFor(text);
    state.headLines = head;
    state.prologueLines = prologue.length;
    return lines.slice(0, head).concat(prologue, lines.slice(head)).join("\n");
  }

  /* --- the gallery ---------------------------------------------------------------------------------- */

  function example(id) {
    return data.examples.filter(function (e) { return e.id === id; })[0];
  }

  function defaultView(text) {
    var m = /^\s*#\s*defaultView\s*:\s*(\w+)/im.exec(text);
    if (!m) return "Table";
    var found = V.order.filter(function (v) { return v.toLowerCase() === m[1].toLowerCase(); })[0];
    return found || "Table";
  }

  function load(text, view) {
    yasqe.setValue(text);
    state.view = view || defaultView(text);
    clearResults();
  }

  Array.prototype.forEach.call(document.querySelectorAll(".wb-example"), function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var ex = example(a.getAttribute("data-example"));
      load(ex.query, ex.view);
      history.replaceState(null, "", "#example=" + ex.id);
      document.querySelectorAll(".wb-example[aria-current]").forEach(function (x) { x.removeAttribute("aria-current"); });
      a.setAttribute("aria-current", "true");
      yasqe.focus();
    });
  });
  $("wb-example-filter").addEventListener("input", function (ev) {
    var q = ev.target.value.trim().toLowerCase();
    document.querySelectorAll("#wb-example-list li").forEach(function (li) {
      li.hidden = q && li.textContent.toLowerCase().indexOf(q) < 0;
    });
  });

  /* --- running --------------------------------------------------------------------------------------- */

  function parseNTriples(text) {
    var term = /\s*(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?)/y;
    function read(token) {
      if (token[0] === "<") return { type: "uri", value: token.slice(1, -1) };
      if (token[0] === "_") return { type: "bnode", value: token.slice(2) };
      var m = /^"((?:[^"\\]|\\.)*)"(?:@([\w-]+)|\^\^<([^>]*)>)?$/.exec(token);
      var value = JSON.parse('"' + m[1].replace(/\\U([0-9A-Fa-f]{8})/g, function (_, h) {
        return String.fromCodePoint(parseInt(h, 16)).split("").map(function (c) {
          return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
        }).join("");
      }) + '"');
      var t = { type: "literal", value: value };
      if (m[2]) t["xml:lang"] = m[2];
      if (m[3]) t.datatype = m[3];
      return t;
    }
    var rows = [];
    text.split("\n").forEach(function (line) {
      if (!line.trim() || line.trim()[0] === "#") return;
      term.lastIndex = 0;
      var parts = [];
      for (var i = 0; i < 3; i++) {
        var m = term.exec(line);
        if (!m) return;
        parts.push(read(m[1]));
      }
      rows.push({ subject: parts[0], predicate: parts[1], object: parts[2] });
    });
    return { kind: "graph", vars: ["subject", "predicate", "object"], rows: rows };
  }

  function post(extra, accept) {
    var body = new URLSearchParams(Object.assign({ query: fullText() }, extra || {}));
    return fetch(data.endpoint, {
      method: "POST", body: body,
      headers: { "Accept": accept || "application/sparql-results+json, application/n-triples;q=0.9" }
    });
  }

  function run() {
    clearErrorMark();
    clearResults();
    errorBox.hidden = true;
    status.textContent = words.running;
    $("wb-run").disabled = true;
    var started = performance.now();
    return post().then(function (response) {
      var seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (!response.ok) return response.text().then(function (text) { showError(response, text); });
      var type = response.headers.get("Content-Type") || "";
      var truncated = response.headers.get("X-SROM-Truncated") === "true";
      return response.text().then(function (text) {
        var result;
        if (type.indexOf("n-triples") >= 0) result = parseNTriples(text);
        else {
          var json = JSON.parse(text);
          result = "boolean" in json ? { kind: "ask", boolean: json.boolean, vars: [], rows: [] }
            : { kind: "select", vars: json.head.vars, rows: json.results.bindings };
        }
        state.data = result;
        if (result.kind === "ask") status.textContent = result.boolean ? words.yes : words.no;
        else status.textContent = format(result.kind === "graph" ? words.triples : words.rows, { n: result.rows.length, s: seconds });
        if (truncated) {
          var cut = document.createElement("p");
          cut.className = "wb-truncated";
          cut.textContent = format(words.truncated, { n: response.headers.get("X-SROM-Row-Limit") || data.limits.rows });
          status.appendChild(cut);
        }
        // the view chosen (tab, link, example) if it fits, else the query's #defaultView:, else the table
        show([state.view, defaultView(yasqe.getValue()), "Table"].filter(function (v) {
          return V.views[v] && V.views[v].fits(result);
        })[0]);
      });
    }).catch(function (err) {
      status.textContent = "";
      errorBox.hidden = false;
      errorBox.textContent = words.network + " " + (err && err.message ? err.message : "");
    }).then(function () { $("wb-run").disabled = false; });
  }

  /* --- errors ---------------------------------------------------------------------------------------- */

  var marked = null;
  function clearErrorMark() {
    if (marked !== null) { yasqe.removeLineClass(marked, "background", "wb-error-line"); marked = null; }
  }

  function showError(response, text) {
    status.textContent = "";
    errorBox.hidden = false;
    errorBox.textContent = "";
    var retry = response.headers.get("Retry-After") || "";
    var title = document.createElement("strong");
    var message = text.trim();
    if (response.status === 429) title.textContent = format(words.budget, { s: retry || 60 });
    else if (response.status === 503 && /time limit/i.test(message)) title.textContent = format(words.timeout, { s: data.limits.timeout });
    else if (response.status === 503 && retry) title.textContent = format(words.busy, { s: retry });
    else title.textContent = words.error + " (" + response.status + ")";
    errorBox.setAttribute("data-status", String(response.status));
    var m = /line (\d+),? column (\d+)/i.exec(message) || /(?:at|position)\s+(\d+):(\d+)/i.exec(message);
    if (m && response.status === 400) {
      var line = parseInt(m[1], 10), column = parseInt(m[2], 10);
      // the sent text had PREFIX lines added after the leading comments: map back to the editor's lines
      if (line > state.headLines + state.prologueLines) line -= state.prologueLines;
      else if (line > state.headLines) line = state.headLines + 1;
      title.textContent = format(words.syntax, { line: line, column: column });
      var source = yasqe.getLine(line - 1);
      if (source !== undefined) {
        marked = line - 1;
        yasqe.addLineClass(marked, "background", "wb-error-line");
        yasqe.scrollIntoView({ line: marked, ch: 0 });
        var pre = document.createElement("pre");
        pre.className = "wb-error-source";
        pre.textContent = line + " | " + source + "\n" + " ".repeat(String(line).length + 3 + Math.max(0, column - 1)) + "^";
        errorBox.appendChild(title);
        errorBox.appendChild(pre);
      } else errorBox.appendChild(title);
    } else errorBox.appendChild(title);
    var detail = document.createElement("p");
    detail.textContent = message;
    errorBox.appendChild(detail);
  }

  /* --- views ----------------------------------------------------------------------------------------- */

  function clearResults() {
    if (state.cleanup) { try { state.cleanup(); } catch (e) { /* already gone */ } }
    state.cleanup = null;
    state.data = null;
    results.textContent = "";
    document.querySelectorAll(".wb-view").forEach(function (b) { b.disabled = true; b.setAttribute("aria-selected", "false"); });
  }

  function show(view) {
    if (state.cleanup) { try { state.cleanup(); } catch (e) { /* already gone */ } }
    results.textContent = "";
    state.view = view;
    var d = state.data;
    document.querySelectorAll(".wb-view").forEach(function (b) {
      var name = b.getAttribute("data-view");
      b.disabled = !d || !V.views[name].fits(d);
      b.setAttribute("aria-selected", name === view ? "true" : "false");
      b.tabIndex = name === view ? 0 : -1;
    });
    if (!d) return;
    if (d.kind === "ask") return;
    if (!d.rows.length) { results.textContent = words.nothing; return; }
    var ctx = { prefixes: data.prefixes, words: words, format: format, routes: data.routes };
    state.cleanup = V.views[view].draw(results, d, ctx) || null;
    results.setAttribute("data-view", view);
  }

  var tabs = Array.prototype.slice.call(document.querySelectorAll(".wb-view"));
  tabs.forEach(function (b, i) {
    b.addEventListener("click", function () { if (!b.disabled) show(b.getAttribute("data-view")); });
    b.addEventListener("keydown", function (ev) {
      if (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft") return;
      var step = ev.key === "ArrowRight" ? 1 : -1;
      for (var j = 1; j <= tabs.length; j++) {
        var next = tabs[(i + step * j + tabs.length * j) % tabs.length];
        if (!next.disabled) { next.focus(); show(next.getAttribute("data-view")); break; }
      }
      ev.preventDefault();
    });
  });

  $("wb-form").addEventListener("submit", function (ev) { ev.preventDefault(); run(); });

  /* --- share links --------------------------------------------------------------------------------- */

  function base64url(bytes) {
    var s = "";
    bytes.forEach(function (b) { s += String.fromCharCode(b); });
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(text) {
    var s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(s, function (c) { return c.charCodeAt(0); });
  }

  function pipe(bytes, stream) {
    return new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }

  function here() { return location.origin + location.pathname; }

  function readableLink() {
    return here() + "#" + new URLSearchParams({ query: yasqe.getValue(), view: state.view }).toString();
  }

  function shortLink() {
    var text = yasqe.getValue();
    var ex = data.examples.filter(function (e) { return e.query === text; })[0];
    if (ex) return Promise.resolve(here() + "#example=" + ex.id + "&view=" + state.view);
    if (typeof CompressionStream !== "function") return Promise.resolve(readableLink());
    var json = new TextEncoder().encode(JSON.stringify({ q: text, v: state.view }));
    return pipe(json, new CompressionStream("deflate-raw")).then(function (z) { return here() + "#z=" + base64url(z); });
  }

  function offer(url) {
    $("wb-share-box").hidden = false;
    var input = $("wb-share-url");
    input.value = url;
    input.focus();
    input.select();
  }

  $("wb-share").addEventListener("click", function () { offer(readableLink()); });
  $("wb-short").addEventListener("click", function () { shortLink().then(offer); });
  $("wb-copy").addEventListener("click", function () {
    var input = $("wb-share-url");
    input.select();
    (navigator.clipboard ? navigator.clipboard.writeText(input.value) : Promise.reject()).catch(function () {
      document.execCommand("copy");
    }).then(function () { $("wb-copy").textContent = words.copied; });
  });

  function openFromHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    var view = params.get("view");
    if (view && V.order.indexOf(view) < 0) view = null;
    if (params.get("z")) {
      return pipe(fromBase64url(params.get("z")), new DecompressionStream("deflate-raw")).then(function (bytes) {
        var saved = JSON.parse(new TextDecoder().decode(bytes));
        load(saved.q, V.order.indexOf(saved.v) >= 0 ? saved.v : null);
        return run();
      }).catch(function () { /* a damaged link: keep the default query */ });
    }
    if (params.get("query")) {
      load(params.get("query"), view);
      return run();
    }
    var ex = params.get("example") && example(params.get("example"));
    if (ex) {
      load(ex.query, view || ex.view);
      var a = document.querySelector('.wb-example[data-example="' + ex.id + '"]');
      if (a) a.setAttribute("aria-current", "true");
      if (view) return run();
    }
    return Promise.resolve();
  }

  /* --- downloads and the curator's editor ----------------------------------------------------------- */

  function queryKind() {
    var type = (yasqe.getQueryType && yasqe.getQueryType()) || "SELECT";
    return type === "CONSTRUCT" || type === "DESCRIBE" ? "graph" : "results";
  }

  function updateDownloads() {
    var kind = queryKind();
    Array.prototype.forEach.call($("wb-download").options, function (o) {
      if (o.value) o.disabled = o.getAttribute("data-kind") !== kind;
    });
  }

  $("wb-download").addEventListener("change", function (ev) {
    var name = ev.target.value;
    ev.target.value = "";
    if (!name) return;
    post({ format: name }, "*/*").then(function (response) {
      if (!response.ok) return response.text().then(function (text) { showError(response, text); });
      return response.blob().then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = "query." + data.formats[name].extension;
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      });
    });
  });

  $("wb-curate").addEventListener("click", function () {
    $("wb-curate").href = data.curate + "?" + new URLSearchParams({ query: fullText() }).toString();
  });
  $("wb-curate").title = words.curate;

  updateDownloads();
  openFromHash();
})();
