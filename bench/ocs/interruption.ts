import type { Simulation } from '../../src/simulator/simulation.js';

/** Ctrl-C: the phase in progress ends, nothing measured is printed, everything started stops. */
export class Interrupted extends Error {}

const state: {
  interrupted: boolean;
  simulation: Simulation | undefined;
} = { interrupted: false, simulation: undefined };

export function checkInterrupted(): void {
  if (state.interrupted) throw new Interrupted('interrupted');
}

/** The simulation a signal stops; undefined between phases. */
export function setRunningSimulation(simulation: Simulation | undefined): void {
  state.simulation = simulation;
}

/** Listens for SIGINT and SIGTERM until the returned function is called. */
export function stopOnSignals(): () => void {
  const onSignal = () => {
    if (!state.interrupted)
      console.log('\nstopping: the phase in progress ends, then everything started stops');
    state.interrupted = true;
    state.simulation?.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
