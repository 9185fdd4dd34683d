// The console's one script, progressive enhancement only: every page works without it.
// On the sign-in page it polls the QR ticket and goes on by itself once the phone approved it.
(function () {
  var form = document.getElementById("signin");
  if (!form || !form.dataset.poll) return;
  var url = form.dataset.poll;
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (answer.status === "approved") { form.submit(); return; }
        if (answer.status === "expired") { window.location.replace("/console/login?expired=1"); return; }
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
