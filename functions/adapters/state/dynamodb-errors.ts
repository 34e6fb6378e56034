/** How the DynamoDB adapters name an SDK error: by its name (a condition that failed), or in a message. */

export function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}

/** `Name: message`, for error messages that say which table and item; never a request's values. */
export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
