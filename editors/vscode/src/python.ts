// Which Python runs the server: `coroLs.interpreter`, else the interpreter selected in the
// Python extension (through its public API, when that extension is installed), else `python3` /
// `python` on PATH (`py -3` first on Windows).  Each candidate is asked what it is by running a
// small probe, so the log and any error message can say what was found.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PVSC_EXTENSION_ID, PythonExtension } from "@vscode/python-extension";
import * as vscode from "vscode";

/** A way to run Python: the executable and the arguments that come before the script's. */
export interface Candidate {
  command: string[];
  /** Where it came from, for the log and the messages: "coroLs.interpreter", "PATH", ... */
  source: string;
  /** Nothing else is tried when an explicitly chosen interpreter does not do. */
  chosen: boolean;
}

export interface Probe {
  executable: string;
  version: [number, number, number];
  /** The interpreter's own coro-ls, when asked for and it imports with its server. */
  coroLs?: { version: string; location: string };
  /** Why the interpreter's coro-ls did not import, when it has one that does not. */
  importError?: string;
}

export interface Candidates {
  candidates: Candidate[];
  /** What was looked at and found nothing, for the message when no candidate does. */
  tried: string[];
}

// Runs under any Python the user may have, Python 2 included, so that "too old" can be said
// with the version found.  With "coro_ls" as argument it also imports the interpreter's own
// coro-ls the way `python -m coro_ls` would (from the working directory first), server included,
// so that a coro-ls installed without its dependencies counts as none.
const PROBE = `
import json, os, sys
info = {"executable": sys.executable, "version": list(sys.version_info[:3])}
if sys.argv[1:] == ["coro_ls"]:
    try:
        import coro_ls
        import coro_ls.server
        info["coroLs"] = {"version": str(getattr(coro_ls, "__version__", "unknown")),
                          "location": os.path.dirname(os.path.abspath(coro_ls.__file__))}
    except Exception as error:
        if "coro_ls" in sys.modules:
            info["importError"] = "%s: %s" % (type(error).__name__, error)
sys.stdout.write(json.dumps(info))
`;

export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function describeMissing(file: string): string {
  if (!fs.existsSync(file)) {
    return "no such file";
  }
  if (fs.statSync(file).isDirectory()) {
    return "a directory, not an executable";
  }
  return "not executable";
}

/** The first `name` on PATH (with PATHEXT on Windows), as a shell would find it. */
export function whichOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? "").split(path.delimiter).filter((dir) => dir !== "");
  const suffixes =
    process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";").concat([""]) : [""];
  for (const dir of dirs) {
    for (const suffix of suffixes) {
      const candidate = path.join(dir, name + suffix);
      if (isExecutableFile(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** The interpreter the Python extension has selected for `resource`, when it is installed. */
async function fromPythonExtension(
  resource: vscode.Uri | undefined,
  tried: string[],
): Promise<Candidate | undefined> {
  if (vscode.extensions.getExtension(PVSC_EXTENSION_ID) === undefined) {
    tried.push("the Python extension (not installed)");
    return undefined;
  }
  try {
    const environments = (await PythonExtension.api()).environments;
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await environments.resolveEnvironment(active);
    const executable = resolved?.executable.uri?.fsPath;
    if (executable === undefined) {
      tried.push(`the Python extension's interpreter "${active.path}" (not resolved)`);
      return undefined;
    }
    return { command: [executable], source: "the Python extension", chosen: true };
  } catch (error) {
    tried.push(`the Python extension (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

function onPath(tried: string[]): Candidate[] {
  const names: [string, string[]][] =
    process.platform === "win32"
      ? [
          ["py", ["-3"]],
          ["python", []],
        ]
      : [
          ["python3", []],
          ["python", []],
        ];
  const found: Candidate[] = [];
  for (const [name, args] of names) {
    const file = whichOnPath(name);
    if (file !== undefined) {
      found.push({ command: [file, ...args], source: "PATH", chosen: false });
    }
  }
  if (found.length === 0) {
    const what = names.map(([name, args]) => [name, ...args].join(" ")).join(", ");
    tried.push(`${what} on PATH (not found in ${process.env.PATH || "an empty PATH"})`);
  }
  return found;
}

/** The interpreters to try, in order; `tried` says what was looked at before them. */
export async function findCandidates(
  interpreter: string,
  resource: vscode.Uri | undefined,
): Promise<Candidates> {
  const tried: string[] = [];
  if (interpreter) {
    return {
      candidates: [{ command: [interpreter], source: "coroLs.interpreter", chosen: true }],
      tried,
    };
  }
  tried.push("coroLs.interpreter (not set)");
  const selected = await fromPythonExtension(resource, tried);
  if (selected !== undefined) {
    return { candidates: [selected], tried };
  }
  return { candidates: onPath(tried), tried };
}

/** What `candidate` is, or why it could not tell. */
export function probe(
  candidate: Candidate,
  withCoroLs: boolean,
  cwd: string | undefined,
): Promise<Probe | string> {
  const [command, ...prefix] = candidate.command;
  if (path.isAbsolute(command) && !isExecutableFile(command)) {
    return Promise.resolve(describeMissing(command));
  }
  if (!path.isAbsolute(command) && !command.includes(path.sep) && !whichOnPath(command)) {
    return Promise.resolve("not found on PATH");
  }
  const args = [...prefix, "-c", PROBE, ...(withCoroLs ? ["coro_ls"] : [])];
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: 20000, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) {
        try {
          resolve(JSON.parse(String(stdout)) as Probe);
          return;
        } catch {
          // Not a Python after all: said below.
        }
      }
      const said = String(stderr).trim().split(/\r?\n/).pop();
      resolve(`it failed: ${said || error?.message || `it printed ${JSON.stringify(stdout)}`}`);
    });
  });
}

/** Restarts the server when the interpreter selected in the Python extension changes. */
export async function watchPythonExtension(
  onChange: () => void,
): Promise<vscode.Disposable | undefined> {
  if (vscode.extensions.getExtension(PVSC_EXTENSION_ID) === undefined) {
    return undefined;
  }
  try {
    return (await PythonExtension.api()).environments.onDidChangeActiveEnvironmentPath(onChange);
  } catch {
    return undefined;
  }
}
