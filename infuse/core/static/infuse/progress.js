// Progressive enhancement for task status pages: poll the JSON endpoint and update the
// role="status" region in place. Without JavaScript the page has a plain "Check again" link.
(function () {
  "use strict";
  var region = document.querySelector("[data-progress-url]");
  if (!region || !window.fetch) { return; }
  var url = region.getAttribute("data-progress-url");
  var bar = region.querySelector(".infuse-progress__fill");
  var text = region.querySelector("[data-progress-text]");
  var stateTag = region.querySelector("[data-progress-state]");
  var lastAnnounced = -1;
  function update() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        if (bar && p.percent !== null) { bar.style.width = p.percent + "%"; }
        // Announce in steps of 10% so screen readers are not flooded.
        var step = p.percent === null ? p.done : Math.floor(p.percent / 10);
        if (text && (step !== lastAnnounced || p.finished)) {
          text.textContent = p.summary;
          lastAnnounced = step;
        }
        if (stateTag) { stateTag.textContent = p.state_label; }
        if (p.finished) { window.location.reload(); } else { window.setTimeout(update, 1000); }
      })
      .catch(function () { window.setTimeout(update, 3000); });
  }
  window.setTimeout(update, 1000);
})();
