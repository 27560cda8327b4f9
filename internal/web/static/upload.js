// chatpic uploader: makes every form[data-upload] take several files at
// once, chosen, dropped anywhere on the page or pasted, shows a preview and
// a progress bar per file, sends them through the JSON API, explains every
// refusal in plain words, and gives each finished upload its link to copy.
// Several files go as one post, an album, in one request with one progress
// bar, or, when the form's "album" choice says "separate", one request per
// file as separate posts.
// A form with a held share (a file shared from another app, input
// name=share) starts with that file in its queue and sends the share's ID in
// its place. Without this script the same forms post their files the
// ordinary way, and the server honours the same choice.
"use strict";
(function () {
  if (!window.FormData || !window.XMLHttpRequest || !window.JSON || !window.URL) return;
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-upload]"));
  if (!forms.length) return;

  var parallel = 2; // uploads at once per form

  var lang = document.documentElement.lang || "en";
  // decimal writes a number with one decimal the language's way (1.5, 1,5).
  function decimal(x) {
    try { return x.toLocaleString(lang); } catch (e) { return String(x); }
  }
  function megabytes(n) {
    if (n >= 1e6) return chatpicText("%s MB", decimal(Math.floor(n / 1e5) / 10));
    if (n >= 1e3) return chatpicText("%s KB", decimal(Math.floor(n / 100) / 10));
    return chatpicText("%d bytes", n);
  }
  // tryAgain says when to try again, a sentence of its own.
  function tryAgain(seconds) {
    if (seconds > 3600) return chatpicText("Try again in %d hours.", Math.ceil(seconds / 3600));
    if (seconds > 90) return chatpicText("Try again in %d minutes.", Math.ceil(seconds / 60));
    return chatpicText("Try again in %d seconds.", Math.max(1, seconds));
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  // formatsOf reads the accepted formats the page gives an upload field
  // (data-formats): for the picture and the video kinds, their media types,
  // file extensions and names, and the types of pictures a browser cannot
  // preview.
  function formatsOf(input) {
    var none = { types: [], exts: [], names: "" };
    var f = {};
    try { f = JSON.parse(input.dataset.formats || "{}"); } catch (e) { /* none then */ }
    return { picture: f.picture || none, video: f.video || none, noPreview: f.noPreview || [] };
  }
  function has(list, value) {
    return (list || []).indexOf(value) >= 0;
  }
  // kindOf says whether a file is a picture or a video by what the browser
  // knows of it; the server decides for real from its bytes.
  function kindOf(formats, file) {
    var m = /\.([^.]+)$/.exec(file.name || "");
    var ext = m ? m[1].toLowerCase() : "";
    var type = (file.type || "").toLowerCase();
    if (has(formats.picture.types, type) || (!type && has(formats.picture.exts, ext))) return "picture";
    if (has(formats.video.types, type) || (!type && has(formats.video.exts, ext))) return "video";
    if (has(formats.picture.exts, ext)) return "picture"; // HEIC often comes with an odd type
    if (has(formats.video.exts, ext)) return "video";
    return "";
  }

  // counted says whether a post vanishes after a number of views.
  function counted(post) {
    return post.views_left !== null && post.views_left !== undefined;
  }

  function Uploader(form) {
    this.form = form;
    this.input = form.querySelector("input[type=file]");
    this.held = form.querySelector("input[name=share]");
    var source = this.input || this.held;
    this.list = form.querySelector(".queue-list") || this.makeList();
    this.button = form.querySelector("button[type=submit]");
    this.status = form.querySelector(".pow-status") || this.makeStatus();
    this.choice = form.querySelector("[data-album-choice]");
    if (this.choice) this.choice.hidden = true; // until several files are chosen
    this.maxPicture = Number(source.dataset.maxPicture) || 0;
    this.maxVideo = Number(source.dataset.maxVideo) || 0;
    this.formats = formatsOf(source);
    this.items = [];
    this.busy = 0;
    this.batch = null;
    form.dataset.enhanced = "1";
    var self = this;
    if (this.input) {
      this.input.multiple = true;
      this.input.required = false; // the queue holds the files, not the input
      this.input.addEventListener("change", function () {
        self.add(self.input.files);
        self.input.value = "";
      });
    }
    if (this.held && this.held.value) this.addHeld(this.held);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      self.start();
    });
    var zone = form.querySelector("[data-drop]");
    if (zone) {
      var label = zone.querySelector(".file-pick");
      if (label) label.firstChild.textContent = chatpicText("Choose pictures or videos, or drop them here") + " ";
    }
  }

  Uploader.prototype.makeList = function () {
    var ul = el("ul", "queue-list");
    ul.hidden = true;
    ul.setAttribute("aria-label", chatpicText("Files to upload"));
    this.form.insertBefore(ul, this.form.querySelector("button[type=submit]"));
    return ul;
  };

  // addHeld queues the file the server holds for the form (a share): its
  // bytes are there already, so only its ID is sent.
  Uploader.prototype.addHeld = function (held) {
    var kind = held.dataset.kind === "video" ? "video" : "picture";
    var files = Number(held.dataset.files) || 1, format = held.dataset.name || "";
    var what = files > 1 ? chatpicText("The %d files you shared", files) :
      kind === "video" ? (format ? chatpicText("The %s video you shared", format) : chatpicText("The video you shared")) :
        format ? chatpicText("The %s picture you shared", format) : chatpicText("The picture you shared");
    var item = { share: held.value, kind: kind, state: "ready", proof: "", what: what,
      preview: held.dataset.sharedFile || "",
      file: { name: "", size: Number(held.dataset.size) || 0, type: "" } };
    this.items.push(item);
    this.render(item);
    this.list.hidden = false;
  };

  Uploader.prototype.makeStatus = function () {
    var p = el("p", "pow-status");
    p.setAttribute("role", "status");
    p.setAttribute("aria-live", "polite");
    this.form.insertBefore(p, this.button);
    return p;
  };

  Uploader.prototype.say = function (text) {
    this.status.textContent = text;
  };

  Uploader.prototype.limitsFor = function (kind) {
    if (kind === "video") return chatpicText("Videos can be up to %s.", megabytes(this.maxVideo));
    return chatpicText("Pictures can be up to %s.", megabytes(this.maxPicture));
  };

  Uploader.prototype.accepted = function () {
    if (this.maxVideo) return chatpicText("This site takes pictures (%s) and videos (%s).", this.formats.picture.names, this.formats.video.names);
    return chatpicText("This site takes pictures (%s).", this.formats.picture.names);
  };

  // add puts files in the queue, each with a preview, refusing at once
  // what the server would refuse for its type or size.
  Uploader.prototype.add = function (files) {
    var self = this;
    Array.prototype.forEach.call(files || [], function (file) {
      var item = { file: file, kind: kindOf(self.formats, file), state: "ready", proof: "" };
      self.items.push(item);
      self.render(item);
      if (!item.kind || (item.kind === "video" && !self.maxVideo)) {
        self.refuse(item, chatpicText("This type of file can't be posted.") + " " + self.accepted());
      } else {
        var max = item.kind === "video" ? self.maxVideo : self.maxPicture;
        if (max && file.size > max) self.refuse(item, chatpicText("This file is too large (%s).", megabytes(file.size)) + " " + self.limitsFor(item.kind));
      }
    });
    var ready = this.ready().length;
    this.list.hidden = this.items.length === 0;
    if (this.choice) this.choice.hidden = ready < 2;
    if (this.button) this.button.textContent = ready > 1 ? chatpicText("Upload %d files", ready) : chatpicText("Upload");
    if (files && files.length) this.say(chatpicText("%d files ready to upload.", ready));
  };

  Uploader.prototype.ready = function () {
    return this.items.filter(function (it) { return it.state === "ready"; });
  };

  Uploader.prototype.render = function (item) {
    var self = this;
    var li = el("li", "queued");
    var thumb = el("div", "preview-box");
    var label = item.what || item.file.name || chatpicText("Pasted picture");
    if (item.share && item.preview && item.kind === "picture") {
      var shot = el("img");
      shot.alt = "";
      shot.setAttribute("role", "presentation");
      shot.width = 64;
      shot.height = 64;
      shot.src = item.preview;
      thumb.appendChild(shot);
    } else if (item.share) {
      thumb.textContent = item.kind === "video" ? "▶" : "?";
      thumb.setAttribute("aria-hidden", "true");
    } else if (item.kind === "picture" && !has(this.formats.noPreview, (item.file.type || "").toLowerCase())) {
      var img = el("img");
      img.alt = ""; // the file's name is beside it
      img.setAttribute("role", "presentation");
      img.width = 64;
      img.height = 64;
      img.src = URL.createObjectURL(item.file);
      img.onload = img.onerror = function () { URL.revokeObjectURL(img.src); };
      thumb.appendChild(img);
    } else {
      // No preview: the file's kind, or its extension, stands in.
      var ext = /\.([a-z0-9]{1,5})$/i.exec(item.file.name || "");
      thumb.textContent = item.kind === "video" ? "▶" : ext ? ext[1].toUpperCase() : "?";
      thumb.setAttribute("aria-hidden", "true");
    }
    var body = el("div", "queued-body");
    var name = el("p", "queued-name", label + " · " + megabytes(item.file.size));
    var bar = el("progress");
    bar.max = 100;
    bar.value = 0;
    bar.hidden = true;
    bar.setAttribute("aria-label", chatpicText("Upload progress: %s", label));
    var note = el("p", "queued-note");
    note.setAttribute("aria-live", "polite");
    var remove = el("button", "secondary small", chatpicText("Remove"));
    remove.type = "button";
    remove.setAttribute("aria-label", chatpicText("Remove from the list: %s", label));
    remove.addEventListener("click", function () {
      if (item.state === "sending") return;
      self.items.splice(self.items.indexOf(item), 1);
      li.remove();
      self.add([]);
    });
    body.appendChild(name);
    body.appendChild(bar);
    body.appendChild(note);
    li.appendChild(thumb);
    li.appendChild(body);
    li.appendChild(remove);
    this.list.appendChild(li);
    item.li = li;
    item.bar = bar;
    item.note = note;
    item.remove = remove;
  };

  // together says whether the files ready now go as one post, an album.
  Uploader.prototype.together = function () {
    var one = this.form.querySelector("input[name=album][value=one]");
    return !!one && one.checked;
  };

  // refuse marks item as refused with text; with retry, it may be tried
  // again, with the other items of group (an album sent together) if any.
  Uploader.prototype.refuse = function (item, text, retry, group) {
    var self = this;
    item.state = retry ? "failed" : "refused";
    item.li.className = "queued refused";
    item.note.textContent = text;
    item.bar.hidden = true;
    item.remove.hidden = false;
    if (retry) {
      var again = el("button", "secondary small", chatpicText("Try again"));
      again.type = "button";
      again.addEventListener("click", function () {
        again.remove();
        (group || [item]).forEach(function (it) {
          it.state = "ready";
          it.li.className = "queued";
          it.note.textContent = "";
        });
        self.start();
      });
      item.note.appendChild(document.createTextNode(" "));
      item.note.appendChild(again);
    }
  };

  // target fixes, when Upload is pressed, where a file goes and with what:
  // changing the form while files are sent does not change their fate.
  Uploader.prototype.target = function (item) {
    var form = this.form, sel = form.elements.namedItem("channel");
    item.channel = form.dataset.powChannel || (sel && sel.value) || "-";
    item.url = chatpicAPI(form.dataset.upload.replace("{channel}", encodeURIComponent(sel ? sel.value : "")));
    item.fields = {};
    ["caption", "expires_in", "max_views", "sensitive", "password"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && field.type === "checkbox") {
        if (field.checked) item.fields[name] = "on";
      } else if (field && field.value) item.fields[name] = field.value;
    });
  };

  Uploader.prototype.start = function () {
    var ready = this.ready();
    if (!ready.length) {
      this.say(this.items.length ? chatpicText("Nothing left to upload.") : chatpicText("Choose a picture or video first."));
      if (!this.items.length && this.input) this.input.focus();
      return;
    }
    var self = this;
    if (!this.batch) this.batch = { items: [] };
    // An album is one job of all the files ready; otherwise each file is
    // a job of its own.
    var album = ready.length > 1 && this.together() ? { items: ready } : null;
    ready.forEach(function (it) {
      if (self.batch.items.indexOf(it) < 0) self.batch.items.push(it); // a retried file counts once
      if (!it.url) self.target(it);
      it.job = album || { items: [it] };
      it.state = "waiting";
      it.note.textContent = chatpicText("Waiting…");
      it.remove.hidden = true;
    });
    this.say(album ? chatpicText("Uploading %d files as one post…", ready.length) : chatpicText("Uploading %d files…", ready.length));
    if (this.button) {
      this.button.disabled = true;
      this.button.textContent = chatpicText("Uploading…");
    }
    this.pump();
  };

  // pump keeps up to `parallel` uploads going until the queue is empty.
  Uploader.prototype.pump = function () {
    var self = this;
    while (this.busy < parallel) {
      var next = this.items.filter(function (it) { return it.state === "waiting"; })[0];
      if (!next) break;
      this.busy++;
      this.send(next.job, function () {
        self.busy--;
        self.pump();
      });
    }
    if (this.busy === 0) this.finish();
  };

  // send posts a job's files in one request: one file, or all the files
  // of an album, whose first item's bar shows the progress of all.
  Uploader.prototype.send = function (job, then) {
    var self = this;
    var items = job.items, first = items[0], album = items.length > 1;
    items.forEach(function (it) {
      it.state = "sending";
      it.bar.hidden = it !== first;
      it.note.textContent = album ? (it === first ? chatpicText("Uploading the album of %d files…", items.length) : chatpicText("Part of the album above.")) : chatpicText("Uploading…");
    });
    first.bar.value = 0;
    if (album) first.bar.setAttribute("aria-label", chatpicText("Upload progress of the album"));
    var data = new FormData();
    items.forEach(function (it) {
      if (it.share) data.append("share", it.share); // the server holds the file
      else data.append("file", it.file, "upload"); // the server never sees the file's own name
    });
    Object.keys(first.fields).forEach(function (name) { data.append(name, first.fields[name]); });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", first.url);
    xhr.setRequestHeader("Accept", "application/json");
    if (job.proof) xhr.setRequestHeader("X-Chatpic-Pow", job.proof);
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) first.bar.value = Math.round(100 * ev.loaded / ev.total);
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* explained below */ }
      if ((xhr.status === 201 || xhr.status === 202) && body && body.id) {
        first.bar.value = 100;
        self.done(job, body, xhr.status === 202);
        then();
        return;
      }
      var err = (body && body.error) || {};
      if (xhr.status === 428 && !job.solved) {
        self.solve(job, then);
        return;
      }
      self.refuseJob(job, xhr.status, err, Number(xhr.getResponseHeader("Retry-After")));
      then();
    });
    ["error", "abort", "timeout"].forEach(function (type) {
      xhr.addEventListener(type, function () {
        self.refuseJob(job, 0, { kind: "interrupted" }, 0);
        then();
      });
    });
    xhr.send(data);
  };

  // refuseJob explains why a job's request was refused. An album refused
  // for some of its files says why beside each of them, and leaves the
  // others ready to go again once those are removed.
  Uploader.prototype.refuseJob = function (job, status, err, retryAfter) {
    var self = this, items = job.items;
    var retry = status === 0 || status >= 500 || status === 429 || status === 428;
    if (items.length > 1 && err.files && err.files.length) {
      var refused = [];
      err.files.forEach(function (f) {
        var it = items[f.file - 1];
        if (!it) return;
        refused.push(it);
        self.refuse(it, chatpicText("File %s: %s", String(f.file), self.words(status, { kind: f.kind, message: f.message }, it, retryAfter)));
      });
      items.forEach(function (it) {
        if (refused.indexOf(it) >= 0) return;
        it.state = "ready";
        it.li.className = "queued";
        it.bar.hidden = true;
        it.remove.hidden = false;
        it.note.textContent = chatpicText("Not posted: nothing of the album is posted while one of its files is refused. Remove the refused file and upload again.");
      });
      return;
    }
    var text = status === 0 ? chatpicText("The upload was interrupted. Check your connection and try again.") : this.words(status, err, items[0], retryAfter);
    items.forEach(function (it, i) {
      self.refuse(it, items.length > 1 && i > 0 ? chatpicText("Not posted, with the rest of the album.") : text, retry && i === 0, items);
    });
  };

  // solve answers the channel's flood check (a proof of work, pow.js) and
  // sends the file again with the answer.
  Uploader.prototype.solve = function (job, then) {
    var self = this, item = job.items[0];
    var busy = { kind: "challenge_required" };
    item.note.textContent = chatpicText("This channel is very busy: checking you are not a flood bot…");
    if (!window.chatpicPow || !window.fetch) {
      self.refuseJob(job, 428, busy, 0);
      then();
      return;
    }
    fetch(chatpicAPI("/api/v1/channels/" + encodeURIComponent(item.channel) + "/challenge"), { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (c) {
        if (!c.required) return "";
        return window.chatpicPow.solve(c.token, c.bits).then(function (s) { return c.token + ":" + s; });
      })
      .then(function (proof) {
        job.proof = proof;
        job.solved = true;
        self.send(job, function () { job.proof = ""; job.solved = false; then(); });
      })
      .catch(function () {
        self.refuseJob(job, 428, busy, 0);
        then();
      });
  };

  // words turns a refusal into a sentence a person understands. The
  // server's own message (err.message) comes in the page's language (see
  // chatpicAPI).
  Uploader.prototype.words = function (status, err, item, retryAfter) {
    switch (err.kind) {
      case "too_large": return chatpicText("This file is too large.") + " " + this.limitsFor(item.kind);
      case "unsupported": return chatpicText("This type of file can't be posted.") + " " + this.accepted();
      case "unprocessable":
        // The server says what it could not do (a damaged file, one that
        // takes too long or too much memory to decode).
        if (err.message) return sentence(err.message);
        return chatpicText("This file could not be read as a picture or video. It may be damaged or only partly downloaded.");
      case "unavailable": return chatpicText("The server is very busy processing uploads.") + " " + tryAgain(retryAfter || 30);
      case "storage_full": return chatpicText("The server has run out of storage space, so nothing was kept. Try again later.");
      case "rate_limited": return chatpicText("You are posting faster than this site allows.") + " " + tryAgain(retryAfter || 60);
      case "not_found": return chatpicText("This channel does not exist any more.");
      case "challenge_required": return chatpicText("This channel is very busy right now. Try again in a few minutes.");
    }
    if (status >= 500 || !err.message) return chatpicText("Something went wrong on our side. Try again in a moment.");
    return sentence(err.message);
  };

  // sentence capitalises a message and ends it with a full stop.
  function sentence(m) {
    return m.charAt(0).toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? "" : ".");
  }

  // done shows a job's new post: its link beside its first file, and the
  // other files of an album as part of it.
  Uploader.prototype.done = function (job, post, pending) {
    var item = job.items[0];
    job.items.slice(1).forEach(function (it) {
      it.state = "done";
      it.post = post;
      it.pending = pending;
      it.li.className = "queued done";
      it.note.textContent = chatpicText("Uploaded, in the album above.");
    });
    item.state = "done";
    item.post = post;
    item.li.className = "queued done";
    try { localStorage.setItem("chatpic:token:" + post.id, post.delete_token); } catch (e) { /* private mode */ }
    var path = "/p/" + encodeURIComponent(post.id);
    var link = location.origin + path;
    item.note.textContent = pending ? chatpicText("Uploaded. It will be shown once a moderator approves it; the link works from then.") : chatpicText("Uploaded.");
    var row = el("p", "queued-link");
    var field = el("input", "copy-field");
    field.readOnly = true;
    field.value = link;
    field.setAttribute("aria-label", chatpicText("Share link"));
    var copy = el("button", "small", chatpicText("Copy link"));
    copy.type = "button";
    copy.setAttribute("data-copy", link);
    var open = el("a", "small-link", chatpicText("Open"));
    open.href = path;
    row.appendChild(field);
    row.appendChild(copy);
    // Opening an upload whose views are counted would spend one.
    if (!pending && counted(post)) {
      item.note.textContent += " " + chatpicText("Each view counts, yours too: share the link without opening it.");
    } else if (!pending) {
      row.appendChild(open);
    }
    item.note.parentNode.appendChild(row);
    item.pending = pending;
  };

  Uploader.prototype.finish = function () {
    var batch = this.batch;
    if (!batch) return;
    this.batch = null;
    var done = batch.items.filter(function (it) { return it.state === "done"; });
    var posts = [];
    done.forEach(function (it) { if (posts.indexOf(it.post) < 0) posts.push(it.post); });
    var ok = posts.length;
    var failed = batch.items.filter(function (it) { return it.state === "refused" || it.state === "failed"; }).length;
    var held = batch.items.length - done.length - failed; // ready again: their album was refused
    if (this.button) {
      this.button.disabled = false;
      this.button.textContent = chatpicText("Upload");
    }
    if (failed === 0 && ok === 1 && !done[0].pending && !counted(done[0].post)) {
      // One post, of one file or an album: go to its page, which offers
      // the link to copy.
      var post = done[0].post;
      try { sessionStorage.setItem("chatpic:created", post.id); } catch (e) { /* no banner then */ }
      this.say(chatpicText("Uploaded. Opening it…"));
      location.assign("/p/" + encodeURIComponent(post.id));
      return;
    }
    if (held) {
      this.say(chatpicText("Nothing of the album was posted: %d files were refused, see why below.", failed));
      return;
    }
    this.say(failed ? chatpicText("%d uploads done, %d refused: see why below.", ok, failed) : chatpicText("%d uploads done. Their links are ready to copy.", ok));
  };

  var uploaders = forms.map(function (f) { return new Uploader(f); });

  // The page's first upload form takes files dropped or pasted anywhere
  // outside another upload form.
  function target(node) {
    for (var i = 0; i < uploaders.length; i++) {
      if (node && uploaders[i].form.contains(node)) return uploaders[i];
    }
    return uploaders[0];
  }
  function hasFiles(ev) {
    var types = ev.dataTransfer && ev.dataTransfer.types;
    return types && Array.prototype.indexOf.call(types, "Files") >= 0;
  }
  var depth = 0;
  document.addEventListener("dragenter", function (ev) {
    if (!hasFiles(ev)) return;
    depth++;
    document.documentElement.classList.add("dragging");
  });
  document.addEventListener("dragleave", function () {
    if (depth > 0 && --depth === 0) document.documentElement.classList.remove("dragging");
  });
  document.addEventListener("dragover", function (ev) {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", function (ev) {
    depth = 0;
    document.documentElement.classList.remove("dragging");
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    var up = target(ev.target);
    up.add(ev.dataTransfer.files);
    if (up.button) up.button.focus();
  });
  document.addEventListener("paste", function (ev) {
    var files = ev.clipboardData && ev.clipboardData.files;
    if (!files || !files.length) return; // text goes where it was pasted
    ev.preventDefault();
    target(document.activeElement).add(files);
  });
})();
