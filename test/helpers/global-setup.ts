// Tests that spawn the CLI run the compiled server and the browser tests load the built studio.
import { buildIfStale } from '../../scripts/build.mjs';

export default function setup(): void {
  buildIfStale();
}
