/** A setting a service cannot start with; the message names every bad one and what it must be. */
export class ConfigError extends Error {
  // `string`: subclasses (a bad API key entry) name themselves.
  override readonly name: string = 'ConfigError';
}
