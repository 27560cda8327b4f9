// chatpic: small progressive enhancements. Every page works without this.
"use strict";
document.addEventListener("click", function (ev) {
  var btn = ev.target.closest("[data-copy]");
  if (!btn || !navigator.clipboard) return;
  navigator.clipboard.writeText(btn.getAttribute("data-copy")).then(function () {
    var label = btn.textContent;
    btn.textContent = "Copied";
    setTimeout(function () { btn.textContent = label; }, 1500);
  });
});
document.addEventListener("focusin", function (ev) {
  if (ev.target.classList && ev.target.classList.contains("copy-field")) ev.target.select();
});

// Live updates: new uploads slide into the channel grid, gone ones leave,
// scores change, and new comments are announced. Without JavaScript (or
// EventSource) the pages simply do not update until reloaded.
(function () {
  if (!window.EventSource) return;
  // goneWords say why an upload left, by the reason of its "gone" event.
  var goneWords = {
    hidden: "This upload is hidden while moderators review it.",
    removed: "This upload was removed by the moderators.",
    deleted: "This upload was deleted by the person who posted it.",
    expired: "This upload's time ran out.",
    evicted: "This upload was pushed out of its channel by newer ones."
  };
  var grid = document.getElementById("grid");
  var thread = document.getElementById("comments");
  function status(root, text) {
    var el = root && root.parentNode.querySelector(".live-status");
    if (el) el.textContent = text;
  }
  if (grid && grid.dataset.sort !== "top" && !/[?&]before=/.test(location.search)) {
    var channel = new EventSource("/api/v1/channels/" + encodeURIComponent(grid.dataset.channel) + "/events");
    channel.addEventListener("post", function (ev) {
      var id = JSON.parse(ev.data).id;
      fetch("/api/v1/posts/" + encodeURIComponent(id)).then(function (r) { return r.ok ? r.json() : null; }).then(function (p) {
        if (!p || grid.querySelector('[data-id="' + p.id + '"]')) return;
        var li = document.createElement("li");
        li.dataset.id = p.id;
        if (p.kind === "video") li.className = "video";
        var a = document.createElement("a");
        a.href = "/p/" + p.id;
        var img = document.createElement("img");
        img.src = new URL(p.thumb_url).pathname;
        img.alt = p.caption || "New upload";
        img.loading = "lazy";
        a.appendChild(img);
        li.appendChild(a);
        grid.insertBefore(li, grid.firstChild);
        status(grid, "A new upload arrived.");
      });
    });
    channel.addEventListener("gone", function (ev) {
      var li = grid.querySelector('[data-id="' + JSON.parse(ev.data).id + '"]');
      if (li) li.remove();
    });
  }
  if (thread) {
    var post = new EventSource("/api/v1/posts/" + encodeURIComponent(thread.dataset.post) + "/events");
    var list = thread.querySelector("ol");
    post.addEventListener("comment", function () {
      fetch("/api/v1/posts/" + encodeURIComponent(thread.dataset.post) + "/comments").then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (!data) return;
        if (!list) {
          list = document.createElement("ol");
          thread.insertBefore(list, thread.querySelector("form"));
        }
        data.comments.forEach(function (c) {
          if (document.getElementById("c-" + c.number)) return;
          var li = document.createElement("li");
          li.id = "c-" + c.number;
          var who = document.createElement("p");
          who.className = "who";
          var body = document.createElement("p");
          body.className = "body";
          if (c.status === "removed") {
            li.className = "removed";
            who.textContent = "No. " + c.number;
            body.textContent = "Removed by the moderators.";
          } else {
            who.textContent = "No. " + c.number + " · " + c.poster_id + (c.is_uploader ? " · uploader" : "") + " · just now";
            body.textContent = c.body;
          }
          li.appendChild(who);
          li.appendChild(body);
          list.appendChild(li);
        });
        status(thread, "New comments arrived.");
      });
    });
    post.addEventListener("score", function (ev) {
      var el = document.querySelector(".score");
      if (el) el.textContent = JSON.parse(ev.data).score;
    });
    post.addEventListener("gone", function (ev) {
      var reason = "";
      try { reason = JSON.parse(ev.data).reason; } catch (e) { /* say it is gone */ }
      status(thread, goneWords[reason] || "This upload is gone.");
      post.close();
    });
  }
})();

// The uploader's browser keeps the delete token shown after an upload, so
// later comments can be marked as the uploader's and the upload deleted
// without pasting it. It stays in this browser only.
(function () {
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  if (!store) return;
  var created = document.querySelector("[data-token-for]");
  if (created) store.setItem("chatpic:token:" + created.dataset.tokenFor, created.dataset.token);
  document.querySelectorAll("input[name=token][data-post]").forEach(function (input) {
    var token = store.getItem("chatpic:token:" + input.dataset.post);
    if (token && !input.value) input.value = token;
  });
})();

// Flood control: when a channel asks for a proof-of-work, its forms carry
// data-pow-token and data-pow-bits. Before such a form is sent, a fresh
// challenge is fetched (the one in the page may be spent or stale), solved
// with pow.js, and the answer put in the hidden "pow" field. Without
// JavaScript the form is sent as it is and the server explains (428).
(function () {
  if (!window.Promise) return;
  function challenge(form) {
    var embedded = { required: true, token: form.dataset.powToken, bits: Number(form.dataset.powBits) };
    if (!window.fetch || !form.dataset.powChannel) return Promise.resolve(embedded);
    return fetch("/api/v1/channels/" + encodeURIComponent(form.dataset.powChannel) + "/challenge", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : embedded; })
      .catch(function () { return embedded; });
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.dataset || !form.dataset.powToken || !window.chatpicPow) return;
    ev.preventDefault();
    if (form.dataset.powBusy) return;
    form.dataset.powBusy = "1";
    var status = form.querySelector(".pow-status");
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    if (status) status.textContent = "Checking you are not a flood bot…";
    challenge(form).then(function (c) {
      if (!c.required) return "";
      return window.chatpicPow.solve(c.token, c.bits).then(function (solution) { return c.token + ":" + solution; });
    }).catch(function () {
      return ""; // the server will say what is wrong
    }).then(function (proof) {
      var field = form.elements.namedItem("pow");
      if (field) field.value = proof;
      if (status) status.textContent = "Sending…";
      form.submit();
    });
  });
  // A page restored from the back-forward cache gets its forms back.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-pow-token]").forEach(function (form) {
      delete form.dataset.powBusy;
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = false;
      var status = form.querySelector(".pow-status");
      if (status) status.textContent = "";
    });
  });
})();

// Moderation queue: pictures stay blurred until revealed one by one (a
// checkbox, no script needed); Escape blurs them all again.
document.addEventListener("keydown", function (ev) {
  if (ev.key !== "Escape") return;
  document.querySelectorAll("input.reveal:checked").forEach(function (box) { box.checked = false; });
});
