import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendEvent } from './events';
import { hostPaths, readHostInfo } from './host-layout';

/**
 * The `dumpChildSurvives` fault: a stand-in for the mongod that emongodump
 * starts. It writes its PID into the data folder's mongod.lock, as the
 * simulated service does while Running, ignores SIGTERM and SIGHUP, and
 * lives on after its parent dies. Only a kill of the whole process group (or
 * `sim destroy`, or the host folder vanishing) ends it.
 */
const root = path.resolve(process.argv[2] ?? '');
const paths = hostPaths(root);
const info = readHostInfo(root);
process.on('SIGTERM', () => undefined);
process.on('SIGHUP', () => undefined);
fs.writeFileSync(path.join(paths.mongoDataDir, 'mongod.lock'), `${process.pid}\n`);
appendEvent(root, info.hostname, 'mongod-child-started', { childPid: process.pid, parentPid: process.ppid });
setInterval(() => {
  if (!fs.existsSync(paths.hostJson)) process.exit(0);
}, 500);
