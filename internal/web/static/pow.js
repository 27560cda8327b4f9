// chatpic proof-of-work solver: finds a decimal counter such that
// SHA-256(token + ":" + counter) starts with `bits` zero bits, the puzzle
// internal/pow checks. No dependencies, no build step. It works in short
// chunks and yields between them so the page stays responsive.
//
//   chatpicPow.solve(token, bits, onProgress) -> Promise<string>
//
// onProgress, if given, is called with the number of hashes tried after
// every chunk, the last one included. The promise rejects on a malformed
// token or bits.
"use strict";
(function () {
  // SHA-256 round constants.
  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var IV = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  ]);
  var W = new Int32Array(64);

  // compress runs the SHA-256 compression function over the 64-byte block
  // of m at offset p, updating the state h in place. Int32 arithmetic
  // wraps like the uint32 arithmetic of the spec.
  function compress(h, m, p) {
    var i, x, y;
    for (i = 0; i < 16; i++, p += 4) W[i] = m[p] << 24 | m[p + 1] << 16 | m[p + 2] << 8 | m[p + 3];
    for (i = 16; i < 64; i++) {
      x = W[i - 15];
      y = W[i - 2];
      W[i] = ((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ x >>> 3) +
        ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ y >>> 10) + W[i - 7] + W[i - 16];
    }
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (i = 0; i < 64; i++) {
      x = k + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) + (e & f ^ ~e & g) + K[i] + W[i] | 0;
      y = ((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) + (a & b ^ a & c ^ b & c) | 0;
      k = g; g = f; f = e; e = d + x | 0; d = c; c = b; b = a; a = x + y | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
  }

  // zeros reports whether the digest h starts with at least n zero bits.
  function zeros(h, n) {
    for (var i = 0; n > 0; i++, n -= 32) {
      if (n >= 32 ? h[i] !== 0 : h[i] >>> (32 - n) !== 0) return false;
    }
    return true;
  }

  // later runs f as a new task. A MessageChannel message is not clamped to
  // 4 ms the way nested setTimeout calls are.
  var later = function (f) { setTimeout(f, 0); };
  if (typeof MessageChannel === "function") {
    var channel = new MessageChannel(), queue = [];
    channel.port1.onmessage = function () { queue.shift()(); };
    later = function (f) { queue.push(f); channel.port2.postMessage(0); };
  }

  function solve(token, bits, onProgress) {
    return new Promise(function (resolve, reject) {
      if (typeof token !== "string" || !/^[A-Za-z0-9_-]{1,200}$/.test(token) ||
          typeof bits !== "number" || !(bits >= 0 && bits <= 64)) {
        reject(new Error("chatpicPow: malformed challenge"));
        return;
      }
      var start = token.length + 1; // where the counter begins
      var digits = [48]; // the counter as ASCII digits, starting at "0"
      var msg, tried = 0, h = new Int32Array(8);

      // layout writes token:counter and the SHA-256 padding into msg; it
      // runs again only when the counter gains a digit.
      function layout() {
        var len = start + digits.length, i;
        msg = new Uint8Array((len + 72) & ~63);
        for (i = 0; i < token.length; i++) msg[i] = token.charCodeAt(i);
        msg[token.length] = 58; // ":"
        msg.set(digits, start);
        msg[len] = 0x80;
        for (i = 1, len *= 8; i <= 4; i++, len = Math.floor(len / 256)) msg[msg.length - i] = len & 255;
      }

      // next adds one to the counter, in place.
      function next() {
        for (var i = digits.length - 1; i >= 0; i--) {
          if (digits[i] < 57) { msg[start + i] = ++digits[i]; return; }
          msg[start + i] = digits[i] = 48;
        }
        digits.unshift(49);
        layout();
      }

      // chunk hashes for about 20 ms, then yields to the page.
      function chunk() {
        var until = Date.now() + 20, n, p;
        do {
          for (n = 0; n < 1024; n++) {
            h.set(IV);
            for (p = 0; p < msg.length; p += 64) compress(h, msg, p);
            tried++;
            if (zeros(h, bits)) {
              if (onProgress) onProgress(tried);
              resolve(String.fromCharCode.apply(null, digits));
              return;
            }
            next();
          }
        } while (Date.now() < until);
        if (onProgress) onProgress(tried);
        later(step);
      }

      // step runs a chunk, turning an exception (say, from onProgress)
      // into a rejection rather than a promise that never settles.
      function step() {
        try { chunk(); } catch (err) { reject(err); }
      }

      layout();
      later(step);
    });
  }

  window.chatpicPow = { solve: solve };
})();
