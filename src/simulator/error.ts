/** A run that cannot go on: the server refused a peer, or reading or writing its store failed. */
export class SimulatorError extends Error {
  override name = 'SimulatorError';
}
