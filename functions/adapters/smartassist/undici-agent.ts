/**
 * undici's Agent and its `request()`, loaded from the two modules that hold them rather than from the
 * package index, which also loads fetch, WebSocket, caches, mocks and proxies: 230 KB less in the
 * check bundle and less to compile at every cold start. The index wires them the same way
 * (`Object.assign(Dispatcher.prototype, api)`); the types are the package's own. The subpaths are
 * undici's internal layout, pinned by the lock file: a move fails the build and every client test.
 */
import type { Agent, Dispatcher } from "undici";
import requestOn from "undici/lib/api/api-request.js";
import AgentClass from "undici/lib/dispatcher/agent.js";

export type UndiciAgent = Agent;
export type RequestOptions = Dispatcher.RequestOptions;
export type ResponseData = Dispatcher.ResponseData;

export function createAgent(options: Agent.Options): Agent {
  return new AgentClass(options);
}

/** `agent.request(options)`, as the package index binds it. */
export function request(agent: Agent, options: RequestOptions): Promise<ResponseData> {
  return requestOn.call(agent, options);
}
