import { MemoryRateLimiter } from "../../functions/adapters/state/memory-rate-limiter.js";
import { rateLimiterContract } from "./rate-limiter-contract.js";

// One process: every client of `watch` (or of a CLI run without --state) shares one instance.
rateLimiterContract("MemoryRateLimiter", async (clock) => {
  const limiter = new MemoryRateLimiter({ nowMs: clock.now });
  return { open: () => limiter };
});
