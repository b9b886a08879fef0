/* rOK dashboard: render the Vega-Lite specs embedded as JSON, and the arrow keys
   of the presentation mode. No eval: the CSP has no 'unsafe-eval', so charts use
   Vega's AST interpreter (ast: true, expr: vegaExpressionInterpreter). */
(function () {
  "use strict";

  function renderCharts() {
    if (typeof window.vegaEmbed !== "function") {
      return;
    }
    var nodes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(nodes, function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var spec;
      try {
        spec = JSON.parse(source.textContent);
      } catch (err) {
        return;
      }
      window.vegaEmbed(el, spec, {
        actions: false,
        ast: true,
        expr: window.vegaExpressionInterpreter,
        renderer: "svg",
        defaultStyle: false,
        tooltip: { disableDefaultStyle: true }
      }).then(function () {
        el.classList.add("chart-ready");
      }).catch(function (err) {
        el.classList.add("chart-failed");
        if (window.console) {
          window.console.warn("rOK: chart could not be drawn", err);
        }
      });
    });
  }

  function bindSlides() {
    var slide = document.querySelector(".slide[data-prev]");
    if (!slide) {
      return;
    }
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      var tag = (event.target && event.target.tagName) || "";
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
        return;
      }
      var target = null;
      if (event.key === "ArrowRight" || event.key === "PageDown") {
        target = slide.getAttribute("data-next");
      } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
        target = slide.getAttribute("data-prev");
      }
      if (target) {
        event.preventDefault();
        window.location.assign(target);
      }
    });
  }

  function start() {
    renderCharts();
    bindSlides();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
