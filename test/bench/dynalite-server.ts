/**
 * dynalite in a child process of its own, for the `ackall` bench section: DynamoDB's work on its own
 * core, as the real service does it on its own machines, so the endpoint's time is not dynalite's CPU
 * serialized on the same event loop. Driven over IPC: `create` → a fresh alert table's name; `close`.
 *
 *   out: { type: "ready", endpoint } once listening; { type: "created", id, tableName } per create;
 *        { type: "cpu", id, cpuMs } per cpu (its CPU time so far, to tell dynalite's work from the endpoint's).
 */
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

const dynamo = await startDynalite();
const send = (reply: DynaliteReply) => process.send?.(reply);
process.on("message", (command: DynaliteCommand) => {
  if (command.type === "close") {
    void dynamo.close().then(() => process.exit(0));
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
send({ type: "ready", endpoint: dynamo.endpoint });
