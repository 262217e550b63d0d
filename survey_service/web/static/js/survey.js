// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var form = document.getElementById("answers");
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  if (!form) { return; }
  // Switching language on a question page saves this page's answers first.
  document.querySelectorAll("a[data-switch]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "lang:" + link.getAttribute("data-switch");
      form.appendChild(action);
      form.submit();
    });
  });
})();
