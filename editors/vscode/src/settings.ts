// The extension's view of the `coroLs.*` settings.  Launch settings are read here; the others
// are the server's business and travel to it unchanged.

import * as os from "node:os";
import * as vscode from "vscode";

export const SECTION = "coroLs";

/** Settings that change which process runs: a change restarts the server. */
export const LAUNCH_KEYS = ["path", "interpreter", "importStrategy", "args"] as const;

/** Which coro-ls runs: the interpreter's own when it has one, or always the bundled one. */
export type ImportStrategy = "fromEnvironment" | "useBundled";

export interface LaunchSettings {
  path: string;
  interpreter: string;
  importStrategy: ImportStrategy;
  args: string[];
}

function expand(value: string, folder: vscode.WorkspaceFolder | undefined): string {
  let result = value.trim();
  if (result === "~" || result.startsWith("~/")) {
    result = os.homedir() + result.slice(1);
  }
  if (folder !== undefined) {
    result = result.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath);
  }
  return result;
}

export function launchSettings(): LaunchSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const folder = vscode.workspace.workspaceFolders?.[0];
  return {
    path: expand(config.get<string>("path") ?? "", folder),
    interpreter: expand(config.get<string>("interpreter") ?? "", folder),
    importStrategy:
      config.get<string>("importStrategy") === "useBundled" ? "useBundled" : "fromEnvironment",
    args: (config.get<string[]>("args") ?? []).map((arg) => expand(arg, folder)),
  };
}

/** The server's own settings, as sent in `initializationOptions`. */
export function serverSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    targetVersion: config.get("targetVersion") ?? null,
    topLevelAwait: config.get("topLevelAwait") ?? null,
    select: config.get("select") ?? [],
    ignore: config.get("ignore") ?? [],
    severity: config.get("severity") ?? {},
  };
}

export function affectsLaunch(event: vscode.ConfigurationChangeEvent): boolean {
  return LAUNCH_KEYS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`));
}
