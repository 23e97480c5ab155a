/* Draw every .chart[data-spec] with vega-embed (served by the app: /static/vega.js); no other host.
   The element's content (the fallback text) goes only once the chart is drawn; on failure it stays. */
document.addEventListener("DOMContentLoaded", function () {
  if (typeof window.vegaEmbed !== "function") return;
  document.querySelectorAll(".chart[data-spec]").forEach(function (el) {
    var fallback = Array.prototype.slice.call(el.childNodes);
    var view = document.createElement("div");
    view.className = "chart-view";
    view.style.width = "100%";  /* maps fill their container ("width": "container") */
    el.appendChild(view);
    window.vegaEmbed(view, el.getAttribute("data-spec"), {renderer: "svg", actions: false}).then(function () {
      fallback.forEach(function (node) { if (node.parentNode === el) el.removeChild(node); });
      el.classList.add("chart-ready");
    }, function () {
      if (view.parentNode === el) el.removeChild(view);
    });
  });
});
