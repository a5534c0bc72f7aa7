/**
 * The first thing main.js runs: refuse a Node.js older than the major
 * version AlteryxBackup is tested on (package.json `engines`), before any
 * other module is loaded and before anything is read or touched.
 *
 * The bridge used to run `node --version` before every first call of a
 * PowerShell session, one extra process start per scheduled run (issue 14).
 * Now the core refuses an old node itself, with the same message and
 * ErrorId as the bridge (NODE_TOO_OLD, exit code 1); the bridge runs
 * `node --version` only when node ends without a result line, which is what
 * a node too old even to parse this code does.
 *
 * Written with nothing newer than ES2015 syntax, and imported before every
 * other module of main.js, so that the check runs on any node that can parse
 * it; main() does not run after a refusal.
 */
export const MINIMUM_NODE_MAJOR = 24;

export function nodeTooOldMessage(version: string, execPath: string): string | undefined {
  const major = Number(String(version).replace(/^v/, '').split('.')[0]);
  if (!(major < MINIMUM_NODE_MAJOR)) return undefined;
  return (
    'Node.js v' + String(version).replace(/^v/, '') + " at '" + execPath + "' (the node that ran the core) is older than Node.js " + MINIMUM_NODE_MAJOR +
    ', the version AlteryxBackup is tested on. Install the win-x64 release bundle (it carries node\\node.exe), or Node.js ' + MINIMUM_NODE_MAJOR +
    ' LTS, or set AlteryxConfiguration.NodePath to a Node.js ' + MINIMUM_NODE_MAJOR + ' node.exe.'
  );
}

const refusal = nodeTooOldMessage(process.versions.node, process.execPath);

/** True when this node is too old: the result line is written and main.js must do nothing else. */
export const refusedByNodeVersion = refusal !== undefined;

if (refusal !== undefined) {
  process.stdout.write(JSON.stringify({ type: 'result', exitCode: 1, data: null, error: { code: 'NODE_TOO_OLD', message: refusal, category: 'NotInstalled', details: [] } }) + '\n');
  process.exitCode = 1;
}
