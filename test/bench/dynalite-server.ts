/**
 * dynalite in a child process of its own, for the `ackall` bench section: DynamoDB's work on its own
 * core, as the real service does it on its own machines, so the endpoint's time is not dynalite's CPU
 * serialized on the same event loop. With a latency (argv[2], ms), every request is held that long
 * before dynalite sees it, as the network and the service add to each call in AWS (dynalite on
 * loopback answers in well under a millisecond of wire time).
 *
 *   argv[2]: latency in ms (default 0)
 *   in:  DynaliteCommand        out: DynaliteReply
 */
import { Agent, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { startDynalite } from "../fakes/dynalite.js";

export type DynaliteCommand =
  | { type: "create"; id: number }
  | { type: "cpu"; id: number }
  | { type: "close" };
export type DynaliteReply =
  | { type: "ready"; endpoint: string }
  | { type: "created"; id: number; tableName: string }
  /** This process's CPU time so far (user + system), ms. */
  | { type: "cpu"; id: number; cpuMs: number };

const latencyMs = Number(process.argv[2] ?? 0);
const dynamo = await startDynalite();
const send = (reply: DynaliteReply) => process.send?.(reply);

/** A loopback proxy that holds each request `latencyMs` before passing it on, unchanged. */
async function delayingProxy(target: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      setTimeout(() => {
        const upstream = httpRequest(
          { hostname, port, method: req.method, path: req.url, headers: req.headers, agent },
          (answer) => {
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on("error", () => {
          res.writeHead(502);
          res.end();
        });
        upstream.end(Buffer.concat(chunks));
      }, latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const proxy = latencyMs > 0 ? await delayingProxy(dynamo.endpoint) : undefined;
process.on("message", (command: DynaliteCommand) => {
  if (command.type === "close") {
    void Promise.all([proxy?.close(), dynamo.close()]).then(() => process.exit(0));
    return;
  }
  if (command.type === "cpu") {
    const { user, system } = process.cpuUsage();
    send({ type: "cpu", id: command.id, cpuMs: (user + system) / 1000 });
    return;
  }
  void dynamo.createAlertTable().then((tableName) => send({ type: "created", id: command.id, tableName }));
});
// Gone with the parent.
process.on("disconnect", () => process.exit(0));
send({ type: "ready", endpoint: proxy?.endpoint ?? dynamo.endpoint });
