// The server's stderr is its log ("<date> <time> LEVEL logger: message", see coro_ls.server).
// vscode-languageclient would show every stderr line as an error; here each line keeps the
// server's level, and lines without one (traceback lines) keep the level of the line before.

import * as readline from "node:readline";
import type { Readable } from "node:stream";
import type { LogOutputChannel } from "vscode";

type Level = "info" | "warn" | "error";

const RECORD = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)$/;

const LEVELS: Record<string, Level> = {
  DEBUG: "info",
  INFO: "info",
  WARNING: "warn",
  ERROR: "error",
  CRITICAL: "error",
};

export function pipeServerLog(
  input: Readable,
  channel: LogOutputChannel,
  onLine: (line: string) => void = () => undefined,
): void {
  let level: Level = "info";
  readline
    .createInterface({ input, crlfDelay: Infinity, terminal: false, historySize: 0 })
    .on("line", (line: string) => {
      onLine(line);
      const record = RECORD.exec(line);
      if (record !== null) {
        level = LEVELS[record[1]];
        // The channel stamps its own time; DEBUG stays visible at the channel's default level.
        channel[level](record[1] === "DEBUG" ? `[debug] ${record[2]}` : record[2]);
      } else {
        channel[level](line);
      }
    });
}
