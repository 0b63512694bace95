/** An admitted action whose connector is missing or signed out when it is time to run. */
export class ConnectorUnavailableError extends Error {
  constructor(connector: string) {
    super(`${connector} is not available: connect it and try again.`);
    this.name = "ConnectorUnavailableError";
  }
}
