import { fileURLToPath } from 'node:url';

/**
 * The folder of Nextcloud response bodies the fake is compared with (see its README): part of this
 * package, so a clone of the project needs nothing beside it.
 */
export const NEXTCLOUD_FIXTURES_DIR: string = fileURLToPath(new URL('../fixtures/', import.meta.url));
