// One coro-ls server process at a time: started, stopped and restarted in order, so that a
// restart requested while another is under way cannot leave two servers running.

import * as vscode from "vscode";
import {
  type Executable,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  TransportKind,
} from "vscode-languageclient/node";

import { type Launch, LaunchError, resolveLaunch } from "./launch";
import { pipeOther, pipeServerLog } from "./serverLog";
import { launchSettings, SECTION, serverSettings } from "./settings";

export type ServerState = "stopped" | "starting" | "running" | "failed";

// Notebook cells are separate documents with their own scheme; untitled buffers have no file.
const DOCUMENT_SELECTOR = [
  { scheme: "file", language: "python" },
  { scheme: "untitled", language: "python" },
  { scheme: "vscode-notebook-cell", language: "python" },
  { scheme: "vscode-notebook", language: "python" },
];

export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  // Clients being replaced: a settings change reaches them while they stop, and sending it
  // would only log "Sending notification workspace/didChangeConfiguration failed".
  private readonly retired = new WeakSet<LanguageClient>();
  private queue: Promise<void> = Promise.resolve();
  private _state: ServerState = "stopped";
  private _lastError: string | undefined;
  private _commandLine: string[] | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();

  readonly onDidChangeState = this.stateEmitter.event;

  constructor(readonly output: vscode.LogOutputChannel) {}

  get state(): ServerState {
    return this._state;
  }

  /** The message last shown because the server could not start; cleared by a good start. */
  get lastError(): string | undefined {
    return this._lastError;
  }

  /** The command line of the running server, or of the one that failed to start. */
  get commandLine(): string[] | undefined {
    return this._commandLine;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(): Promise<void> {
    this.retire();
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    this.retire();
    return this.enqueue(() => this.doStop());
  }

  private retire(): void {
    if (this.client !== undefined) {
      this.retired.add(this.client);
    }
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step, step);
    // A failed step must not block the ones queued after it.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private setState(state: ServerState): void {
    this._state = state;
    this.stateEmitter.fire(state);
  }

  private async doStart(): Promise<void> {
    this.setState("starting");
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    let launch: Launch;
    try {
      launch = await resolveLaunch(launchSettings(), cwd);
    } catch (error) {
      this._commandLine = undefined;
      this.fail(error instanceof LaunchError ? error.message : String(error));
      return;
    }
    this._commandLine = [launch.command, ...launch.args];
    this.output.info(`Starting the server (from ${launch.source}): ${this._commandLine.join(" ")}`);

    const executable: Executable = {
      command: launch.command,
      args: launch.args,
      // vscode-languageclient appends `--stdio` to args; coro-ls accepts it.
      transport: TransportKind.stdio,
      options: { cwd },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: () => ({ settings: serverSettings() }),
      synchronize: { configurationSection: SECTION },
      stdioOptions: { stderr: pipeServerLog, stdout: pipeOther },
      middleware: {
        workspace: {
          didChangeConfiguration: (sections, next) =>
            this.retired.has(client) ? Promise.resolve() : next(sections),
        },
      },
    };
    // The id makes the client read `coroLs.trace.server`.
    const client: LanguageClient = new LanguageClient(
      SECTION,
      "coro-ls",
      executable,
      clientOptions,
    );
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      await client.dispose().catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      this.fail(
        `coro-ls could not start. Tried: ${this._commandLine.join(" ")} --stdio (${reason}). ` +
          'Run that command in a terminal to see why, and read the "coro-ls" output for the log.',
      );
      return;
    }
    this._lastError = undefined;
    this.setState("running");
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      this.retired.add(client);
      try {
        await client.stop(5000);
      } catch (error) {
        this.output.warn(`Stopping the server: ${String(error)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    this.setState("stopped");
  }

  private fail(message: string): void {
    this._lastError = message;
    this.output.error(message);
    this.setState("failed");
    void vscode.window.showErrorMessage(message, "Open Settings", "Show Log").then((choice) => {
      if (choice === "Open Settings") {
        void vscode.commands.executeCommand("workbench.action.openSettings", SECTION);
      } else if (choice === "Show Log") {
        this.output.show();
      }
    });
  }
}
