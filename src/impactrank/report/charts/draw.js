/* Draws every Plotly figure whose JSON sits in a script element of type application/json naming its chart: the
   report inlines this script, the dashboard and the static site serve it as /static/app.js. A figure's title is
   broken into lines as wide as its chart (again when the window's width changes), so that a long title wraps on
   a phone instead of running off the chart. */
(function () {
  var drawn = [];
  var canvas = null;
  function titleLines(text, room, font) {
    canvas = canvas || document.createElement("canvas");
    var ctx = canvas.getContext("2d");
    ctx.font = font;
    var lines = [], line = "";
    text.split(" ").forEach(function (word) {
      var next = line ? line + " " + word : word;
      if (line && ctx.measureText(next).width > room) { lines.push(line); line = word; } else { line = next; }
    });
    if (line) { lines.push(line); }
    return lines.join("\u003cbr\u003e");  // a line break, written without markup
  }
  function fitted(target, fig) {
    var title = fig.layout.title;
    var size = (title.font && title.font.size) || 16;
    var family = (fig.layout.font && fig.layout.font.family) || "sans-serif";
    var pad = title.pad || {};
    var room = target.clientWidth - (pad.l || 0) - (pad.r || 0) - 10;
    return titleLines(fig.title, room, size + "px " + family);
  }
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll('script[type="application/json"][data-figure-for]').forEach(function (node) {
      var target = document.getElementById(node.getAttribute("data-figure-for"));
      if (!target) { return; }
      var fig = JSON.parse(node.textContent);
      var fallback = target.querySelector(".static-chart");
      fig.title = fig.layout.title && fig.layout.title.text;
      if (fig.title) { fig.layout.title.text = fitted(target, fig); }
      Plotly.newPlot(target, fig.data, fig.layout, {responsive: true, displaylogo: false, displayModeBar: false}).then(function () {
        if (fallback) { fallback.remove(); }
        target.setAttribute("data-rendered", "true");
        if (fig.title) { drawn.push({target: target, fig: fig}); }
      });
    });
  }
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      drawn.forEach(function (d) { Plotly.relayout(d.target, {"title.text": fitted(d.target, d.fig)}); });
    }, 100);
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
