/* Draws every [data-figure] element with the vendored plotly.js.
 *
 * The element names the id of a json_script block holding a Plotly figure ({data, layout}) built
 * in dashboards/charts.py. Figures are drawn on load and again after htmx swaps in new content.
 */
(function () {
  "use strict";

  var SEPARATORS = { es: ",.", en: ".," };
  var CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  function draw(element) {
    if (element.dataset.drawn === "true" || typeof Plotly === "undefined") {
      return;
    }
    var source = document.getElementById(element.dataset.figure);
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    // Numbers on axes and in hover text with the page language's separators: 1.234,5 in Spanish.
    if (!figure.layout.separators) {
      figure.layout.separators = SEPARATORS[document.documentElement.lang] || ".,";
    }
    element.dataset.drawn = "true";
    Plotly.newPlot(element, figure.data, figure.layout, CONFIG);
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-figure]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
