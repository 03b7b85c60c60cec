// Small page behaviours declared by data attributes, so that templates carry no inline handlers
// (the Content-Security-Policy runs no inline script). Listeners sit on the document, so parts of a
// page that htmx swaps in behave the same.
(function () {
  "use strict";

  // <select data-submit-on-change>: choosing an option sends its form.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
      field.form.requestSubmit();
    }
  });

  // <input data-select-on-focus>: focusing the field selects its text, ready to copy.
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-select-on-focus]")) {
      field.select();
    }
  });
})();
