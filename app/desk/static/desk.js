// Keyboard review on the queue page: j/k move between records, a approves, r rejects,
// e opens the correction form. Plain JavaScript; nothing here reads article text.
(function () {
  "use strict";
  var queue = document.querySelector("[data-queue]");
  if (!queue) { return; }
  var items = Array.prototype.slice.call(queue.querySelectorAll(".queue-item"));
  if (!items.length) { return; }
  var current = 0;

  function select(index) {
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item, i) { item.classList.toggle("current", i === current); });
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  }

  function press(key) {
    var target = items[current].querySelector('[data-key="' + key + '"]');
    if (target) { target.click(); }
  }

  var at = parseInt(new URLSearchParams(window.location.search).get("at") || "0", 10);
  select(isNaN(at) ? 0 : at);

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    var actions = {
      j: function () { select(current + 1); },
      k: function () { select(current - 1); },
      a: function () { press("a"); },
      r: function () { press("r"); },
      e: function () { press("e"); }
    };
    var action = actions[event.key];
    if (action) { event.preventDefault(); action(); }
  });
  items.forEach(function (item, i) {
    item.addEventListener("focusin", function () {
      current = i;
      items.forEach(function (other, j) { other.classList.toggle("current", j === i); });
    });
  });
})();
