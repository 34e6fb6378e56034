/**
 * infra/app.ts as `cdk synth` runs it: a child process with the context in CDK_CONTEXT_JSON.
 * Only failing configs here: they stop before bundling, so each run costs a tsx start-up, not a synth.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../infra/constructs/function-defaults.js";

const dir = mkdtempSync(join(tmpdir(), "infra-app-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runApp(context: Record<string, string>) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "infra/app.ts"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: join(dir, "cdk.out") },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe("infra/app.ts", () => {
  it("fails with the file and the field when the config is invalid, without a stack trace", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      [
        "timezone: Europe/Nowhere",
        "smartassist:",
        "  host: https://platform.kore.ai",
        "  accountId: a",
        "  iId: st-1",
        "rules:",
        "  - name: Long break",
        "    secondaryStatus: LUNCH",
        "    threshold: soon",
      ].join("\n"),
    );
    const { status, stderr } = runApp({ config: file });
    expect(status).toBe(1);
    expect(stderr).toContain(`Invalid config: ${file}: `);
    expect(stderr).toContain("timezone: unknown IANA time zone");
    expect(stderr).toContain("rules[0].threshold: expected a duration like 15m");
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("fails the same way on deployment-only problems and on a missing file", () => {
    const file = join(dir, "retention.yaml");
    writeFileSync(
      file,
      [
        "timezone: Asia/Kolkata",
        "smartassist: { host: 'https://platform.kore.ai', accountId: a, iId: st-1 }",
        "rules: [{ name: Busy, primaryStatus: BUSY, threshold: 30m }]",
        "aws: { logRetentionDays: 31 }",
      ].join("\n"),
    );
    const retention = runApp({ config: file });
    expect(retention.status).toBe(1);
    expect(retention.stderr).toContain(`${file}: aws.logRetentionDays: CloudWatch Logs accepts only`);

    const missing = runApp({ config: join(dir, "nope.yaml") });
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(`Invalid config: ${join(dir, "nope.yaml")}: file not found`);
  });
});
