// A stand-in for the Python extension (ms-python.python): the parts of its public API that
// @vscode/python-extension's `PythonExtension.api()` hands to coro-ls, with the selected
// interpreter taken from `python.defaultInterpreterPath` (the setting the real extension also
// reads), so that a test selects an interpreter by changing that setting.
"use strict";

const fs = require("fs");
const vscode = require("vscode");

function activate(context) {
  const changed = new vscode.EventEmitter();
  const selected = () =>
    vscode.workspace.getConfiguration("python").get("defaultInterpreterPath") || "python";
  context.subscriptions.push(
    changed,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("python.defaultInterpreterPath")) {
        const path = selected();
        changed.fire({ id: path, path, resource: undefined });
      }
    }),
  );
  const environments = {
    getActiveEnvironmentPath(_resource) {
      const path = selected();
      return { id: path, path };
    },
    // As the real one: undefined for a path that is not an interpreter.
    async resolveEnvironment(environment) {
      const path = typeof environment === "string" ? environment : environment.path;
      if (!fs.existsSync(path) || !fs.statSync(path).isFile()) {
        return undefined;
      }
      return {
        id: path,
        path,
        executable: { uri: vscode.Uri.file(path), bitness: "Unknown", sysPrefix: "" },
        environment: undefined,
        tools: [],
        version: undefined,
      };
    },
    onDidChangeActiveEnvironmentPath: changed.event,
    known: [],
  };
  return { ready: Promise.resolve(), environments };
}

module.exports = { activate, deactivate() {} };
