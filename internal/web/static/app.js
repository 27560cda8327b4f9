// chatpic: small progressive enhancements. Every page works without this.
"use strict";

// chatpicText says key in the page's language: its text from the words
// script the page loads first (window.chatpicWords: the catalogs' js
// area in the page's language), or the key itself, English, where there
// is none. The arguments
// fill the key's verbs in order, or as %[n]s says: %d writes a number the
// language's way (1,000 / 1.000), %s as it is. A plural entry chooses its
// form by the first argument, the count: an exact "=N" form first, then
// the language's plural category (one, few, many, other...).
var chatpicText = (function () {
  var lang = document.documentElement.lang || "en", words = {};
  if (window.chatpicWords && typeof window.chatpicWords === "object") words = window.chatpicWords;
  var rules = null;
  try { rules = new Intl.PluralRules(lang); } catch (e) { /* one and other, as English */ }
  function number(v) {
    try { return Number(v).toLocaleString(lang); } catch (e) { return String(v); }
  }
  return function (key) {
    var args = Array.prototype.slice.call(arguments, 1);
    var text = Object.prototype.hasOwnProperty.call(words, key) ? words[key] : key;
    if (text && typeof text === "object") {
      var n = Number(args[0]);
      text = text["=" + n] || text[rules ? rules.select(n) : n === 1 ? "one" : "other"] || text.other || key;
    }
    var next = 0;
    return String(text).replace(/%(?:\[(\d+)\])?([sd%])/g, function (m, at, verb) {
      if (verb === "%") return "%";
      var i = at ? Number(at) - 1 : next;
      next = i + 1;
      var v = args[i];
      if (v === undefined) return m;
      if (verb === "d") return number(v);
      return String(v);
    });
  };
})();

// chatpicAPI returns the address of an API request (a path, or a URL of
// this site) in the page's language: when the page's own address chose
// one (?lang=), the request says it too, so the messages of its errors
// come back in that language; otherwise the browser's Accept-Language
// chose the page's language and says the same to the API.
function chatpicAPI(path) {
  if (!/[?&]lang=/.test(location.search) || !document.documentElement.lang) return path;
  var u = new URL(path, location.href);
  u.searchParams.set("lang", document.documentElement.lang);
  return u.origin === location.origin ? u.pathname + u.search : u.href;
}

// Copy buttons: the link goes to the clipboard, or, where the browser
// keeps the clipboard from us, the field beside the button is selected
// for the person to copy.
function chatpicSay(text) {
  var el = document.getElementById("announce");
  if (el) el.textContent = text;
}
document.addEventListener("click", function (ev) {
  var btn = ev.target.closest && ev.target.closest("[data-copy]");
  if (!btn) return;
  var text = btn.getAttribute("data-copy");
  var label = btn.dataset.label || btn.textContent;
  btn.dataset.label = label;
  function copied() {
    btn.textContent = btn.getAttribute("data-copy-label") || chatpicText("Copied");
    chatpicSay(chatpicText("Copied to the clipboard."));
    setTimeout(function () { btn.textContent = label; }, 2000);
  }
  // Without the clipboard API (plain HTTP, or permission refused) the
  // text is selected in a field, the one beside the button or a
  // temporary one, and copied the old way.
  function fallback() {
    var field = btn.parentNode.querySelector(".copy-field"), temporary = !field;
    if (temporary) {
      field = document.createElement("textarea");
      field.value = text;
      field.setAttribute("readonly", "");
      field.className = "visually-hidden";
      btn.parentNode.insertBefore(field, btn.nextSibling);
    }
    field.focus();
    field.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { /* said below */ }
    if (temporary) {
      field.remove();
      btn.focus();
    }
    if (ok) {
      copied();
      return;
    }
    chatpicSay(temporary ? chatpicText("Copying is blocked here: the link is %s", text) : chatpicText("Press Ctrl+C (or Copy in your phone's menu) to copy the selected link."));
  }
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(copied, fallback);
  } else {
    fallback();
  }
});
document.addEventListener("focusin", function (ev) {
  if (ev.target.classList && ev.target.classList.contains("copy-field")) ev.target.select();
});

// The native share sheet, where the browser has one (mostly phones).
(function () {
  if (!navigator.share) return;
  document.querySelectorAll("[data-share]").forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () {
      navigator.share({ title: btn.dataset.shareTitle, url: btn.dataset.share }).catch(function () { /* dismissed */ });
    });
  });
})();

