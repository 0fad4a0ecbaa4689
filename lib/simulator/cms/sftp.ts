/**
 * SFTP on a simulated Meeting Server: the MMP user's one flat folder (the files `pki list`
 * shows). put / get / ls / rm / rename; a file is stored when its handle closes. Faults:
 * `unreachable` ends the session at the next request, `refuseUpload` refuses opening a file
 * for writing, `slowMillis` delays opening, listing and changing files.
 */
import { Attributes, Connection, FileEntry, SFTPWrapper, utils } from 'ssh2';
import { CMS_MAX_FILE_BYTES, folderFileName } from './files';
import { CmsWorld } from './world';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

export const SFTP_REFUSED_BY_FAULT = 'Upload refused by the server (injected fault refuse-upload)';

type Handle =
  | { readonly kind: 'read'; readonly name: string; readonly data: Buffer }
  | { readonly kind: 'write'; readonly name: string; data: Buffer; size: number }
  | { readonly kind: 'dir'; sent: boolean };

const FILE_MODE = 0o100644;
const DIR_MODE = 0o040755;

function isRoot(path: string): boolean {
  return ['', '.', '/', './', '/.'].includes(path.trim());
}

export function serveSftp(cw: CmsWorld, fqdn: string, sftp: SFTPWrapper, client: Connection): void {
  const handles = new Map<number, Handle>();
  let next = 1;
  const name = cw.spec(fqdn).fqdn;

  /** False (and the connection ends) when the server became unreachable. */
  const reachable = (): boolean => {
    if (!cw.faults(fqdn).unreachable) return true;
    client.end();
    return false;
  };
  /** Runs `answer` after the slowMillis fault's delay. */
  const slow = (answer: () => void): void => {
    const ms = cw.faults(fqdn).slowMillis ?? 0;
    if (ms <= 0) return answer();
    setTimeout(() => {
      try {
        answer();
      } catch {
        // the session ended meanwhile
      }
    }, ms);
  };
  const open = (h: Handle): Buffer => {
    const id = next++;
    handles.set(id, h);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id, 0);
    return buf;
  };
  const handleOf = (buf: Buffer): [number, Handle | undefined] => {
    const id = buf.length === 4 ? buf.readUInt32BE(0) : -1;
    return [id, handles.get(id)];
  };
  const fileAttrs = (size: number, modified: string): Attributes => {
    const t = Math.floor(Date.parse(modified) / 1000);
    return { mode: FILE_MODE, uid: 0, gid: 0, size, atime: t, mtime: t };
  };
  const dirAttrs = (): Attributes => {
    const t = Math.floor(Date.now() / 1000);
    return { mode: DIR_MODE, uid: 0, gid: 0, size: 4096, atime: t, mtime: t };
  };

  sftp.on('OPEN', (reqid, filename, flags) => {
    if (!reachable()) return;
    slow(() => {
      const file = folderFileName(filename);
      if (!file) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, `${filename}: only files of the top folder exist here`);
      const exists = !!cw.files.stat(fqdn, file);
      if (!(flags & OPEN_MODE.WRITE)) {
        if (!exists) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, `${file}: no such file`);
        return sftp.handle(reqid, open({ kind: 'read', name: file, data: cw.files.read(fqdn, file)! }));
      }
      if (cw.faults(fqdn).refuseUpload) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, SFTP_REFUSED_BY_FAULT);
      if (exists && flags & OPEN_MODE.EXCL) return sftp.status(reqid, STATUS_CODE.FAILURE, `${file} exists`);
      if (!exists && !(flags & OPEN_MODE.CREAT)) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, `${file}: no such file`);
      const initial = exists && !(flags & OPEN_MODE.TRUNC) ? cw.files.read(fqdn, file)! : Buffer.alloc(0);
      const data = Buffer.alloc(Math.max(initial.length, 16 * 1024));
      initial.copy(data);
      sftp.handle(reqid, open({ kind: 'write', name: file, data, size: initial.length }));
    });
  });

  sftp.on('READ', (reqid, buf, offset, length) => {
    if (!reachable()) return;
    const [, h] = handleOf(buf);
    if (!h || h.kind !== 'read') return sftp.status(reqid, STATUS_CODE.FAILURE, 'not a file open for reading');
    if (offset >= h.data.length) return sftp.status(reqid, STATUS_CODE.EOF);
    sftp.data(reqid, h.data.subarray(offset, Math.min(h.data.length, offset + length)));
  });

  sftp.on('WRITE', (reqid, buf, offset, data) => {
    if (!reachable()) return;
    const [, h] = handleOf(buf);
    if (!h || h.kind !== 'write') return sftp.status(reqid, STATUS_CODE.FAILURE, 'not a file open for writing');
    const end = offset + data.length;
    if (end > CMS_MAX_FILE_BYTES) return sftp.status(reqid, STATUS_CODE.FAILURE, `file too large (more than ${CMS_MAX_FILE_BYTES} bytes)`);
    if (end > h.data.length) {
      const grown = Buffer.alloc(Math.max(end, h.data.length * 2));
      h.data.copy(grown);
      h.data = grown;
    }
    data.copy(h.data, offset);
    h.size = Math.max(h.size, end);
    sftp.status(reqid, STATUS_CODE.OK);
  });

  sftp.on('FSTAT', (reqid, buf) => {
    const [, h] = handleOf(buf);
    if (!h) return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    if (h.kind === 'dir') return sftp.attrs(reqid, dirAttrs());
    sftp.attrs(reqid, fileAttrs(h.kind === 'read' ? h.data.length : h.size, new Date().toISOString()));
  });

  sftp.on('CLOSE', (reqid, buf) => {
    const [id, h] = handleOf(buf);
    if (!h) return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    handles.delete(id);
    if (h.kind === 'write') {
      if (!reachable()) return;
      const record = cw.files.write(fqdn, h.name, Buffer.from(h.data.subarray(0, h.size)));
      cw.log(`${name}: sftp put ${h.name} (${record.size} bytes${record.privateKey ? ', private key to the key store' : ''})`);
    }
    sftp.status(reqid, STATUS_CODE.OK);
  });

  const stat = (reqid: number, path: string): void => {
    if (!reachable()) return;
    slow(() => {
      if (isRoot(path)) return sftp.attrs(reqid, dirAttrs());
      const file = folderFileName(path);
      const record = file ? cw.files.stat(fqdn, file) : undefined;
      if (!record) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, `${path}: no such file`);
      sftp.attrs(reqid, fileAttrs(record.size, record.modifiedAt));
    });
  };
  sftp.on('STAT', stat);
  sftp.on('LSTAT', stat);

  sftp.on('OPENDIR', (reqid, path) => {
    if (!reachable()) return;
    slow(() => {
      if (!isRoot(path)) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, `${path}: only the top folder exists`);
      sftp.handle(reqid, open({ kind: 'dir', sent: false }));
    });
  });

  sftp.on('READDIR', (reqid, buf) => {
    const [, h] = handleOf(buf);
    if (!h || h.kind !== 'dir') return sftp.status(reqid, STATUS_CODE.FAILURE, 'not a folder');
    if (h.sent) return sftp.status(reqid, STATUS_CODE.EOF);
    h.sent = true;
    const entries: FileEntry[] = cw.files.list(fqdn).map((file) => {
      const record = cw.files.stat(fqdn, file)!;
      const when = new Date(record.modifiedAt);
      const date = `${when.toUTCString().slice(8, 11)} ${String(when.getUTCDate()).padStart(2)} ${when.toISOString().slice(11, 16)}`;
      return { filename: file, longname: `-rw-r--r--    1 admin    admin    ${String(record.size).padStart(8)} ${date} ${file}`, attrs: fileAttrs(record.size, record.modifiedAt) };
    });
    if (entries.length === 0) return sftp.status(reqid, STATUS_CODE.EOF);
    sftp.name(reqid, entries);
  });

  sftp.on('REALPATH', (reqid, path) => {
    if (!reachable()) return;
    const file = isRoot(path) ? '' : folderFileName(path);
    if (file === undefined) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, `${path}: only files of the top folder exist here`);
    const full = `/${file}`;
    sftp.name(reqid, [{ filename: full, longname: full, attrs: file ? fileAttrs(0, new Date().toISOString()) : dirAttrs() }]);
  });

  sftp.on('REMOVE', (reqid, path) => {
    if (!reachable()) return;
    slow(() => {
      const file = folderFileName(path);
      if (!file || !cw.files.remove(fqdn, file)) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, `${path}: no such file`);
      cw.log(`${name}: sftp rm ${file}`);
      sftp.status(reqid, STATUS_CODE.OK);
    });
  });

  sftp.on('RENAME', (reqid, from, to) => {
    if (!reachable()) return;
    slow(() => {
      const a = folderFileName(from);
      const b = folderFileName(to);
      if (!a || !b || !cw.files.stat(fqdn, a)) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, `${from}: no such file`);
      if (cw.files.stat(fqdn, b)) return sftp.status(reqid, STATUS_CODE.FAILURE, `${to} exists`);
      cw.files.rename(fqdn, a, b);
      cw.log(`${name}: sftp rename ${a} ${b}`);
      sftp.status(reqid, STATUS_CODE.OK);
    });
  });

  const ok = (reqid: number): void => sftp.status(reqid, STATUS_CODE.OK);
  sftp.on('SETSTAT', ok);
  sftp.on('FSETSTAT', ok);
  const unsupported = (reqid: number): void => sftp.status(reqid, STATUS_CODE.OP_UNSUPPORTED, 'the Meeting Server folder is flat');
  sftp.on('MKDIR', unsupported);
  sftp.on('RMDIR', unsupported);
  sftp.on('READLINK', unsupported);
  sftp.on('SYMLINK', unsupported);
}
