/**
 * Placeholder for the Slack interactivity entry (issue 8): the infrastructure branch needs an entry to bundle.
 * The real handler (verify the signature, parse the payload, run handle-interaction) replaces this file.
 */
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 503,
  body: "not wired yet",
});
