// Runs inside VS Code's extension host, next to the coro-ls extension, when the workspace holds
// .coro-ls-harness.json (written by tests/editors/test_vscode.py).  It does what a user does:
// opens the sample, reads the diagnostics VS Code shows, asks for code actions at the cursor as
// the light bulb does and applies one, then changes how the server is found (settings, the
// interpreter selected in the Python extension, PATH).  Everything observed goes to the JSON
// result file that the pytest test compares with the engine's findings.
"use strict";

const fs = require("fs");
const path = require("path");
const vscode = require("vscode");

const CORO_LS = "coro-ls.coro-ls";

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(50);
  }
}

function plainRange(range) {
  return {
    start: { line: range.start.line, character: range.start.character },
    end: { line: range.end.line, character: range.end.character },
  };
}

function plainDiagnostic(d) {
  // `code` is a string/number, or { value, target } when the server sends a codeDescription.
  const code = d.code !== null && typeof d.code === "object" ? d.code.value : d.code;
  const target = d.code !== null && typeof d.code === "object" ? String(d.code.target) : null;
  return {
    code: code === undefined ? null : code,
    code_href: target,
    message: d.message,
    source: d.source === undefined ? null : d.source,
    severity: vscode.DiagnosticSeverity[d.severity],
    range: plainRange(d.range),
  };
}

async function readDiagnostics(uri, expectedCount, timeoutMs) {
  // Too few after the timeout is reported as seen: the test shows the difference.
  await waitFor(
    () => vscode.languages.getDiagnostics(uri).length >= expectedCount,
    timeoutMs,
    `${expectedCount} diagnostics on ${uri.toString()}`,
  ).catch(() => undefined);
  // Give a server that reports more than expected the time to be seen doing it.
  await sleep(750);
  return vscode.languages.getDiagnostics(uri).map(plainDiagnostic);
}

async function untitledDiagnostics(source, expectedCount, timeoutMs) {
  const document = await vscode.workspace.openTextDocument({ language: "python", content: source });
  await vscode.window.showTextDocument(document);
  const seen = { scheme: document.uri.scheme };
  seen.diagnostics = await readDiagnostics(document.uri, expectedCount, timeoutMs);
  await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  return seen;
}

async function runCodeAction(editor, spec, result) {
  const position = new vscode.Position(spec.line, spec.character);
  // The light bulb asks at the cursor: an empty selection, not the statement's range.
  editor.selection = new vscode.Selection(position, position);
  const actions =
    (await vscode.commands.executeCommand(
      "vscode.executeCodeActionProvider",
      editor.document.uri,
      editor.selection,
      undefined,
      // Resolve lazily filled edits (codeAction/resolve) as applying from the menu would.
      100,
    )) || [];
  result.offered = actions.map((a) => ({
    title: a.title,
    kind: a.kind ? a.kind.value : null,
    has_edit: Boolean(a.edit),
    command: a.command ? a.command.command : null,
  }));
  const action = actions.find((a) => a.title === spec.title);
  if (!action) {
    return;
  }
  if (action.edit) {
    result.applied = await vscode.workspace.applyEdit(action.edit);
  }
  if (action.command) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments || []));
    result.applied = true;
  }
  result.text_after = editor.document.getText();
}

async function notebookCellDiagnostics(source, expectedCount, timeoutMs) {
  const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, "python");
  const notebook = await vscode.workspace.openNotebookDocument(
    "jupyter-notebook",
    new vscode.NotebookData([cell]),
  );
  await vscode.window.showNotebookDocument(notebook);
  const uri = notebook.cellAt(0).document.uri;
  const seen = { scheme: uri.scheme, language_id: notebook.cellAt(0).document.languageId };
  seen.diagnostics = await readDiagnostics(uri, expectedCount, timeoutMs);
  await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  return seen;
}

// A file whose error depends on coroLs.targetVersion: read without the setting, then with it
// set in the workspace's settings.json (as the Settings editor does), then without it again.
async function settingDiagnostics(spec, timeoutMs) {
  const uri = vscode.Uri.file(spec.file);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document);
  // The server answers in order: once it answered a hover on this file, it has checked it.
  await vscode.commands.executeCommand("vscode.executeHoverProvider", uri, new vscode.Position(0, 0));
  const seen = { without: await readDiagnostics(uri, spec.count_without, timeoutMs) };
  const config = vscode.workspace.getConfiguration("coroLs");
  await config.update("targetVersion", spec.target, vscode.ConfigurationTarget.Workspace);
  seen.with = await readDiagnostics(uri, spec.count_with, timeoutMs);
  await config.update("targetVersion", undefined, vscode.ConfigurationTarget.Workspace);
  await waitFor(
    () => vscode.languages.getDiagnostics(uri).length === spec.count_without,
    timeoutMs,
    "the diagnostics without coroLs.targetVersion",
  ).catch(() => undefined);
  seen.removed = vscode.languages.getDiagnostics(uri).map(plainDiagnostic);
  await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
  return seen;
}

