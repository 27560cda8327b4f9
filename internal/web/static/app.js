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
