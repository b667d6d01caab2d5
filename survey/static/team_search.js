/* The new-wave form: narrow the organisation list as you type. Without it, every
   organisation is listed (each with its teams folded away), and the form works the same. */
(function () {
  "use strict";
  var box = document.querySelector(".team-search");
  var input = document.getElementById("team-search");
  var none = document.getElementById("team-search-none");
  if (!box || !input) { return; }
  box.hidden = false;
  var rows = document.querySelectorAll(".org-choice");
  input.addEventListener("input", function () {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "";
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    if (none) { none.hidden = shown !== 0; }
  });
}());