async function checkRestart(api, uri, expectedCount, timeoutMs) {
  const states = [];
  const subscription = api.onDidChangeState((state) => states.push(state));
  await vscode.commands.executeCommand("coroLs.restart");
  subscription.dispose();
  // The old server's diagnostics go with it; the new one must publish them again.
  const diagnostics = await readDiagnostics(uri, expectedCount, timeoutMs);
  return { states, diagnostics };
}

function nextSettledState(api, timeoutMs) {
  return new Promise((resolve, reject) => {
    const subscription = api.onDidChangeState((state) => {
      if (state === "running" || state === "failed") {
        clearTimeout(timer);
        subscription.dispose();
        resolve(state);
      }
    });
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`the server neither ran nor failed within ${timeoutMs} ms`));
    }, timeoutMs);
  });
}

// How the server was started, as the extension reports it.
function launchState(api) {
  return {
    state: api.state,
    message: api.lastError === undefined ? null : api.lastError,
    command: api.commandLine || null,
    launch: api.launch === undefined ? null : api.launch,
  };
}

// Each step changes settings as a user editing settings.json would (full keys; null removes the
// setting), runs a command or installs an extension; each restarts the server, and the step
// records how that went.
// `path_env` stands in for an extension host whose PATH has no Python.
async function launchSteps(api, steps, timeoutMs) {
  const config = vscode.workspace.getConfiguration();
  const seen = [];
  for (const step of steps) {
    const savedPath = process.env.PATH;
    if (step.path_env !== undefined) {
      process.env.PATH = step.path_env;
    }
    try {
      const settled = nextSettledState(api, timeoutMs);
      for (const [key, value] of Object.entries(step.settings || {})) {
        await config.update(key, value === null ? undefined : value, vscode.ConfigurationTarget.Global);
      }
      if (step.command) {
        await vscode.commands.executeCommand(step.command);
      }
      if (step.install) {
        // As "Install from VSIX...": into the running window, no reload.
        await vscode.commands.executeCommand(
          "workbench.extensions.installExtension",
          vscode.Uri.file(step.install),
        );
      }
      await settled;
    } finally {
      process.env.PATH = savedPath;
    }
    seen.push({ name: step.name, ...launchState(api) });
  }
  return seen;
}

async function run(plan, result) {
  result.vscode_version = vscode.version;
  const extension = vscode.extensions.getExtension(CORO_LS);
  if (!extension) {
    throw new Error(`extension ${CORO_LS} is not installed`);
  }
  result.extension_version = extension.packageJSON.version;
  // The defaults VS Code took from the extension's contributed settings.
  const config = vscode.workspace.getConfiguration("coroLs");
  result.setting_defaults = {};
  for (const key of Object.keys(extension.packageJSON.contributes.configuration.properties)) {
    const inspected = config.inspect(key.slice("coroLs.".length));
    result.setting_defaults[key] = inspected === undefined ? "<unknown>" : inspected.defaultValue;
  }
  const api = await extension.activate();
  await waitFor(() => api.state === "running" || api.state === "failed", plan.timeout_ms, "the server to start");
  result.start = launchState(api);
  if (api.state !== "running") {
    return;
  }

  const uri = vscode.Uri.file(plan.sample);
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document);
  result.language_id = document.languageId;
  result.diagnostics = await readDiagnostics(uri, plan.expected_count, plan.timeout_ms);

  if (plan.action) {
    result.action = {};
    await runCodeAction(editor, plan.action, result.action);
  }
  // Leave the buffer as it was on disk: nothing below should see the edit.
  await vscode.commands.executeCommand("workbench.action.files.revert");

  if (plan.untitled) {
    result.untitled = await untitledDiagnostics(plan.untitled.source, plan.untitled.expected_count, plan.timeout_ms);
  }

  if (plan.notebook) {
    result.notebook = await notebookCellDiagnostics(plan.notebook.source, plan.notebook.expected_count, plan.timeout_ms);
  }

  if (plan.setting) {
    result.setting = await settingDiagnostics(plan.setting, plan.timeout_ms);
  }

  if (plan.restart) {
    result.restart = await checkRestart(api, uri, plan.expected_count, plan.timeout_ms);
  }

  if (plan.launch_steps) {
    result.launch_steps = await launchSteps(api, plan.launch_steps, plan.timeout_ms);
  }
}

async function activate() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  if (!folder) {
    return;
  }
  const plan = JSON.parse(fs.readFileSync(path.join(folder.uri.fsPath, ".coro-ls-harness.json"), "utf8"));
  const result = {};
  try {
    await run(plan, result);
  } catch (error) {
    result.error = error && error.stack ? error.stack : String(error);
  }
  // Written whole, then renamed, so the test never reads half a file.
  fs.writeFileSync(plan.result + ".part", JSON.stringify(result, null, 2));
  fs.renameSync(plan.result + ".part", plan.result);
}

module.exports = { activate, deactivate() {} };