// Replies: "Reply" puts a reference to the comment in the comment box
// instead of reloading the page with ?reply=N.
document.addEventListener("click", function (ev) {
  var link = ev.target.closest && ev.target.closest("[data-reply]");
  var form = document.getElementById("comment-form");
  var box = form && form.elements.namedItem("body");
  if (!link || !box) return;
  ev.preventDefault();
  var ref = ">>" + link.dataset.reply + "\n";
  if (box.value.indexOf(ref) < 0) box.value = (box.value && !/\n$/.test(box.value) ? box.value + "\n" : box.value) + ref;
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
});

// The page of a spent view answers its button's form post: its address
// becomes the upload's own, so that reloading shows the notice again
// rather than sending the form, which would spend another view.
(function () {
  var viewed = document.querySelector("[data-viewed]");
  if (viewed && window.history && history.replaceState) {
    history.replaceState(null, "", "/p/" + encodeURIComponent(viewed.getAttribute("data-viewed")));
  }
})();

// Votes are sent without leaving the page; the score comes back at once.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (!form.hasAttribute || !form.hasAttribute("data-vote") || !window.fetch) return;
  ev.preventDefault();
  var value = form.elements.namedItem("value").value;
  fetch(chatpicAPI(form.action.replace("/p/", "/api/v1/posts/")), {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify({ value: Number(value) })
  }).then(function (r) {
    return r.json().then(function (body) { return { ok: r.ok, body: body }; });
  }).then(function (res) {
    if (!res.ok) {
      chatpicSay(res.body && res.body.error ? res.body.error.message : chatpicText("The vote did not go through."));
      return;
    }
    var score = document.querySelector("[data-score]");
    if (score) score.textContent = res.body.score;
    document.querySelectorAll("form[data-vote] button").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    form.querySelector("button").setAttribute("aria-pressed", "true");
    chatpicSay(value === "1" ? chatpicText("Voted up. Score %d.", res.body.score) : chatpicText("Voted down. Score %d.", res.body.score));
  }).catch(function () {
    form.submit();
  });
});

// The page of an upload this browser has just made says so, with its
// link ready to copy.
(function () {
  var thread = document.getElementById("comments");
  var id;
  try { id = sessionStorage.getItem("chatpic:created"); } catch (e) { return; }
  if (!thread || !id || id !== thread.dataset.post) return;
  sessionStorage.removeItem("chatpic:created");
  var link = location.origin + "/p/" + id;
  var box = document.createElement("section");
  box.className = "created";
  box.setAttribute("role", "status");
  var h = document.createElement("h2");
  h.textContent = chatpicText("Uploaded");
  var p = document.createElement("p");
  p.textContent = chatpicText("Your link is ready to share. This browser keeps the delete token, so you can delete the upload from here later.");
  var row = document.createElement("p");
  row.className = "queued-link";
  var field = document.createElement("input");
  field.className = "copy-field";
  field.readOnly = true;
  field.value = link;
  field.setAttribute("aria-label", chatpicText("Share link"));
  var copy = document.createElement("button");
  copy.type = "button";
  copy.textContent = chatpicText("Copy link");
  copy.setAttribute("data-copy", link);
  copy.setAttribute("data-copy-label", chatpicText("Link copied"));
  row.appendChild(field);
  row.appendChild(copy);
  box.appendChild(h);
  box.appendChild(p);
  box.appendChild(row);
  var main = document.querySelector("main");
  main.insertBefore(box, main.firstChild);
})();

