// Live progress of jobs: polls each job's status every second and moves its bar; the page reloads
// when a job ends (so that its download link appears). Without this script, the page refreshes itself.
(function () {
  "use strict";
  var ACTIVE = ["queued", "running", "cancelling"];
  var boxes = Array.prototype.filter.call(document.querySelectorAll("[data-job-status]"), function (box) {
    return ACTIVE.indexOf(box.getAttribute("data-state")) >= 0;
  });
  if (!boxes.length) return;
  var meta = document.querySelector('meta[http-equiv="refresh"]');
  if (meta) meta.parentNode.removeChild(meta);
  function poll(box) {
    fetch(box.getAttribute("data-job-status"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) return;
        var bar = box.querySelector("progress");
        if (bar && job.rows_total) { bar.max = job.rows_total; bar.value = job.rows_done; }
        if (ACTIVE.indexOf(job.status) < 0) { window.location.reload(); return; }
        window.setTimeout(function () { poll(box); }, 1000);
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 5000); });
  }
  boxes.forEach(poll);
})();
