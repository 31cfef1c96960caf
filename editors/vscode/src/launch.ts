// Which command starts the server: `coroLs.path`, else `<coroLs.interpreter> -m coro_ls`, else
// `coro-ls` from PATH.  Checked before starting so that a user who cannot get the server running
// is told what was tried and how to fix it, instead of a bare "spawn ENOENT".

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import type { LaunchSettings } from "./settings";

export interface Launch {
  command: string;
  args: string[];
  /** Which setting chose the command, for the log: "coroLs.path", "PATH", ... */
  source: string;
}

/** Why the server cannot start: what was tried and what the user can do about it. */
export class LaunchError extends Error {
  constructor(
    readonly tried: string[],
    readonly fix: string,
  ) {
    super(`coro-ls could not start. Tried: ${tried.join("; ")}. ${fix}`);
    this.name = "LaunchError";
  }
}

const INSTALL_HINT = "python -m pip install coro-ls";

function isExecutableFile(file: string): boolean {
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

function describeMissing(file: string): string {
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

/**
 * Whether `interpreter` can import coro_ls, run from `cwd` as the server will be (a checkout of
 * coro-ls imports from its working directory); the import error's last line when it cannot.
 */
function importProblem(interpreter: string, cwd: string | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      interpreter,
      ["-c", "import coro_ls"],
      { cwd, timeout: 15000, windowsHide: true },
      (error, _stdout, stderr) => {
        if (!error) {
          resolve(undefined);
          return;
        }
        const lines = String(stderr).trim().split(/\r?\n/);
        resolve(lines[lines.length - 1] || error.message);
      },
    );
  });
}

export async function resolveLaunch(
  settings: LaunchSettings,
  cwd: string | undefined,
): Promise<Launch> {
  const extra = settings.args;
  if (settings.path) {
    if (!isExecutableFile(settings.path)) {
      throw new LaunchError(
        [`coroLs.path = "${settings.path}" (${describeMissing(settings.path)})`],
        "Set coroLs.path to the coro-ls executable (for example .venv/bin/coro-ls), " +
          "or clear it to use coroLs.interpreter or coro-ls from PATH.",
      );
    }
    return { command: settings.path, args: extra, source: "coroLs.path" };
  }
  if (settings.interpreter) {
    const interpreter = settings.interpreter;
    const tried = `coroLs.interpreter = "${interpreter}" with -m coro_ls`;
    if (!isExecutableFile(interpreter) && whichOnPath(interpreter) === undefined) {
      throw new LaunchError(
        [`${tried} (${describeMissing(interpreter)})`],
        "Set coroLs.interpreter to a Python interpreter that has coro-ls installed, or clear it.",
      );
    }
    const problem = await importProblem(interpreter, cwd);
    if (problem !== undefined) {
      throw new LaunchError(
        [`${tried} (${problem})`],
        `Install coro-ls into that interpreter ("${interpreter}" -m pip install coro-ls), ` +
          "or set coroLs.interpreter to one that has it.",
      );
    }
    return { command: interpreter, args: ["-m", "coro_ls", ...extra], source: "coroLs.interpreter" };
  }
  const found = whichOnPath("coro-ls");
  if (found === undefined) {
    throw new LaunchError(
      [
        "coroLs.path (not set)",
        "coroLs.interpreter (not set)",
        `coro-ls on PATH (not found in ${process.env.PATH ?? "an empty PATH"})`,
      ],
      `Install coro-ls (${INSTALL_HINT}) where VS Code's PATH finds it, ` +
        "or set coroLs.path to the coro-ls executable, " +
        "or coroLs.interpreter to a Python interpreter that has it.",
    );
  }
  return { command: found, args: extra, source: "PATH" };
}
