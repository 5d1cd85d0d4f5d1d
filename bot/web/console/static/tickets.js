// The live overdue count in the ticket pages' header: asks the server every 30 seconds.
(function () {
  var link = document.getElementById("overdue-live");
  if (!link) return;
  var number = link.querySelector("[data-overdue]");
  async function refresh() {
    try {
      var r = await fetch(link.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!r.ok) return;
      var n = (await r.json()).overdue;
      number.textContent = String(n);
      link.classList.toggle("none", n === 0);
    } catch (e) { /* offline for a moment: keep the last number */ }
  }
  setInterval(refresh, 30000);
  // A select-all box for the bulk actions.
  var all = document.getElementById("select-all");
  if (all) all.addEventListener("change", function () {
    document.querySelectorAll("input[name=ticket]").forEach(function (b) { b.checked = all.checked; });
  });
})();
