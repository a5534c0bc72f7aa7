/** The simulated-host helpers, shared with the simulator's own tests. */
export { createHost, destroyHost, hostJson, setFaults, resetHost, sleep } from '../sim/sim-harness';
export { readEvents as readEventsOf } from '../../../src/sim/events';
