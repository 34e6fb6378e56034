/**
 * A roster read of nobody: a run given it only does what the state itself owes (Acknowledge all's
 * members left to the next run), so a test or bench can make "the next run" without a simulator.
 */
import { type AgentStatusSource, readReport } from "../../../functions/ports.js";

export const NOBODY: AgentStatusSource = {
  fetchAll: async () => ({ ...readReport(), startOffset: 0, nextOffset: 0 }),
  fetchAgents: async () => readReport(),
};
