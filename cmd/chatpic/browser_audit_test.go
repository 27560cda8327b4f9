package main

import (
	"context"
	"fmt"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// auditHelpersJS defines the functions the audit scripts share. It is pasted
// at the top of each script, so every script stays self-contained.
const auditHelpersJS = `
const squash = (s, n = 40) => {
  s = (s || "").replace(/\s+/g, " ").trim();
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
};
// name is a tag with its id and classes, like "a#top.brand".
const name = el => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += "#" + el.id;
  const cls = typeof el.className === "string" ? el.className.trim() : "";
  if (cls) s += "." + cls.split(/\s+/).join(".");
  if (el.tagName === "INPUT") s += "[type=" + el.type + "]";
  if (el.getAttribute("name")) s += "[name=" + el.getAttribute("name") + "]";
  return s;
};
// describe names el, quotes a bit of its text, and names the closest
// ancestor with an id or a class, so that "button "Copy"" can be found.
const labelText = label => {
  const c = label.cloneNode(true);
  c.querySelectorAll("input, select, textarea, button").forEach(n => n.remove());
  return c.textContent.trim();
};
const describe = el => {
  let s = name(el);
  const control = el.matches("input, select, textarea");
  const text = squash(el.getAttribute("aria-label") ||
    (control ? [...(el.labels || [])].map(labelText).join(" ") : el.innerText) || el.getAttribute("alt") ||
    (el.tagName === "INPUT" && el.type !== "file" ? el.value : "") || el.getAttribute("placeholder") || "");
  if (text) s += ' "' + text + '"';
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (p.id || (typeof p.className === "string" && p.className.trim())) {
      s += " in " + name(p);
      break;
    }
  }
  return s;
};
// shown reports whether el is rendered and bigger than the 1px of a
// visually-hidden element.
const shown = el => {
  if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true})) return false;
  const r = el.getBoundingClientRect();
  // Parked above or left of the page, like a skip link until focused.
  if (r.right + scrollX <= 0 || r.bottom + scrollY <= 0) return false;
  return r.width > 1 && r.height > 1;
};
// rgba parses a computed colour into [r, g, b, a] with r, g, b in 0..255.
const colours = new Map();
const pen = document.createElement("canvas").getContext("2d", {willReadFrequently: true});
const rgba = s => {
  if (colours.has(s)) return colours.get(s);
  let c;
  const m = s.match(/^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/);
  if (m) {
    let a = m[4] === undefined ? 1 : parseFloat(m[4]);
    if (m[4] && m[4].endsWith("%")) a /= 100;
    c = [+m[1], +m[2], +m[3], a];
  } else { // color(), oklch() and friends: let the canvas convert
    pen.clearRect(0, 0, 1, 1);
    pen.fillStyle = s;
    pen.fillRect(0, 0, 1, 1);
    const d = pen.getImageData(0, 0, 1, 1).data;
    c = [d[0], d[1], d[2], d[3] / 255];
  }
  colours.set(s, c);
  return c;
};
// over paints colour top over colour bottom.
const over = (top, bottom) => {
  const a = top[3] + bottom[3] * (1 - top[3]);
  if (a === 0) return [0, 0, 0, 0];
  const mix = i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
  return [mix(0), mix(1), mix(2), a];
};
const show = c => "rgb(" + c.slice(0, 3).map(Math.round).join(", ") + ")";
// canvasColour is what shows behind a page with no background of its own.
const canvasColour = () => {
  const dark = matchMedia("(prefers-color-scheme: dark)").matches &&
    getComputedStyle(document.documentElement).colorScheme.includes("dark");
  return dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
};
// background is the opaque colour behind el, or null when a background
// image makes it unknowable.
const background = el => {
  const layers = [];
  for (let n = el; n; n = n.parentElement) {
    const cs = getComputedStyle(n);
    if (cs.backgroundImage !== "none") return null;
    const c = rgba(cs.backgroundColor);
    if (c[3] > 0) {
      layers.push(c);
      if (c[3] >= 1) break;
    }
  }
  let bg = canvasColour();
  for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
  return bg;
};
// opacity is the product of the opacities of el and its ancestors.
const opacity = el => {
  let o = 1;
  for (let n = el; n; n = n.parentElement) o *= parseFloat(getComputedStyle(n).opacity);
  return o;
};
const luminance = c => {
  const lin = v => (v /= 255) <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
};
const ratio = (a, b) => {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
};
`

// auditJS checks the page as it is, after opening every <details> so that
// the forms behind them are checked too, and returns one line per problem.
const auditJS = `(() => {
` + auditHelpersJS + `
const problems = [];
const say = s => problems.push(s);
document.querySelectorAll("details:not([open])").forEach(d => { d.open = true; });

// No sideways scrolling. Not window.innerWidth: in a mobile viewport
// Chromium widens the layout viewport to the content, so innerWidth grows
// with the overflow; clientWidth stays the width of the screen.
const vw = document.documentElement.clientWidth;
const sw = document.documentElement.scrollWidth;
if (sw > vw) {
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const out = [...document.body.querySelectorAll("*")].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > vw + 0.5 && !clipped(el);
  });
  const widest = out.filter(el => !out.some(o => o !== el && el.contains(o)));
  say("horizontal overflow: the page is " + sw + "px wide in a " + vw + "px viewport; sticking out: " +
    widest.slice(0, 5).map(el => describe(el) + " (right edge " + Math.round(el.getBoundingClientRect().right) + "px)").join("; "));
}

// Pictures: a text alternative, and a reserved size.
for (const img of document.images) {
  const alt = img.getAttribute("alt");
  const role = img.getAttribute("role");
  if (alt === null) say("img without alt: " + describe(img) + " src=" + img.getAttribute("src"));
  else if (!alt.trim() && role !== "presentation" && role !== "none")
    say("img with empty alt and no role=presentation: " + describe(img) + " src=" + img.getAttribute("src"));
  if (!img.hasAttribute("width") || !img.hasAttribute("height"))
    say("img without width and height attributes (the layout shifts when it loads): " + describe(img) + " src=" + img.getAttribute("src"));
}
const accessibleName = el =>
  (el.getAttribute("aria-label") || "").trim() ||
  (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean)
    .map(id => document.getElementById(id)).filter(Boolean).map(n => n.textContent.trim()).join(" ").trim() ||
  [...(el.labels || [])].map(labelText).join(" ").trim();
for (const v of document.querySelectorAll("video")) {
  if (!accessibleName(v) && !(v.getAttribute("title") || "").trim()) say("video without an accessible name: " + describe(v));
}

// Form controls: an accessible name each.
const controls = [...document.querySelectorAll("input:not([type=hidden]), select, textarea")].filter(shown);
for (const el of controls) {
  if (!accessibleName(el)) say("form control without a label, aria-label or aria-labelledby: " + describe(el));
}

// Touch targets: 44 by 44 CSS pixels, except links inside running text.
const MIN = 44;
const inSentence = a => {
  const p = a.parentElement;
  if (!p || !getComputedStyle(a).display.startsWith("inline")) return false;
  const display = getComputedStyle(p).display;
  if (display.includes("flex") || display.includes("grid")) return false;
  const c = p.cloneNode(true);
  const i = [...p.children].indexOf(a);
  c.children[i].remove();
  return /[\p{L}\p{N}]/u.test(c.textContent);
};
const targets = [...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")].filter(shown);
for (const el of targets) {
  let box = el, what = "";
  if (el.tagName === "A" && inSentence(el)) continue;
  if (el.type === "radio" || el.type === "checkbox") {
    const label = el.closest("label");
    if (label) {
      box = label;
      what = " (its label)";
    }
  }
  const r = box.getBoundingClientRect();
  if (r.width < MIN - 0.01 || r.height < MIN - 0.01)
    say("touch target " + r.width.toFixed(1) + "×" + r.height.toFixed(1) + "px, under " + MIN + "×" + MIN + ": " + describe(el) + what);
}

// Text contrast (WCAG 2.2 AA): 4.5:1, or 3:1 for large text.
const skip = "video, img, script, style, noscript, template, option, select, textarea, head";
const seen = new Set();
const checkContrast = (el, sample) => {
  if (seen.has(el)) return;
  seen.add(el);
  if (el.closest(skip + ", :disabled") && !el.matches("select, textarea, input")) return;
  if (el.matches(":disabled")) return;
  const cs = getComputedStyle(el);
  const bg = background(el);
  if (!bg) return;
  const c = rgba(cs.color);
  const fg = over([c[0], c[1], c[2], c[3] * opacity(el)], bg);
  const size = parseFloat(cs.fontSize);
  const large = size >= 24 || (size >= 18.66 && parseInt(cs.fontWeight, 10) >= 700);
  const need = large ? 3 : 4.5;
  const got = ratio(fg, bg);
  if (got < need)
    say("contrast " + (Math.floor(got * 100) / 100).toFixed(2) + ":1 under " + need + ":1" + (large ? " (large text)" : "") + ": " +
      describe(el) + (sample ? ' text "' + squash(sample, 30) + '"' : "") + ", " + show(fg) + " on " + show(bg));
};
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let t = walker.nextNode(); t; t = walker.nextNode()) {
  if (!/\S/.test(t.data)) continue;
  const el = t.parentElement;
  if (!el || el.closest(skip) || !shown(el)) continue;
  const range = document.createRange();
  range.selectNodeContents(t);
  const r = range.getBoundingClientRect();
  if (r.width <= 1 || r.height <= 1) continue;
  checkContrast(el, t.data);
}
for (const el of controls) {
  if (el.matches("select, textarea") || (/^(text|search|url|email|tel|password|number)$/.test(el.type) && el.value)) {
    if (el.matches("textarea") && !el.value) continue;
    checkContrast(el, el.matches("select") ? (el.selectedOptions[0] || {}).text : el.value);
  }
}

// Live updates are announced.
if (document.querySelector("#grid, #comments") && !document.querySelector('[aria-live="polite"]'))
  say("no aria-live=polite region on a page that updates live (#grid or #comments)");

return problems;
})()`

// focusJS describes the focused element and whether a keyboard user can
// see where the focus is: an outline, or a box-shadow, that stands out 3:1
// from what is around it. It returns null when nothing is focused.
const focusJS = `(() => {
` + auditHelpersJS + `
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
let path = "";
for (let n = el; n && n.parentElement; n = n.parentElement) path = "/" + [...n.parentElement.children].indexOf(n) + path;
const cs = getComputedStyle(el);
const res = {path, describe: describe(el), focusVisible: el.matches(":focus-visible"), problem: ""};
const width = parseFloat(cs.outlineWidth);
const outline = cs.outlineStyle !== "none" && width > 0 ? rgba(cs.outlineColor) : null;
if (outline && outline[3] > 0) {
  // An outline outside the element is seen against what is around it.
  const around = background(parseFloat(cs.outlineOffset) >= 0 && el.parentElement ? el.parentElement : el);
  if (around) {
    const seen = over(outline, around);
    const got = ratio(seen, around);
    if (got < 3) res.problem = "focus outline contrast " + got.toFixed(2) + ":1 under 3:1 (" + show(seen) + " on " + show(around) + ")";
  }
} else if (cs.boxShadow === "none") {
  res.problem = "no visible focus indicator (outline-style " + cs.outlineStyle + ", no box-shadow)";
}
return res;
})()`

type focused struct {
	Path         string `json:"path"`
	Describe     string `json:"describe"`
	FocusVisible bool   `json:"focusVisible"`
	Problem      string `json:"problem"`
}

// maxFocus is how many elements audit tabs through.
const maxFocus = 40

// audit checks the page in the tab and returns one human-readable line per
// problem, each naming the element: horizontal overflow, pictures without
// alt or size, unlabelled form controls and videos, touch targets under
// 44×44 CSS px (links inside running text excepted), text under the WCAG 2.2
// AA contrast ratio, focusable elements without a visible focus indicator,
// and live pages without an aria-live="polite" region. It opens every
// <details> and moves the focus, so take screenshots before. The focus check
// presses Tab, as a keyboard user would, because programmatic focus does not
// reliably set :focus-visible; it follows the first 40 focus stops.
func audit(ctx context.Context) ([]string, error) {
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](auditJS))
	if err != nil {
		return nil, fmt.Errorf("audit script: %w", err)
	}
	seen := map[string]bool{}
	for range maxFocus {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			return nil, fmt.Errorf("press Tab: %w", err)
		}
		f, err := chromedp.Run(ctx, chromedp.Evaluate[*focused](focusJS))
		if err != nil {
			return nil, fmt.Errorf("focus script: %w", err)
		}
		if f == nil || seen[f.Path] {
			break // past the last element, or round again
		}
		seen[f.Path] = true
		if f.Problem != "" {
			problems = append(problems, f.Problem+": "+f.Describe)
		}
	}
	return problems, nil
}
