// Quick exit: leave without a history entry to come back to. The link works without this script.
// As in the GOV.UK "exit this page" pattern, pressing Shift three times quickly also leaves.
(function () {
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  var presses = [];
  function leave(event) {
    if (event) { event.preventDefault(); }
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 1000; });
    presses.push(now);
    if (presses.length >= 3) { leave(); }
  });
})();
