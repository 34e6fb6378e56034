/**
 * The `interactions` Lambda behind its Function URL, as a factory so tests hand in their own clients:
 * Function URL event → raw body (base64-decoded) → the signed-request adapter (verify, parse) →
 * handle-interaction → HTTP answer. `/slack/commands` (the `/agent-status` slash command) is verified
 * the same way and answered from the boards' state (app/agent-status.ts). What happened to the request
 * (applied, refused, ignored, rejected...) is one `interaction` log line; the one custom metric is
 * INTERACTION_ERRORS_METRIC, which the interactions Errors alarm reads.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { type AppSecrets, type SecretsProvider, signingSecretOf } from "../adapters/secrets/secrets.js";
import { answerCommand, COMMANDS_PATH } from "../adapters/slack/command-request.js";
import {
  answerInteraction,
  INTERACTIONS_PATH,
  type InteractionRequestMetric,
} from "../adapters/slack/interaction-request.js";
import { agentStatus } from "../app/agent-status.js";
import {
  handleInteraction,
  type InteractionDeps,
  type InteractionOutcomeMetric,
} from "../app/handle-interaction.js";
import { fromPowertools } from "../app/logger.js";
import { INTERACTION_ERRORS_METRIC } from "../app/metric-names.js";
import type { AppConfig } from "../domain/config.js";
import type { AlertStore, BoardStore, EventPublisher, InteractionNotifier } from "../ports.js";

/** A forged request must not make every call re-read the secret: at most one refresh this often. */
const SECRET_REFRESH_MIN_MS = 5 * 60_000;

/** The parts of a Lambda Function URL event (payload format 2.0) the endpoint reads. */
export interface FunctionUrlEvent {
  rawPath?: string;
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
  requestContext?: { http?: { method?: string } };
}

export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface InteractionsEndpointDeps {
  config: Pick<AppConfig, "timezone" | "slack">;
  secrets: SecretsProvider;
  store: AlertStore;
  /** The boards' state, for `/agent-status`; absent: the command is answered 404. */
  boards?: BoardStore;
  events: EventPublisher;
  /** The Slack client for these credentials (the entry keeps one per container). */
  notifierFor: (secrets: AppSecrets) => InteractionNotifier;
  logger: Logger;
  metrics: Metrics;
  nowMs?: () => number;
}

const answer = (statusCode: number, body: string, contentType?: string): FunctionUrlResult => ({
  statusCode,
  headers: { "content-type": contentType ?? "text/plain; charset=utf-8" },
  body,
});

export function createInteractionsEndpoint(deps: InteractionsEndpointDeps) {
  const log = fromPowertools(deps.logger);
  const now = deps.nowMs ?? Date.now;
  let lastRefreshMs = 0;

  // `outcomes` collects what happened to one request, for its log line (these were a metric each).
  const respond = async (event: FunctionUrlEvent, outcomes: string[]): Promise<FunctionUrlResult> => {
    const count = (outcome: InteractionRequestMetric | InteractionOutcomeMetric) => {
      outcomes.push(outcome);
    };
    try {
      // The Function URL serves nothing else: its root is accepted too, for a Request URL pasted without the path.
      const path = (event.rawPath ?? "/").replace(/\/+$/, "");
      const isCommand = path === COMMANDS_PATH && deps.boards !== undefined;
      if (path !== INTERACTIONS_PATH && path !== "" && !isCommand) {
        outcomes.push("InteractionRejectedPath");
        return answer(404, "not found");
      }
      const method = event.requestContext?.http?.method ?? "POST";
      if (method !== "POST") {
        outcomes.push("InteractionRejectedPath");
        return answer(405, "method not allowed");
      }
      // The Function URL hands a form body over base64-encoded; the signature is over the decoded bytes.
      const body = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");

      let secrets = await deps.secrets.get();
      const request = {
        rawBody: body.toString("utf8"),
        bodyBytes: body.length,
        headers: event.headers ?? {},
      };
      const verify = {
        signingSecret: signingSecretOf(secrets, "The secret"),
        refreshSigningSecret: async () => {
          if (now() - lastRefreshMs < SECRET_REFRESH_MIN_MS) return undefined;
          // The signing secret may have been rotated since this container read it: read it again, once.
          lastRefreshMs = now();
          secrets = await deps.secrets.refresh();
          return signingSecretOf(secrets, "The secret");
        },
        nowMs: now(),
        log,
      };
      if (isCommand && deps.boards) {
        const boards = deps.boards;
        const result = await answerCommand(request, verify, (command) =>
          agentStatus({ store: boards, defaultChannel: deps.config.slack.channel }, command),
        );
        return answer(result.status, result.body, result.contentType);
      }
      const result = await answerInteraction(request, { ...verify, count }, (click) => {
        const interactionDeps: InteractionDeps = {
          config: deps.config,
          store: deps.store,
          notifier: deps.notifierFor(secrets),
          events: deps.events,
          log,
          count,
          nowMs: now,
        };
        return handleInteraction(interactionDeps, click);
      });
      return answer(result.status, result.body);
    } catch (error) {
      deps.logger.error("interaction failed", {
        error: error instanceof Error ? error.message : String(error),
      });
      deps.metrics.addMetric(INTERACTION_ERRORS_METRIC, MetricUnit.Count, 1);
      outcomes.push(INTERACTION_ERRORS_METRIC);
      return answer(500, "internal error");
    }
  };

  return async (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
    const outcomes: string[] = [];
    const response = await respond(event, outcomes);
    deps.logger.info("interaction", { status: response.statusCode, outcomes });
    if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
    return response;
  };
}
