// Placeholder entry point so the CDK stack can be written in parallel; the real handler wires the engine.
export const handler = async (): Promise<Record<string, never>> => ({});
