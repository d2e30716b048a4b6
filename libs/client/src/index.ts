export { TesseraClient, type TesseraClientOptions, type ListOptions } from './client.js';
export { TesseraError } from './errors.js';
export type * from '@tessera/dto';
