// One coro-ls server process at a time: started, stopped and restarted in order, so that a
// restart requested while another is under way cannot leave two servers running.

import { type ChildProcess, spawn } from "node:child_process";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  type ErrorHandler,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
} from "vscode-languageclient/node";

import { type Bundle, readBundle } from "./bundle";
import { type Launch, LaunchError, resolveLaunch } from "./launch";
import { pipeServerLog } from "./serverLog";
import { launchSettings, SECTION, serverSettings } from "./settings";

export type ServerState = "stopped" | "starting" | "running" | "failed";

// As vscode-languageclient's default: a server that crashes is restarted, up to 4 times in 3 min.
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

// Notebook cells are separate documents with their own scheme; untitled buffers have no file.
const DOCUMENT_SELECTOR = [
  { scheme: "file", language: "python" },
  { scheme: "untitled", language: "python" },
  { scheme: "vscode-notebook-cell", language: "python" },
  { scheme: "vscode-notebook", language: "python" },
];

/**
 * The server process, spawned here rather than by vscode-languageclient so that when it does not
 * start, the message can say how it ended and what it wrote to stderr.
 */
class ServerProcess {
  readonly child: ChildProcess;
  /** The last lines the server wrote to stderr. */
  readonly stderrTail: string[] = [];
  private readonly closed: Promise<void>;

  constructor(launch: Launch, cwd: string | undefined, output: vscode.LogOutputChannel) {
    // `--stdio` as vscode-languageclient passes it to the servers it spawns; coro-ls accepts it.
    this.child = spawn(launch.command, [...launch.args, "--stdio"], {
      cwd,
      env: process.env,
      stdio: "pipe",
      windowsHide: true,
    });
    this.child.on("error", (error) => output.error(`The server process: ${error.message}`));
    // 'close' comes after the process ended and its stderr was read to the end.
    this.closed = new Promise((resolve) => this.child.once("close", () => resolve()));
    const stderr = this.child.stderr;
    if (stderr !== null) {
      pipeServerLog(stderr, output, (line) => {
        this.stderrTail.push(line);
        this.stderrTail.splice(0, this.stderrTail.length - 5);
      });
    }
  }

  /** How the process ended and what it said, once it has (or after `waitMs`). */
  async ending(waitMs: number): Promise<string | undefined> {
    await Promise.race([this.closed, new Promise((resolve) => setTimeout(resolve, waitMs))]);
    const parts = [];
    if (this.child.exitCode !== null) {
      parts.push(`it exited with status ${this.child.exitCode}`);
    } else if (this.child.signalCode !== null) {
      parts.push(`it was killed by ${this.child.signalCode}`);
    }
    const said = this.stderrTail.filter((line) => line.trim() !== "").join(" | ");
    if (said !== "") {
      parts.push(`it said: ${said}`);
    }
    return parts.length > 0 ? parts.join("; ") : undefined;
  }

  /** Ends a server that outlived `exit` (the client does not kill processes it did not spawn). */
  async reap(waitMs: number): Promise<void> {
    await Promise.race([this.closed, new Promise((resolve) => setTimeout(resolve, waitMs))]);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill();
    }
  }
}

