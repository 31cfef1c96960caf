// The coro-ls that ships inside the extension: bundled/libs holds it with its dependencies
// (scripts/bundle.py put them there when the .vsix was made), bundled/tool/launch.py runs it,
// and bundled/bundle.json says which version it is and the oldest Python it runs on.

import * as fs from "node:fs";
import * as path from "node:path";

export interface Bundle {
  version: string;
  /** The launcher: `<python> <launcher> [arguments]` runs the bundled server. */
  launcher: string;
  libs: string;
  /** The oldest Python the bundle runs on, e.g. [3, 10]. */
  minimum: [number, number];
}

/** The oldest Python allowed by a `Requires-Python` such as ">=3.10" (undefined: no bound). */
function lowerBound(requiresPython: string): [number, number] | undefined {
  const found = />=\s*(\d+)\.(\d+)/.exec(requiresPython);
  return found === null ? undefined : [Number(found[1]), Number(found[2])];
}

function later(a: [number, number], b: [number, number] | undefined): [number, number] {
  return b !== undefined && (b[0] > a[0] || (b[0] === a[0] && b[1] > a[1])) ? b : a;
}

/** The extension's bundle, or why there is none (a build made without `npm run bundle`). */
export function readBundle(extensionPath: string): Bundle | string {
  const root = path.join(extensionPath, "bundled");
  const manifest = path.join(root, "bundle.json");
  let data: { coro_ls: string; python: string; requires_python: string };
  try {
    data = JSON.parse(fs.readFileSync(manifest, "utf8"));
  } catch (error) {
    return `this build of the extension has no bundled coro-ls (${manifest}: ${String(error)})`;
  }
  const [major, minor] = data.python.split(".").map(Number);
  return {
    version: data.coro_ls,
    launcher: path.join(root, "tool", "launch.py"),
    libs: path.join(root, "libs"),
    // The dependencies were pinned for `python`; coro-ls itself may ask for a later one.
    minimum: later([major, minor], lowerBound(data.requires_python)),
  };
}

export function runsOn(bundle: Bundle, version: [number, number, number]): boolean {
  const [major, minor] = bundle.minimum;
  return version[0] > major || (version[0] === major && version[1] >= minor);
}
