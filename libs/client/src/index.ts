export {
  TesseraClient,
  isMfaChallenge,
  type TesseraClientOptions,
  type ListOptions,
  type SignInMfaBody,
} from './client.js';
export { TesseraError } from './errors.js';
export type * from '@tessera/dto';
