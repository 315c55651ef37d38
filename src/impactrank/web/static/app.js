/* Draws every Plotly figure whose JSON sits in a <script type="application/json" data-figure-for="ID">. */
(function () {
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll('script[type="application/json"][data-figure-for]').forEach(function (node) {
      var target = document.getElementById(node.getAttribute("data-figure-for"));
      if (!target) { return; }
      var fig = JSON.parse(node.textContent);
      var fallback = target.querySelector(".static-chart");
      Plotly.newPlot(target, fig.data, fig.layout, {responsive: true, displaylogo: false, displayModeBar: false}).then(function () {
        if (fallback) { fallback.remove(); }
        target.setAttribute("data-rendered", "true");
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
