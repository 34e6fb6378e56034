/**
 * Slack's `response_url`: the reply channel Slack hands out with each click. It needs no bot token
 * and no scope, so a click can be answered even by an endpoint that cannot call the Web API.
 */
export type ResponseUrlOutcome = { ok: true } | { ok: false; error: string };

/** Posts an answer only the clicking user sees; never throws. */
export async function answerByResponseUrl(
  responseUrl: string,
  text: string,
  timeoutMs: number,
): Promise<ResponseUrlOutcome> {
  try {
    const response = await fetch(responseUrl, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ response_type: "ephemeral", replace_original: false, text }),
      signal: AbortSignal.timeout(Math.max(1, timeoutMs)),
    });
    return response.ok ? { ok: true } : { ok: false, error: `http_${response.status}` };
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    return { ok: false, error: name === "TimeoutError" ? "timeout" : "request_failed" };
  }
}
