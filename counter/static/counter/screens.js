/* Clerk screens: behaviour that the Content-Security-Policy lets run (a file, no
   inline script). */
(function () {
  "use strict";

  /* A form is sent once: the second press of Enter or of the button does nothing. */
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.dataset.sent) { e.preventDefault(); return; }
    f.dataset.sent = "1";
    f.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); b.classList.add("sending"); });
  }, true);

  /* A button with data-print prints the page. */
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-print]");
    if (b) { window.print(); }
  });

  /* The session ends after the city's idle limit: show the notice shortly before,
     and go to the login page when it has ended. Any click or key restarts the
     count on the server with the next request, so the notice only counts down. */
  var notice = document.getElementById("session-expiry");
  if (!notice) { return; }
  var left = parseInt(notice.dataset.idleSeconds, 10);
  var warnAt = parseInt(notice.dataset.noticeSeconds, 10);
  if (!(left > 0)) { return; }
  var started = Date.now();
  var timer = window.setInterval(function () {
    var remaining = left - Math.floor((Date.now() - started) / 1000);
    if (remaining <= 0) {
      window.clearInterval(timer);
      window.location.assign(notice.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname));
      return;
    }
    if (remaining <= warnAt) {
      notice.hidden = false;
      var out = notice.querySelector("[data-seconds]");
      if (out) { out.textContent = String(remaining); }
    }
  }, 1000);
  var stay = notice.querySelector("[data-stay]");
  if (stay) {
    stay.addEventListener("click", function () { window.location.reload(); });
  }
})();
