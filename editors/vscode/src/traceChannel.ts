// The "coro-ls Trace" channel.  vscode-languageclient traces the LSP messages only while its
// trace channel's log level is Trace, which users set per channel in the Output view; here the
// channel reports the level `coroLs.trace.server` asks for, so that setting alone turns tracing
// on ("messages" or "verbose") and off, and the traced lines are written at the Info level so
// they show (and reach the channel's log file) at the default level.

import * as vscode from "vscode";

import { SECTION } from "./settings";

export function createTraceChannel(): vscode.LogOutputChannel {
  const channel = vscode.window.createOutputChannel("coro-ls Trace", { log: true });
  const levelChanged = new vscode.EventEmitter<vscode.LogLevel>();
  const level = (): vscode.LogLevel =>
    vscode.workspace.getConfiguration(SECTION).get<string>("trace.server", "off") === "off"
      ? vscode.LogLevel.Info
      : vscode.LogLevel.Trace;
  const watcher = vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(`${SECTION}.trace.server`)) {
      levelChanged.fire(level());
    }
  });
  const write = (message: string): void => channel.info(message);
  return {
    name: channel.name,
    get logLevel() {
      return level();
    },
    onDidChangeLogLevel: levelChanged.event,
    trace: write,
    debug: write,
    info: write,
    warn: (message, ...args) => channel.warn(message, ...args),
    error: (error, ...args) => channel.error(error, ...args),
    append: (value) => channel.append(value),
    appendLine: (value) => channel.appendLine(value),
    replace: (value) => channel.replace(value),
    clear: () => channel.clear(),
    show: ((columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean) =>
      channel.show(
        typeof columnOrPreserveFocus === "boolean" ? columnOrPreserveFocus : preserveFocus,
      )) as vscode.LogOutputChannel["show"],
    hide: () => channel.hide(),
    dispose: () => {
      watcher.dispose();
      levelChanged.dispose();
      channel.dispose();
    },
  };
}