export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private process: ServerProcess | undefined;
  // Clients being replaced: a settings change reaches them while they stop, and sending it
  // would only log "Sending notification workspace/didChangeConfiguration failed".
  private readonly retired = new WeakSet<LanguageClient>();
  private queue: Promise<void> = Promise.resolve();
  private _state: ServerState = "stopped";
  private _lastError: string | undefined;
  private _commandLine: string[] | undefined;
  private _launch: Launch | undefined;
  private readonly bundle: Bundle | string;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();

  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    readonly output: vscode.LogOutputChannel,
    readonly trace: vscode.LogOutputChannel,
    extensionPath: string,
  ) {
    this.bundle = readBundle(extensionPath);
  }

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

  /** How the running server (or the one that failed to start) was chosen. */
  get launch(): Launch | undefined {
    return this._launch;
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
    const folder = vscode.workspace.workspaceFolders?.[0];
    const cwd = folder?.uri.fsPath;
    let launch: Launch;
    try {
      launch = await resolveLaunch(launchSettings(), cwd, folder?.uri, this.bundle);
    } catch (error) {
      this._commandLine = undefined;
      this._launch = undefined;
      if (error instanceof LaunchError) {
        this.fail(error.message, error.setting);
      } else {
        this.fail(String(error));
      }
      return;
    }
    this._launch = launch;
    this._commandLine = [launch.command, ...launch.args];
    this.describe(launch);
    this.output.info(`Starting the server (from ${launch.source}): ${this._commandLine.join(" ")}`);

    // Called again when the client restarts a server that crashed.
    const serverOptions = async (): Promise<ChildProcess> => {
      this.process = new ServerProcess(launch, cwd, this.output);
      return this.process.child;
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      traceOutputChannel: this.trace,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: () => serverSettings(),
      synchronize: { configurationSection: SECTION },
      // The ServerProcess reads stderr.
      stdioOptions: { stderr: () => undefined, stdout: () => undefined },
      // Without these the client shows messages of its own ("write EPIPE", "couldn't create
      // connection to server") beside the one below, which says what was tried.
      initializationFailedHandler: () => false,
      errorHandler: this.errorHandler(),
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
      serverOptions,
      clientOptions,
    );
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      await client.dispose().catch(() => undefined);
      const ended = await this.process?.ending(2000);
      const reason = ended ?? (error instanceof Error ? error.message : String(error));
      this.fail(
        `coro-ls could not start. Tried: ${this._commandLine.join(" ")} --stdio (${reason}). ` +
          'Run that command in a terminal to see why; the "coro-ls" output has the log.',
      );
      return;
    }
    this._lastError = undefined;
    this.setState("running");
  }

  /** Which interpreter and which coro-ls run, for the log. */
  private describe(launch: Launch): void {
    for (const note of launch.notes) {
      this.output.warn(note);
    }
    if (launch.python !== undefined) {
      const { executable, version, source } = launch.python;
      this.output.info(`Python ${version}: ${executable} (from ${source})`);
    }
    if (launch.coroLs !== undefined) {
      const { origin, version, location } = launch.coroLs;
      const where =
        origin === "bundled" ? "bundled with the extension" : "installed in that environment";
      this.output.info(`coro-ls ${version}, ${where}: ${location}`);
    }
  }

  private errorHandler(): ErrorHandler {
    const restarts: number[] = [];
    return {
      error: (_error, _message, count) => ({
        action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
        handled: true,
      }),
      closed: () => {
        // A server that never answered `initialize` will not on a second try: doStart reports it.
        if (this._state !== "running") {
          return { action: CloseAction.DoNotRestart, handled: true };
        }
        const now = Date.now();
        restarts.push(now);
        while (now - restarts[0] > RESTART_WINDOW_MS) {
          restarts.shift();
        }
        if (restarts.length <= MAX_RESTARTS) {
          this.output.warn("The server stopped unexpectedly: restarting it");
          return { action: CloseAction.Restart, handled: true };
        }
        void this.crashed();
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    };
  }

  private async crashed(): Promise<void> {
    const ended = await this.process?.ending(2000);
    this.fail(
      `coro-ls stopped ${MAX_RESTARTS + 1} times in 3 minutes and is not restarted. Last run: ` +
        `${(this._commandLine ?? []).join(" ")} --stdio (${ended ?? "no reason given"}). ` +
        'The "coro-ls" output has the log; "coro-ls: Restart server" starts it again.',
    );
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
    await this.process?.reap(2000);
    this.process = undefined;
    this.setState("stopped");
  }

  private fail(message: string, setting: string = SECTION): void {
    this._lastError = message;
    this.output.error(message);
    this.setState("failed");
    void vscode.window.showErrorMessage(message, "Open Settings", "Show Log").then((choice) => {
      if (choice === "Open Settings") {
        void vscode.commands.executeCommand("workbench.action.openSettings", setting);
      } else if (choice === "Show Log") {
        this.output.show();
      }
    });
  }
}