// Sensitive pictures come blurred (see style.css): Show unblurs one, and
// the standing choice, kept in this browser's localStorage and never sent
// anywhere, unblurs them all. Without JavaScript, Show is a link to the
// post's page with the picture shown.
var chatpicSensitive = (function () {
  var key = "chatpic.showSensitive", root = document.documentElement;
  function stored() { try { return localStorage.getItem(key) === "1"; } catch (e) { return false; } }
  function store(on) {
    try { if (on) localStorage.setItem(key, "1"); else localStorage.removeItem(key); } catch (e) { /* private mode: this page only */ }
  }
  root.classList.toggle("show-sensitive", stored());
  // sync shows the standing choice where a page has something blurred.
  function sync() {
    var any = document.querySelector(".sensitive") !== null;
    document.querySelectorAll(".sensitive-pref").forEach(function (p) {
      p.hidden = !any;
      var box = p.querySelector("[data-sensitive-pref]");
      if (box) box.checked = root.classList.contains("show-sensitive");
    });
  }
  sync();
  document.addEventListener("click", function (ev) {
    var show = ev.target.closest && ev.target.closest("[data-unblur]");
    if (!show) return;
    ev.preventDefault();
    var box = show.closest(".sensitive");
    box.classList.add("shown");
    var next = box.querySelector("a:not([data-unblur]), video");
    if (next) next.focus();
  });
  document.addEventListener("change", function (ev) {
    if (!ev.target.matches || !ev.target.matches("[data-sensitive-pref]")) return;
    store(ev.target.checked);
    root.classList.toggle("show-sensitive", ev.target.checked);
    sync();
  });
  return sync;
})();

// Albums: the plain list of files becomes a gallery, one file at a time
// in a track that scrolls sideways and snaps (a swipe on a phone), with
// Previous and Next buttons, a "2 / 5" counter read out as it changes, and
// the arrow keys while the focus is in the gallery, or on nothing else.
(function () {
  var album = document.querySelector("[data-album]");
  var track = album && album.querySelector(".album-track");
  if (!track || !track.children.length) return;
  var items = Array.prototype.slice.call(track.children), n = items.length;
  var smooth = !(window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches);
  album.classList.add("gallery");
  album.setAttribute("role", "region");
  album.setAttribute("aria-roledescription", chatpicText("gallery"));
  track.tabIndex = 0;
  track.setAttribute("aria-label", chatpicText("Files of the album: use the arrow keys to move"));
  // Each file keeps its visible "2 of 5", and the list its list semantics.
  function button(text, label) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    return b;
  }
  var prev = button(chatpicText("‹ Previous"), chatpicText("Previous file")), next = button(chatpicText("Next ›"), chatpicText("Next file"));
  var counter = document.createElement("span");
  counter.className = "album-counter";
  counter.setAttribute("aria-live", "polite");
  var bar = document.createElement("div");
  bar.className = "album-controls";
  bar.appendChild(prev);
  bar.appendChild(counter);
  bar.appendChild(next);
  album.insertBefore(bar, track.nextSibling);
  var at = -1;
  // current is the file most in view.
  function current() {
    var w = track.clientWidth || 1;
    return Math.max(0, Math.min(n - 1, Math.round(track.scrollLeft / w)));
  }
  function update() {
    var i = current();
    if (i === at) return;
    at = i;
    counter.textContent = chatpicText("%d / %d", i + 1, n);
    prev.disabled = i === 0;
    next.disabled = i === n - 1;
    items.forEach(function (li, j) {
      var v = li.querySelector("video");
      if (v && j !== i && !v.paused) v.pause(); // what scrolled away stops
    });
  }
  function go(i) {
    i = Math.max(0, Math.min(n - 1, i));
    track.scrollTo({ left: i * track.clientWidth, behavior: smooth ? "smooth" : "auto" });
  }
  prev.addEventListener("click", function () { go(current() - 1); });
  next.addEventListener("click", function () { go(current() + 1); });
  var queued = false;
  track.addEventListener("scroll", function () {
    if (queued) return;
    queued = true;
    requestAnimationFrame(function () { queued = false; update(); });
  });
  window.addEventListener("resize", function () { at = -1; update(); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "ArrowLeft" && ev.key !== "ArrowRight") return;
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    var f = document.activeElement;
    var here = f && album.contains(f), nowhere = !f || f === document.body;
    if (!here && !nowhere) return;
    // Text fields and the video's own controls keep their arrow keys.
    if (f && (f.isContentEditable || /^(INPUT|TEXTAREA|SELECT|VIDEO)$/.test(f.tagName))) return;
    ev.preventDefault();
    go(current() + (ev.key === "ArrowRight" ? 1 : -1));
  });
  // A link to one file (#f-3) opens the gallery at it.
  var m = /^#f-(\d+)$/.exec(location.hash);
  if (m) track.scrollLeft = (Number(m[1]) - 1) * track.clientWidth;
  update();
})();

