/**
 * Files the CLI writes whole (the state file, a replay capture, a chart), written atomically: a temp
 * file in the same directory, fsync, rename, then the directory. A reader — or a second process
 * writing the same path at once — sees the old file or a new one, never half of one or two
 * interleaved.
 */
import { randomUUID } from "node:crypto";
import { access, constants, lstat, open, realpath, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes `data` to `path` atomically; on failure nothing is left behind but the old file, if any. A
 * symlink is written through (its target replaced, the link kept); a path that is not a regular file
 * (`/dev/stdout`, a named pipe) is written to as it is, since renaming over it would replace it.
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const target = await existingTarget(path);
  if (target !== undefined && !target.regular) {
    await writeFile(path, data);
    return;
  }
  const real = target?.path ?? path;
  const dir = dirname(real);
  const tmp = join(dir, `.${basename(real)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    const file = await open(tmp, "wx");
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, real);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/** What `path` names when it exists: the real path behind any symlinks, and whether it is a regular file. */
async function existingTarget(path: string): Promise<{ path: string; regular: boolean } | undefined> {
  try {
    await lstat(path);
  } catch {
    return undefined; // not there yet
  }
  try {
    const real = await realpath(path);
    return { path: real, regular: (await stat(real)).isFile() };
  } catch {
    // There, but resolving to no file (`/dev/stdout` on a pipe, a dangling link): written as it is.
    return { path, regular: false };
  }
}

/**
 * Why `path` could not be written, or undefined when it can be (its directory exists and is
 * writable, and the path is not a directory). Asked before long work whose result goes there.
 */
export async function unwritable(path: string): Promise<string | undefined> {
  const dir = dirname(path);
  try {
    if (!(await stat(dir)).isDirectory()) return `${dir} is not a directory`;
  } catch {
    return `its directory ${dir} does not exist`;
  }
  try {
    await access(dir, constants.W_OK);
  } catch {
    return `its directory ${dir} is not writable`;
  }
  try {
    if ((await stat(path)).isDirectory()) return "it is a directory";
  } catch {
    // Not there yet: it will be made.
  }
  return undefined;
}

/** Makes the rename itself durable. Best effort: some platforms cannot open a directory for fsync. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data is in place either way; only durability across a power cut is at stake.
  }
}
