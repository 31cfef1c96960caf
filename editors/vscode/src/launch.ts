// Which command starts the server.  `coroLs.path` wins; otherwise a Python is found (see
// python.ts) and runs either the coro-ls installed in it (`coroLs.importStrategy`
// "fromEnvironment", when it has one) or the one bundled with the extension.  Checked before
// starting, so that a user who cannot get the server running is told what was found and how to
// fix it, instead of a bare "spawn ENOENT".

import * as vscode from "vscode";

import { type Bundle, runsOn } from "./bundle";
import {
  type Candidate,
  describeMissing,
  findCandidates,
  isExecutableFile,
  type Probe,
  probe,
} from "./python";
import type { LaunchSettings } from "./settings";

export interface Launch {
  command: string;
  args: string[];
  /** Which setting chose the command, for the log: "coroLs.path", "PATH", ... */
  source: string;
  /** The interpreter, when the extension found one. */
  python?: { executable: string; version: string; source: string };
  /** Which coro-ls runs, when the extension chose it. */
  coroLs?: { origin: "bundled" | "environment"; version: string; location: string };
  /** Said in the log: e.g. why the environment's coro-ls was passed over. */
  notes: string[];
}

/** Why the server cannot start: what was tried and what the user can do about it. */
export class LaunchError extends Error {
  constructor(
    readonly tried: string[],
    readonly fix: string,
    /** The setting the message's "Open Settings" button shows. */
    readonly setting = "coroLs",
  ) {
    super(`coro-ls could not start. Tried: ${tried.join("; ")}. ${fix}`);
    this.name = "LaunchError";
  }
}

function versionText(version: [number, number, number]): string {
  return version.join(".");
}

function describe(candidate: Candidate): string {
  const shown = candidate.command.join(" ");
  return candidate.source === "coroLs.interpreter"
    ? `coroLs.interpreter = "${shown}"`
    : `${shown} (from ${candidate.source})`;
}

function pythonOf(candidate: Candidate, found: Probe): NonNullable<Launch["python"]> {
  return {
    executable: found.executable || candidate.command[0],
    version: versionText(found.version),
    source: candidate.source,
  };
}

/** How to run the server with `candidate`, or why it cannot. */
function launchWith(
  candidate: Candidate,
  found: Probe,
  settings: LaunchSettings,
  bundle: Bundle | string,
): Launch | string {
  const [command, ...prefix] = candidate.command;
  const python = pythonOf(candidate, found);
  const notes: string[] = [];
  if (settings.importStrategy === "fromEnvironment") {
    if (found.coroLs !== undefined) {
      return {
        command,
        args: [...prefix, "-m", "coro_ls", ...settings.args],
        source: candidate.source,
        python,
        coroLs: { origin: "environment", ...found.coroLs },
        notes,
      };
    }
    if (found.importError !== undefined) {
      notes.push(`The coro-ls installed there does not import (${found.importError})`);
    }
  }
  if (typeof bundle === "string") {
    return bundle;
  }
  if (!runsOn(bundle, found.version)) {
    return `Python ${python.version}, older than the ${bundle.minimum.join(".")} coro-ls needs`;
  }
  return {
    command,
    args: [...prefix, bundle.launcher, ...settings.args],
    source: candidate.source,
    python,
    coroLs: { origin: "bundled", version: bundle.version, location: bundle.libs },
    notes,
  };
}

export async function resolveLaunch(
  settings: LaunchSettings,
  cwd: string | undefined,
  resource: vscode.Uri | undefined,
  bundle: Bundle | string,
): Promise<Launch> {
  const extra = settings.args;
  if (settings.path) {
    if (!isExecutableFile(settings.path)) {
      throw new LaunchError(
        [`coroLs.path = "${settings.path}" (${describeMissing(settings.path)})`],
        "Set coroLs.path to the coro-ls executable (for example .venv/bin/coro-ls), " +
          "or clear it to run coro-ls with Python.",
        "coroLs.path",
      );
    }
    return { command: settings.path, args: extra, source: "coroLs.path", notes: [] };
  }
  // Said in the fix when there is no bundle (a development build): any Python 3 with coro-ls.
  const minimum = typeof bundle === "string" ? "3" : bundle.minimum.join(".");
  const { candidates, tried } = await findCandidates(settings.interpreter, resource);
  const withCoroLs = settings.importStrategy === "fromEnvironment";
  let tooOld = false;
  for (const candidate of candidates) {
    const found = await probe(candidate, withCoroLs, cwd);
    if (typeof found === "string") {
      tried.push(`${describe(candidate)} (${found})`);
      continue;
    }
    const launch = launchWith(candidate, found, settings, bundle);
    if (typeof launch !== "string") {
      return launch;
    }
    tooOld ||= launch.startsWith("Python ");
    tried.push(`${describe(candidate)}: ${found.executable}, ${launch}`);
  }
  const strategy =
    settings.importStrategy === "fromEnvironment" ? " (or one with coro-ls installed)" : "";
  const fix =
    candidates.length === 0
      ? `Install Python ${minimum} or newer, then select it in the Python extension or set ` +
        "coroLs.interpreter to it."
      : tooOld
        ? `Select a Python ${minimum} or newer${strategy} in the Python extension, or set ` +
          "coroLs.interpreter to one."
        : "Set coroLs.interpreter to a working Python interpreter, or select one in the " +
          "Python extension.";
  throw new LaunchError(tried, fix, "coroLs.interpreter");
}
