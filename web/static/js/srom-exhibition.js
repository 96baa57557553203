/* SROM Hub: small helpers of the exhibition pages (copy the embed snippet, print the catalogue). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var field = document.getElementById(copy.getAttribute("data-copy"));
      if (!field) return;
      field.select();
      var done = function () { copy.setAttribute("data-copied", "true"); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, done);
      else { try { document.execCommand("copy"); } catch (e) { /* the text stays selected */ } done(); }
      return;
    }
    if (event.target.closest("[data-print]")) window.print();
  });
})();
