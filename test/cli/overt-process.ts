/** `overt` as its own process, from the sources (tests fork it with tsx to cut it off part-way). */
import { main } from '../../src/cli/main';

void main(process.argv).then((code) => {
  process.exitCode = code;
});
