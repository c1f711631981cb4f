// File-system errors name the path and what to do (issue 17 §5): every errno the CLI can meet on a user's path becomes
// a FileError (exit code 2) with the path, the advice and the code; other errors pass through unchanged.
import { describe, expect, it } from 'vitest';
import { FileError, fsError } from './files.ts';
import { classify } from './exitCodes.ts';

const errno = (code: string, path?: string) => Object.assign(new Error(`${code}: raw message without the path`), { code, ...(path ? { path } : {}) });

describe('fsError / classify', () => {
  it.each([
    ['ENOENT', /^--corpus data\/c\.txt does not exist: check the path \(ENOENT\)$/],
    ['EISDIR', /^--corpus data\/c\.txt is a folder: give a file \(EISDIR\)$/],
    ['ENOTDIR', /^--corpus data\/c\.txt is not a folder .*\(ENOTDIR\)$/],
    ['EACCES', /^--corpus data\/c\.txt is not accessible \(permission denied\): check its permissions .*\(EACCES\)$/],
    ['EPERM', /operation not permitted.*\(EPERM\)$/],
    ['EEXIST', /^--corpus data\/c\.txt already exists: remove it or choose another path \(EEXIST\)$/],
    ['ENOSPC', /the disk is full \(ENOSPC\)$/],
  ])('%s names the path and what to do, exit code 2', (code, message) => {
    const e = fsError(errno(code), 'data/c.txt', '--corpus');
    expect(e).toBeInstanceOf(FileError);
    expect(e.message).toMatch(message);
    expect(classify(e).code).toBe(2);
  });

  it('an errno error that escaped a command is named after its own path; other errors are runtime failures (1)', () => {
    const c = classify(errno('EISDIR', '/tmp/x'));
    expect(c.error.name).toBe('FileError');
    expect(c.error.message).toBe('path /tmp/x is a folder: give a file (EISDIR)');
    expect(c.code).toBe(2);
    expect(classify(new Error('boom')).code).toBe(1);
    expect(classify(Object.assign(new Error('x'), { name: 'RecipeError' })).code).toBe(2);
    expect(classify(Object.assign(new Error('x'), { name: 'DivergedError' })).code).toBe(1);
  });
});
