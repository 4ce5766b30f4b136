import { runCli } from './cli';

// `audit export|verify ...`: the auditor's offline replay (docs/audit.md).
runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTty: process.stderr.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`audit: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
