export {
  TesseraClient,
  isMfaChallenge,
  type TesseraClientOptions,
  type ListOptions,
  type SignInMfaBody,
  type UserFilters,
} from './client.js';
export { TesseraError } from './errors.js';
export type * from '@tessera/dto';