// Live updates: new uploads slide into the channel grid, gone ones leave,
// scores change, and new comments are announced. Without JavaScript (or
// EventSource) the pages simply do not update until reloaded.
(function () {
  if (!window.EventSource) return;
  // goneWords say why an upload left, as it happens, by the reason of its
  // "gone" event.
  var goneWords = {
    hidden: chatpicText("This upload was just hidden while the moderators review it."),
    removed: chatpicText("This upload was just removed by the moderators."),
    deleted: chatpicText("This upload was just deleted by the person who posted it."),
    expired: chatpicText("This upload's time just ran out."),
    evicted: chatpicText("This upload was just pushed out of its channel by newer ones.")
  };
  var grid = document.getElementById("grid");
  // recount keeps the channel's upload count in step with the events.
  function recount(delta) {
    var count = document.querySelector("[data-count]");
    if (!count) return;
    var n = Math.max(0, Number(count.dataset.count) + delta);
    count.dataset.count = n;
    count.textContent = chatpicText("%d uploads in the channel", n);
  }
  var thread = document.getElementById("comments");
  function status(root, text) {
    var el = root && root.parentNode.querySelector(".live-status");
    if (el) el.textContent = text;
  }
  if (grid && grid.dataset.sort !== "top" && !/[?&]before=/.test(location.search)) {
    var channel = new EventSource("/api/v1/channels/" + encodeURIComponent(grid.dataset.channel) + "/events");
    channel.addEventListener("post", function (ev) {
      var id = JSON.parse(ev.data).id;
      fetch(chatpicAPI("/api/v1/posts/" + encodeURIComponent(id))).then(function (r) { return r.ok ? r.json() : null; }).then(function (p) {
        if (!p || grid.querySelector('[data-id="' + p.id + '"]')) return;
        // An album stands in the grid as its cover, the first file not
        // removed, with a badge that counts the files shown.
        var files = (p.media && p.media.length ? p.media : [p]).filter(function (m) { return !m.removed; });
        var c = files[0] || p, shown = files.length;
        var li = document.createElement("li");
        li.dataset.id = p.id;
        if (c.kind === "video") li.className = "video";
        if (shown > 1) li.className += " album";
        var a = document.createElement("a");
        a.href = "/p/" + p.id;
        var img = document.createElement("img");
        img.src = new URL(c.thumb_url).pathname;
        var where = grid.dataset.channelTitle;
        img.alt = p.caption || (shown > 1 ? chatpicText("An album of %d files in %s, posted just now", shown, where) :
          c.kind === "video" ? chatpicText("Video in %s, posted just now", where) : chatpicText("Picture in %s, posted just now", where));
        var long = Math.max(c.width, c.height, 1), edge = Math.min(512, long);
        img.width = Math.max(1, Math.round(c.width * edge / long));
        img.height = Math.max(1, Math.round(c.height * edge / long));
        a.appendChild(img);
        if (shown > 1) {
          var badge = document.createElement("span");
          badge.className = "album-count";
          badge.setAttribute("aria-hidden", "true");
          badge.textContent = "▦ " + shown;
          var said = document.createElement("span");
          said.className = "visually-hidden";
          said.textContent = " " + chatpicText("(album of %d)", shown);
          a.appendChild(badge);
          a.appendChild(said);
        }
        li.appendChild(a);
        if (p.sensitive || grid.hasAttribute("data-nsfw")) {
          li.className += " sensitive";
          var show = document.createElement("a");
          show.className = "unblur";
          show.href = "/p/" + p.id + "?show=sensitive";
          show.setAttribute("data-unblur", "");
          show.textContent = chatpicText("Show");
          li.appendChild(show);
        }
        li.className += " arrived";
        grid.insertBefore(li, grid.firstChild);
        var empty = document.querySelector(".empty");
        if (empty) empty.remove();
        recount(1);
        chatpicSensitive();
        status(grid, p.caption ? chatpicText("New upload: %s", p.caption) : chatpicText("A new upload arrived."));
      });
    });
    // A file of an album was removed: its tile shows the new cover and
    // count.
    channel.addEventListener("changed", function (ev) {
      var id = JSON.parse(ev.data).id;
      var li = grid.querySelector('[data-id="' + id + '"]');
      if (!li) return;
      fetch(chatpicAPI("/api/v1/posts/" + encodeURIComponent(id))).then(function (r) { return r.ok ? r.json() : null; }).then(function (p) {
        if (!p) return;
        var files = (p.media || []).filter(function (m) { return !m.removed; });
        var img = li.querySelector("img");
        if (img && files[0]) img.src = new URL(files[0].thumb_url).pathname;
        var badge = li.querySelector(".album-count"), said = li.querySelector(".album-count + .visually-hidden");
        if (files.length > 1) {
          if (badge) badge.textContent = "▦ " + files.length;
          if (said) said.textContent = " " + chatpicText("(album of %d)", files.length);
        } else {
          if (badge) badge.remove();
          if (said) said.remove();
          li.classList.remove("album");
        }
      });
    });
    channel.addEventListener("gone", function (ev) {
      // Only what this page counted: a hidden upload that is removed later
      // sends "gone" twice.
      var li = grid.querySelector('[data-id="' + JSON.parse(ev.data).id + '"]');
      if (li) {
        li.remove();
        recount(-1);
      }
    });
  }
  if (thread) {
    var post = new EventSource("/api/v1/posts/" + encodeURIComponent(thread.dataset.post) + "/events");
    var list = thread.querySelector("ol");
    post.addEventListener("comment", function () {
      fetch(chatpicAPI("/api/v1/posts/" + encodeURIComponent(thread.dataset.post) + "/comments")).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
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
            who.textContent = chatpicText("No. %s", String(c.number));
            body.textContent = chatpicText("Removed by the moderators.");
          } else {
            who.textContent = [chatpicText("No. %s", String(c.number)), c.poster_id].concat(c.is_uploader ? [chatpicText("uploader")] : [], [chatpicText("just now")]).join(" · ");
            body.textContent = c.body;
          }
          li.appendChild(who);
          li.appendChild(body);
          list.appendChild(li);
        });
        status(thread, chatpicText("New comments arrived."));
      });
    });
    post.addEventListener("score", function (ev) {
      var el = document.querySelector("[data-score]");
      if (el) el.textContent = JSON.parse(ev.data).score;
    });
    // A moderator took one file of the album down: it goes from the page
    // as it went from the server.
    post.addEventListener("changed", function (ev) {
      var n = JSON.parse(ev.data).removed_file;
      var item = document.querySelector('.album-item[data-file="' + n + '"]');
      if (!item) return;
      item.querySelectorAll("video").forEach(function (v) { v.pause(); });
      var pos = item.querySelector(".album-pos span");
      var kept = pos ? pos.cloneNode(true) : null;
      item.classList.remove("sensitive");
      item.textContent = "";
      var gone = document.createElement("p");
      gone.className = "removed-file";
      gone.textContent = chatpicText("This file was just removed.");
      item.appendChild(gone);
      if (kept) {
        var p = document.createElement("p");
        p.className = "album-pos";
        p.appendChild(kept);
        item.appendChild(p);
      }
      var opt = document.querySelector('select[name=file] option[value="' + n + '"]');
      if (opt) opt.remove();
      status(thread, chatpicText("File %s of this upload was removed by the moderators.", String(n)));
    });
    post.addEventListener("gone", function (ev) {
      var reason = "";
      try { reason = JSON.parse(ev.data).reason; } catch (e) { /* say it is gone */ }
      status(thread, goneWords[reason] || chatpicText("This upload is gone now."));
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
    return fetch(chatpicAPI("/api/v1/channels/" + encodeURIComponent(form.dataset.powChannel) + "/challenge"), { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : embedded; })
      .catch(function () { return embedded; });
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.dataset || !form.dataset.powToken || form.dataset.enhanced || !window.chatpicPow) return;
    ev.preventDefault();
    if (form.dataset.powBusy) return;
    form.dataset.powBusy = "1";
    var status = form.querySelector(".pow-status");
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    if (status) status.textContent = chatpicText("Checking you are not a flood bot…");
    challenge(form).then(function (c) {
      if (!c.required) return "";
      return window.chatpicPow.solve(c.token, c.bits).then(function (solution) { return c.token + ":" + solution; });
    }).catch(function () {
      return ""; // the server will say what is wrong
    }).then(function (proof) {
      var field = form.elements.namedItem("pow");
      if (field) field.value = proof;
      if (status) status.textContent = chatpicText("Sending…");
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
