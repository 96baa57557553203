/* The hub's prefixes predeclared in YASQE's SPARQL tokenizer, so that queries using crm:, la:, skos:,
   srom:... without PREFIX lines (the server adds them) are not marked as errors. One copy for every page
   with a SPARQL editor (the workbench, the curator's editor); the list itself is the server's
   (ontology/namespaces.py PREFIXES), embedded in each page as JSON. */
(function () {
  "use strict";
  var done = false;
  window.sromPredeclarePrefixes = function (Yasqe, prefixes) {
    if (done || !Yasqe || !Yasqe.modes || !Yasqe.modes.sparql11) return;
    done = true;
    var baseMode = Yasqe.modes.sparql11;
    Yasqe.defineMode("sparql11", function (config, parserConfig) {
      var mode = baseMode(config, parserConfig);
      var start = mode.startState;
      mode.startState = function () {
        var s = start.apply(this, arguments);
        for (var p in prefixes) s.prefixes[p] = prefixes[p];
        return s;
      };
      return mode;
    });
  };
})();
