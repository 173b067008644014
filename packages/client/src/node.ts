/**
 * @fanout/client/node: Node-only additions (they import node: modules, so
 * they live outside the browser entry).
 */
export { fileStorage } from './file-storage.js';
