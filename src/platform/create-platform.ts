import type { BackupConfigFile } from '../config/config-types';
import type { Platform } from './platform';

/**
 * Picks the adapter named by AlteryxConfiguration.Platform. Each adapter is
 * loaded only when chosen: the simulated host is never loaded on a server,
 * and the Windows adapter never runs its commands on Linux.
 */
export function createPlatform(cfg: Pick<BackupConfigFile, 'AlteryxConfiguration'>): Platform {
  const a = cfg.AlteryxConfiguration;
  if (a.Platform === 'Simulated') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SimulatedPlatform } = require('./simulated/simulated-platform') as typeof import('./simulated/simulated-platform');
    return new SimulatedPlatform(a.SimulatedHostRoot);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { WindowsPlatform } = require('./windows/windows-platform') as typeof import('./windows/windows-platform');
  return new WindowsPlatform({ installPath: a.InstallPath });
}
