// nnbook: pre-rendered demos (nnbook.widgets.StaticDemo). Each control picks a grid position; the
// figure shown is the frame of the current combination. Plain JavaScript, nothing is fetched.
(function () {
  "use strict";
  function wire(root) {
    var dataNode = root.querySelector("script.nnbook-demo-data");
    var img = root.querySelector("img.nnbook-demo-frame");
    if (!dataNode || !img) return;
    var data = JSON.parse(dataNode.textContent);
    var inputs = data.names.map(function (name) {
      return root.querySelector('[data-name="' + name + '"]');
    });
    function update() {
      var flat = 0;
      inputs.forEach(function (input, k) {
        flat = flat * data.sizes[k] + parseInt(input.value, 10);
        if (input.type === "range") {
          var values = JSON.parse(input.getAttribute("data-values"));
          var out = input.parentNode.querySelector("output");
          if (out) out.textContent = values[parseInt(input.value, 10)];
        }
      });
      img.src = "data:image/png;base64," + data.frames[data.index[flat]];
      root.setAttribute("data-frame", String(data.index[flat]));
    }
    inputs.forEach(function (input) {
      input.addEventListener("input", update);
      input.addEventListener("change", update);
    });
    update();
  }
  function wireAll() {
    document.querySelectorAll("div.nnbook-demo").forEach(wire);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
})();

// The ipywidgets HTML manager typesets widget labels with the MathJax 2 API
// (MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])); the book loads MathJax 3, which has no
// Hub. Serve those calls with MathJax 3's typesetPromise once MathJax 3 has loaded.
(function () {
  "use strict";
  function install() {
    var mj = window.MathJax;
    if (!mj || !mj.version || mj.Hub) return;
    mj.Hub = {
      Queue: function () {
        for (var i = 0; i < arguments.length; i++) {
          var job = arguments[i];
          if (Array.isArray(job) && job[0] === "Typeset" && mj.typesetPromise) {
            mj.typesetPromise(job[2] ? [job[2]] : undefined).catch(function () {});
          } else if (typeof job === "function") {
            job();
          }
        }
      },
      Config: function () {},
      Configured: function () {},
      Register: { StartupHook: function () {}, MessageHook: function () {} },
      processSectionDelay: 0,
    };
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
  window.addEventListener("load", install);
  var tries = 0;
  var timer = setInterval(function () {
    install();
    if ((window.MathJax && window.MathJax.Hub) || ++tries > 100) clearInterval(timer);
  }, 50);
})();
