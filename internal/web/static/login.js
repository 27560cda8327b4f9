// chatpic: the moderator sign-in form sends a solved proof-of-work
// challenge (pow.js) with the name and password. An account that has had
// many failed sign-ins needs one, so that guessing its password is slow
// while its moderator can still sign in; other sign-ins ignore it. Which
// accounts need it is not known in advance, so the form always solves the
// challenge the page carries, starting as the page loads so that it is
// usually done before the password is typed. Without JavaScript the form
// is sent as it is, and a sign-in to an account that needs the puzzle is
// refused with a page saying so. The challenge is in data-signin-*, not in
// the data-pow-* of the posting forms, whose handler in app.js would solve
// it and send the form a second time.
"use strict";
(function () {
  var form = document.getElementById("login-form");
  if (!form || !form.dataset.signinToken || !window.Promise || !window.chatpicPow) return;
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  var field = form.elements.namedItem("pow");
  var status = form.querySelector(".pow-status");
  var button = form.querySelector("button[type=submit]");
  // A challenge is good once, until it expires: stale is when this page's
  // one should no longer be sent.
  var stale = Date.now() + (Number(form.dataset.signinSeconds) - 60) * 1000;
  var used = false, busy = false;

  function solve(token, bits) {
    return window.chatpicPow.solve(token, Number(bits)).then(function (solution) { return token + ":" + solution; });
  }

  // fresh gets a new challenge from a new copy of the sign-in page, which
  // carries one, and solves it.
  function fresh() {
    if (!window.fetch || !window.DOMParser) return Promise.reject(new Error("no fetch"));
    return fetch("/mod/login", { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var f = page.getElementById("login-form");
        if (!f || !f.dataset.signinToken) throw new Error("no challenge");
        return solve(f.dataset.signinToken, f.dataset.signinBits);
      });
  }

  var solving = solve(form.dataset.signinToken, form.dataset.signinBits);
  solving.catch(function () { /* the submit tries again */ });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (busy) return;
    busy = true;
    if (button) button.disabled = true;
    if (status) status.textContent = chatpicText("Your browser is solving a small puzzle that makes guessing passwords slow…");
    var proof = used || Date.now() > stale ? fresh() : solving.catch(fresh);
    used = true;
    proof.catch(function () {
      return ""; // the server will say what is wrong
    }).then(function (p) {
      field.value = p;
      if (status) status.textContent = chatpicText("Signing in…");
      form.submit();
    });
  });

  // A page restored from the back-forward cache gets its form back; the
  // challenge it carries was used.
  window.addEventListener("pageshow", function () {
    busy = false;
    if (button) button.disabled = false;
    if (status) status.textContent = "";
  });
})();
