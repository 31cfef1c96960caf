// The coro-ls extension: starts the coro-ls language server for Python files, untitled Python
// buffers and notebook cells, and keeps it in step with the `coroLs.*` launch settings.

import { PVSC_EXTENSION_ID } from "@vscode/python-extension";
import * as vscode from "vscode";

import type { Launch } from "./launch";
import { watchPythonExtension } from "./python";
import { type ServerState, ServerManager } from "./server";
import { affectsLaunch, SECTION } from "./settings";
import { createTraceChannel } from "./traceChannel";

/** What `vscode.extensions.getExtension("coro-ls.coro-ls").exports` offers other extensions. */
export interface CoroLsApi {
  readonly state: ServerState;
  readonly lastError: string | undefined;
  readonly commandLine: string[] | undefined;
  /** Which interpreter and which coro-ls (bundled or the environment's) the server runs with. */
  readonly launch: Launch | undefined;
  readonly onDidChangeState: vscode.Event<ServerState>;
  restart(): Promise<void>;
}

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<CoroLsApi> {
  const output = vscode.window.createOutputChannel("coro-ls", { log: true });
  const trace = createTraceChannel();
  const server = new ServerManager(output, trace, context.extensionPath);
  manager = server;
  context.subscriptions.push(
    output,
    trace,
    vscode.commands.registerCommand("coroLs.restart", () => server.restart()),
    vscode.commands.registerCommand("coroLs.showLog", () => output.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsLaunch(event)) {
        output.info("Launch settings changed: restarting the server");
        void server.restart();
      }
    }),
  );
  // The Python extension's selection matters only while no setting names the server.
  const followsPythonExtension = (): boolean => {
    const config = vscode.workspace.getConfiguration(SECTION);
    return !config.get<string>("path") && !config.get<string>("interpreter");
  };
  let watched: Promise<boolean> | undefined;
  const watch = (): Promise<boolean> =>
    (watched ??= watchPythonExtension(() => {
      if (followsPythonExtension()) {
        output.info("The interpreter selected in the Python extension changed: restarting the server");
        void server.restart();
      }
    }).then((watcher) => {
      if (watcher === undefined) {
        watched = undefined;
        return false;
      }
      context.subscriptions.push(watcher);
      return true;
    }));
  void watch();
  context.subscriptions.push(
    // Installed (or enabled) while coro-ls runs: its interpreter is used from now on.
    vscode.extensions.onDidChange(async () => {
      if (watched === undefined && vscode.extensions.getExtension(PVSC_EXTENSION_ID) !== undefined) {
        if ((await watch()) && followsPythonExtension()) {
          output.info("The Python extension is there now: restarting the server");
          void server.restart();
        }
      }
    }),
  );
  void server.start();
  return {
    get state() {
      return server.state;
    },
    get lastError() {
      return server.lastError;
    },
    get commandLine() {
      return server.commandLine;
    },
    get launch() {
      return server.launch;
    },
    onDidChangeState: server.onDidChangeState,
    restart: () => server.restart(),
  };
}

export function deactivate(): Promise<void> | undefined {
  // Returning the promise lets the server answer `shutdown` before the extension host exits.
  const stopping = manager?.stop();
  manager = undefined;
  return stopping;
}
