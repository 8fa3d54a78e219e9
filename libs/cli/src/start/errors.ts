/** Named launcher errors; a DependencyUnavailableError's message is the operator's fix. */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
}

export class ServiceEntryMissingError extends Error {
  override readonly name = 'ServiceEntryMissingError';
}
