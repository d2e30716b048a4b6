// Loaded with --import by `ab.mjs --alloc`: samples the server's allocations (collected objects
// included) while the file named by TESSERA_AB_ALLOC_SWITCH exists, and writes the profile beside
// it as <switch>.json when the file goes (written aside, then renamed, so it appears whole).
// A measuring aid, never part of a deployment.
import { Session } from 'node:inspector';
import { existsSync, renameSync, writeFileSync } from 'node:fs';

const SWITCH = process.env.TESSERA_AB_ALLOC_SWITCH;
if (SWITCH) {
  const session = new Session();
  session.connect();
  let sampling = false;
  setInterval(() => {
    const on = existsSync(SWITCH);
    if (on && !sampling) {
      sampling = true;
      // Every 256 bytes on average: fine enough for a few KB a request, cheap enough to run under load.
      session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    } else if (!on && sampling) {
      sampling = false;
      session.post('HeapProfiler.stopSampling', (error, result) => {
        if (error) return;
        // Written aside and renamed: ab.mjs reads the file as soon as it exists, and a profile of
        // several MB is not written in one go.
        writeFileSync(`${SWITCH}.json.part`, JSON.stringify(result.profile));
        renameSync(`${SWITCH}.json.part`, `${SWITCH}.json`);
      });
    }
  }, 20).unref();
}
