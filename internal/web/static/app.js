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
          who.textContent = "No. " + c.number + " · " + c.poster_id + (c.is_uploader ? " · uploader" : "") + " · just now";
          var body = document.createElement("p");
          body.className = "body";
          body.textContent = c.body;
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
    post.addEventListener("gone", function () {
      status(thread, "This upload is gone.");
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
