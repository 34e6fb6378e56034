/**
 * CPU per page of the HTTP layer alone, in a fresh child process of the bench: N POSTs of an Agent
 * Status Details page (about 150 KB of JSON) at a given concurrency over loopback to the simulator
 * child, through the global fetch or through undici's request on its own Agent. Same requests, same
 * token signing, same body reading and JSON.parse; only the HTTP client differs.
 *
 *   argv[2]: JSON HttpCpuSpec      out: HttpCpuReport (or { type: "error" })
 */
import { Agent } from "undici";
import { tokenSigner } from "../../functions/adapters/smartassist/jwt.js";
import { DEMO_CREDENTIALS } from "../fakes/smartassist/simulator.js";

export interface HttpCpuSpec {
  mode: "fetch" | "undici";
  url: string;
  /** Requests to time (after a warm-up of `concurrency` × 2). */
  requests: number;
  concurrency: number;
  /** Pages of the roster the requests cycle over. */
  pages: number;
  body: string;
}

export interface HttpCpuReport {
  type: "report";
  mode: HttpCpuSpec["mode"];
  requests: number;
  bytes: number;
  cpuMs: number;
  wallMs: number;
  cpuMsPerPage: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as HttpCpuSpec;
  const sign = tokenSigner({
    clientId: DEMO_CREDENTIALS.clientId,
    clientSecret: DEMO_CREDENTIALS.clientSecret,
  });
  const base = new URL(spec.url);
  const path = `/agentassist/api/public/analytics/account/${DEMO_CREDENTIALS.accountId}/agentstatusdetails`;
  const agent = new Agent({ connections: spec.concurrency, keepAliveTimeout: 10_000 });
  let bytes = 0;

  const one = async (offset: number): Promise<void> => {
    const query = `?limit=50&offset=${offset}`;
    const headers = { auth: sign(), iId: DEMO_CREDENTIALS.iId, "content-type": "application/json" };
    let text: string;
    if (spec.mode === "fetch") {
      const response = await fetch(`${base.origin}${path}${query}`, {
        method: "POST",
        headers,
        body: spec.body,
      });
      text = await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    } else {
      const response = await agent.request({
        origin: base.origin,
        path: `${path}${query}`,
        method: "POST",
        headers,
        body: spec.body,
      });
      text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
    }
    bytes += text.length;
    JSON.parse(text);
  };
  const run = async (n: number): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: spec.concurrency }, async () => {
        while (next < n) await one(((next++ % spec.pages) * 50) as number);
      }),
    );
  };

  await run(spec.concurrency * 2); // connections open, code warm
  bytes = 0;
  const cpu = process.cpuUsage();
  const began = performance.now();
  await run(spec.requests);
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const report: HttpCpuReport = {
    type: "report",
    mode: spec.mode,
    requests: spec.requests,
    bytes,
    cpuMs,
    wallMs: performance.now() - began,
    cpuMsPerPage: cpuMs / spec.requests,
  };
  await agent.close();
  process.send?.(report, () => process.exit(0));
}

main().catch((error: unknown) => {
  process.send?.({ type: "error", message: error instanceof Error ? error.message : String(error) }, () =>
    process.exit(1),
  );
});
