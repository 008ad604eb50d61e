import { constants, createReadStream, open } from 'node:fs';
import type { Readable } from 'node:stream';
import type yazl from 'yazl';
import { lazyModule } from '../lazy-module.js';
import type { LoadedSkill } from './catalog.js';
import { normalizedMode } from './files.js';

const yazlLib = lazyModule<typeof yazl>('yazl');

/** Regular file type bits of a zip entry's unix mode (yazl stores the whole st_mode). */
const S_IFREG = 0o100000;

/**
 * The skill folder as a zip stream, every entry under `<name>/`, exec bits kept. Files are
 * opened without following links (O_NOFOLLOW where the platform has it) when the zip reaches
 * them, so nothing is held in memory beyond yazl's buffers.
 */
export function zipSkill(skill: LoadedSkill): Readable {
  const zip = new (yazlLib().ZipFile)();
  for (const file of skill.folder.files) {
    const options = { mode: S_IFREG | normalizedMode(file.mode), size: file.size };
    zip.addReadStreamLazy(`${skill.name}/${file.path}`, options, (cb) => {
      open(file.abs, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0), (err, fd) => {
        if (err) return zip.emit('error', err);
        const stream = createReadStream(file.abs, { fd });
        stream.on('error', (e) => zip.emit('error', e));
        cb(null, stream);
      });
    });
  }
  const output = zip.outputStream as Readable;
  // A file that vanished or changed size mid-export: the download fails instead of holding a corrupt zip.
  zip.on('error', (err: Error) => output.destroy(err));
  zip.end();
  return output;
}
