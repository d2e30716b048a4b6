import * as graphqlClient from '@contember/graphql-client';
import * as tenantClient from '@contember/graphql-client-tenant';

/*
 * Contember's client packages, used unchanged, with the types these tests need. Their .d.ts files
 * import `./generated/fetchers` and `./GraphQlClient` without an extension, which TypeScript's
 * nodenext resolution (this workspace's) cannot follow, so the packages type as empty modules here.
 * The code is theirs; only these declarations are ours.
 */

/** The fields and fetchers the tests select (graphql-ts-client's fetchers are chains of them). */
type Field =
  | 'error'
  | 'identity'
  | 'person'
  | 'result'
  | 'variables'
  | 'apiKey'
  | 'token'
  | 'project'
  | 'memberships'
  | 'permissions'
  | 'projects'
  | 'me'
  | 'personById'
  | 'checkResetPasswordToken'
  | 'signIn'
  | 'signOut'
  | 'signUp'
  | 'createSessionToken'
  | 'changeMyPassword'
  | 'changePassword'
  | 'changeMyProfile'
  | 'changeProfile'
  | 'disablePerson'
  | 'createGlobalApiKey'
  | 'disableApiKey'
  | 'prepareOtp'
  | 'confirmOtp'
  | 'disableOtp'
  | 'createResetPasswordRequest'
  | 'resetPassword';

/** A fetcher: each field is a further fetcher, called with a child fetcher and options when it has them. */
export type Fetcher = { readonly [K in Field]: Fetcher & ((...args: unknown[]) => Fetcher) };

type Export =
  | 'mutation$'
  | 'query$'
  | 'apiKey$$'
  | 'apiKeyWithToken$$'
  | 'changeMyPasswordError$$'
  | 'changeMyPasswordResponse$$'
  | 'changeMyProfileError$$'
  | 'changeMyProfileResponse$$'
  | 'changePasswordError$$'
  | 'changePasswordResponse$$'
  | 'changeProfileError$$'
  | 'changeProfileResponse$$'
  | 'confirmOtpError$$'
  | 'confirmOtpResponse$$'
  | 'createApiKeyError$$'
  | 'createApiKeyResponse$$'
  | 'createApiKeyResult$'
  | 'createPasswordResetRequestError$$'
  | 'createPasswordResetRequestResponse$$'
  | 'createSessionTokenError$$'
  | 'createSessionTokenResponse$$'
  | 'createSessionTokenResult$'
  | 'disableApiKeyError$$'
  | 'disableApiKeyResponse$$'
  | 'disableOtpError$$'
  | 'disableOtpResponse$$'
  | 'disablePersonError$$'
  | 'disablePersonResponse$$'
  | 'identity$$'
  | 'identityGlobalPermissions$$'
  | 'identityProjectRelation$'
  | 'membership$$'
  | 'person$$'
  | 'prepareOtpResponse$$'
  | 'prepareOtpResult$$'
  | 'project$$'
  | 'resetPasswordError$$'
  | 'resetPasswordResponse$$'
  | 'signInError$$'
  | 'signInResponse$$'
  | 'signInResult$'
  | 'signInResult$$'
  | 'signOutError$$'
  | 'signOutResponse$$'
  | 'signUpError$$'
  | 'signUpResponse$$'
  | 'signUpResult$'
  | 'variableEntry$$';

export type Executor = (query: string, variables: object) => Promise<unknown>;

export interface Person {
  id: string;
  email?: string;
  otpEnabled?: boolean;
}

export interface Identity {
  id: string;
  roles?: string[];
  person?: Person;
  permissions?: { canCreateProject: boolean; canDeployEntrypoint: boolean };
  projects?: { project: { id: string; slug: string }; memberships: { role: string }[] }[];
}

/** A mutation's payload as the client returns it (nulls dropped). */
export interface Payload {
  ok: boolean;
  error?: { code: string; developerMessage?: string };
  result: {
    token: string;
    person: Person;
    otpUri: string;
    otpSecret: string;
    apiKey: { id: string; token?: string; identity: Identity };
  };
}

/** What `execute` resolves to, by root field or alias. */
export interface Data {
  mutation: Payload;
  me: Identity;
  personById: Person | undefined;
  signUp: Payload;
  changePassword: Payload;
  changeProfile: Payload;
  disablePerson: Payload;
}

export const Tenant = tenantClient as unknown as { readonly [K in Export]: Fetcher } & {
  execute(fetcher: Fetcher, options?: { variables?: object; executor?: Executor }): Promise<Data>;
};

export interface GraphQlClientError extends Error {
  type: string;
  response?: Response;
  errors?: { message: string; extensions?: { code?: string } }[];
  details?: string;
}

export interface GraphQlClient {
  execute(query: string, options?: { variables?: object }): Promise<unknown>;
}

const client = graphqlClient as unknown as {
  GraphQlClient: new (options: { url: string; apiToken?: string }) => GraphQlClient;
  GraphQlClientError: new () => GraphQlClientError;
};
export const GraphQlClient = client.GraphQlClient;
export const GraphQlClientError = client.GraphQlClientError;
