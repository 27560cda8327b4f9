// Loads internal/web/static/pow.js the way a page does (a plain script
// with a bare window object: no modules, no Node APIs) and solves the
// tokens given on the command line, printing one JSON line:
//
//   node solve.js path/to/pow.js bits token... -> {"solutions":[...],"hashes":N,"ns":N,"progress":N}
//
// hashes counts the candidates tried (counter + 1 per token) and ns the
// time taken, so the caller can work out nanoseconds per hash.
"use strict";
const fs = require("fs");
const vm = require("vm");

const [file, bits, ...tokens] = process.argv.slice(2);
const window = {};
vm.runInNewContext(fs.readFileSync(file, "utf8"), { window, setTimeout, MessageChannel }, { filename: file });

(async () => {
  const solutions = [];
  let hashes = 0, progress = 0;
  const start = process.hrtime.bigint();
  for (const token of tokens) {
    const s = await window.chatpicPow.solve(token, Number(bits), (n) => { progress += n > 0 ? 1 : 0; });
    solutions.push(s);
    hashes += Number(s) + 1;
  }
  const ns = Number(process.hrtime.bigint() - start);
  process.stdout.write(JSON.stringify({ solutions, hashes, ns, progress }) + "\n");
  process.exit(0);
})().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + "\n");
  process.exit(1);
});
