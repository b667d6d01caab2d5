// Respondent pages. Everything works without this script; it only makes things kinder.
// Quick exit: leave through Lantern's own route (which clears this device's answers and
// sends Clear-Site-Data) with location.replace, so this page leaves no history entry.
// As in the GOV.UK "exit this page" pattern, pressing Shift three times quickly also
// leaves, except while typing in a text field (capitals must never throw answers away).
(function () {
  var link = document.getElementById("quick-exit");
  var presses = [];
  function leave(event) {
    if (event) { event.preventDefault(); }
    window.location.replace(link.href);
  }
  function typing() {
    var el = document.activeElement;
    if (!el) { return false; }
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") { return true; }
    return el.tagName === "INPUT" && !/^(radio|checkbox|button|submit|reset|hidden)$/i.test(el.type);
  }
  if (link) {
    link.addEventListener("click", leave);
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift" || typing()) { presses = []; return; }
      var now = Date.now();
      presses = presses.filter(function (t) { return now - t < 1000; });
      presses.push(now);
      if (presses.length >= 3) { leave(); }
    });
  }
  // A page restored from the back-forward cache is refetched, so it shows only what the
  // server still holds for this device (nothing at all after an exit).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });
  // A question left untouched sends the same padded "skip" value as a tapped Skip, so
  // what the phone sends is as long whatever was answered (see survey/question_pages.py).
  document.addEventListener("submit", function (event) {
    var sets = event.target.querySelectorAll("fieldset[data-skip]");
    for (var i = 0; i < sets.length; i++) {
      var name = sets[i].getAttribute("data-name");
      if (!sets[i].querySelector("input:checked")) {
        var blank = document.createElement("input");
        blank.type = "hidden";
        blank.name = name;
        blank.value = sets[i].getAttribute("data-skip");
        sets[i].appendChild(blank);
      }
    }
  });
  // Printing (or saving as PDF) shows the details too.
  window.addEventListener("beforeprint", function () {
    var all = document.querySelectorAll("details");
    for (var i = 0; i < all.length; i++) { all[i].open = true; }
  });
})();
