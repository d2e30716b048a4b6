import { buildSchema, type GraphQLSchema } from 'graphql';

/**
 * The part of Contember's Tenant API (2.0.8) that Tessera answers: every field of tiers 1 to 3 that
 * maps onto Tessera's model, with Contember's exact types, deprecated fields included (the official
 * client's fragments select them). The interface is Contember's (Apache-2.0); this text is written
 * for Tessera. Projects, memberships, invites, mail templates, IdPs and passwordless sign-in are not
 * in it: a document naming them fails validation (HTTP 400), as on a Contember without the field.
 */
export const TENANT_SDL = /* GraphQL */ `
  scalar Json

  type Query {
    me: Identity!
    personById(id: String!): Person
    checkResetPasswordToken(requestId: String!, token: String!): CheckResetPasswordTokenCode!
  }

  type Mutation {
    signUp(email: String!, password: String, passwordHash: String, roles: [String!], name: String): SignUpResponse
    signIn(email: String!, password: String!, expiration: Int, otpToken: String): SignInResponse
    createSessionToken(email: String, personId: String, expiration: Int): CreateSessionTokenResponse
    signOut(all: Boolean): SignOutResponse
    changeProfile(personId: String!, email: String, name: String): ChangeProfileResponse
    changeMyProfile(email: String, name: String): ChangeMyProfileResponse
    changePassword(personId: String!, password: String!): ChangePasswordResponse
    changeMyPassword(currentPassword: String!, newPassword: String!): ChangeMyPasswordResponse
    prepareOtp(label: String): PrepareOtpResponse
    confirmOtp(otpToken: String!): ConfirmOtpResponse
    disableOtp: DisableOtpResponse
    disablePerson(personId: String!): DisablePersonResponse
    createResetPasswordRequest(
      email: String!
      options: CreateResetPasswordRequestOptions
    ): CreatePasswordResetRequestResponse
    resetPassword(token: String!, password: String!): ResetPasswordResponse
    createGlobalApiKey(description: String!, roles: [String!], tokenHash: String): CreateApiKeyResponse
    disableApiKey(id: String!): DisableApiKeyResponse
  }

  # --- people, identities, projects ---

  type Person {
    id: String!
    email: String
    name: String
    otpEnabled: Boolean!
    passwordlessEnabled: Boolean
    identity: Identity!
  }

  type ApiKey {
    id: String!
    identity: Identity!
  }

  type ApiKeyWithToken {
    id: String!
    token: String
    identity: Identity!
  }

  type Identity {
    id: String!
    description: String
    person: Person
    apiKey: ApiKey
    projects: [IdentityProjectRelation!]!
    permissions: IdentityGlobalPermissions
    roles: [String!]
  }

  type IdentityGlobalPermissions {
    canCreateProject: Boolean!
    canDeployEntrypoint: Boolean!
  }

  type IdentityProjectRelation {
    project: Project!
    memberships: [Membership!]!
  }

  type Project {
    id: String!
    name: String!
    slug: String!
    config: Json!
    roles: [RoleDefinition!]!
    members(
      input: ProjectMembersInput
      memberType: MemberType @deprecated(reason: "Use args")
    ): [ProjectIdentityRelation!]!
  }

  input ProjectMembersInput {
    limit: Int
    offset: Int
    filter: ProjectMembersFilter
  }

  input ProjectMembersFilter {
    memberType: MemberType
    email: [String!]
    identityId: [String!]
    personId: [String!]
  }

  enum MemberType {
    API_KEY
    PERSON
  }

  type ProjectIdentityRelation {
    identity: Identity!
    memberships: [Membership!]!
  }

  type RoleDefinition {
    name: String!
    variables: [RoleVariableDefinition!]!
  }

  interface RoleVariableDefinition {
    name: String!
  }

  type RoleEntityVariableDefinition implements RoleVariableDefinition {
    name: String!
    entityName: String!
  }

  type RolePredefinedVariableDefinition implements RoleVariableDefinition {
    name: String!
    value: String!
  }

  type RoleConditionVariableDefinition implements RoleVariableDefinition {
    name: String!
  }

  type Membership {
    role: String!
    variables: [VariableEntry!]!
  }

  type VariableEntry {
    name: String!
    values: [String!]!
  }

  type MembershipValidationError {
    code: MembershipValidationErrorCode!
    role: String!
    variable: String
  }

  enum MembershipValidationErrorCode {
    ROLE_NOT_FOUND
    VARIABLE_NOT_FOUND
    VARIABLE_EMPTY
    VARIABLE_INVALID
  }

  # --- sign-up, sign-in, sign-out ---

  type SignUpResponse {
    ok: Boolean!
    errors: [SignUpError!]! @deprecated
    error: SignUpError
    result: SignUpResult
  }

  type SignUpError {
    code: SignUpErrorCode!
    developerMessage: String!
    endPersonMessage: String @deprecated
  }

  enum SignUpErrorCode {
    EMAIL_ALREADY_EXISTS
    INVALID_EMAIL_FORMAT
    TOO_WEAK
  }

  type SignUpResult {
    person: Person!
  }

  interface CommonSignInResult {
    token: String!
    person: Person!
  }

  type SignInResponse {
    ok: Boolean!
    errors: [SignInError!]! @deprecated
    error: SignInError
    result: SignInResult
  }

  type SignInError {
    code: SignInErrorCode!
    developerMessage: String!
    endUserMessage: String @deprecated
  }

  enum SignInErrorCode {
    UNKNOWN_EMAIL
    INVALID_PASSWORD
    PERSON_DISABLED
    NO_PASSWORD_SET
    OTP_REQUIRED
    INVALID_OTP_TOKEN
  }

  type SignInResult implements CommonSignInResult {
    token: String!
    person: Person!
  }

  type CreateSessionTokenResponse {
    ok: Boolean!
    error: CreateSessionTokenError
    result: CreateSessionTokenResult
  }

  type CreateSessionTokenError {
    code: CreateSessionTokenErrorCode!
    developerMessage: String!
  }

  enum CreateSessionTokenErrorCode {
    UNKNOWN_EMAIL
    UNKNOWN_PERSON_ID
    PERSON_DISABLED
  }

  type CreateSessionTokenResult implements CommonSignInResult {
    token: String!
    person: Person!
  }

  type SignOutResponse {
    ok: Boolean!
    errors: [SignOutError!]! @deprecated
    error: SignOutError
  }

  type SignOutError {
    code: SignOutErrorCode!
    developerMessage: String!
    endUserMessage: String @deprecated
  }

  enum SignOutErrorCode {
    NOT_A_PERSON
    NOT_POSSIBLE_SIGN_OUT_WITH_PERMANENT_API_KEY
  }

  # --- profiles and passwords ---

  type ChangeProfileResponse {
    ok: Boolean!
    error: ChangeProfileError
  }

  type ChangeProfileError {
    code: ChangeProfileErrorCode!
    developerMessage: String!
  }

  enum ChangeProfileErrorCode {
    PERSON_NOT_FOUND
    INVALID_EMAIL_FORMAT
    EMAIL_ALREADY_EXISTS
  }

  type ChangeMyProfileResponse {
    ok: Boolean!
    error: ChangeMyProfileError
  }

  type ChangeMyProfileError {
    code: ChangeMyProfileErrorCode!
    developerMessage: String!
  }

  enum ChangeMyProfileErrorCode {
    NOT_A_PERSON
    INVALID_EMAIL_FORMAT
    EMAIL_ALREADY_EXISTS
  }

  type ChangePasswordResponse {
    ok: Boolean!
    errors: [ChangePasswordError!]! @deprecated
    error: ChangePasswordError
  }

  type ChangePasswordError {
    code: ChangePasswordErrorCode!
    developerMessage: String!
    endUserMessage: String @deprecated
  }

  enum ChangePasswordErrorCode {
    PERSON_NOT_FOUND
    TOO_WEAK
  }

  type ChangeMyPasswordResponse {
    ok: Boolean!
    error: ChangeMyPasswordError
  }

  type ChangeMyPasswordError {
    code: ChangeMyPasswordErrorCode!
    developerMessage: String!
  }

  enum ChangeMyPasswordErrorCode {
    TOO_WEAK
    NOT_A_PERSON
    INVALID_PASSWORD
    NO_PASSWORD_SET
  }

  type DisablePersonResponse {
    ok: Boolean!
    error: DisablePersonError
  }

  type DisablePersonError {
    code: DisablePersonErrorCode!
    developerMessage: String!
  }

  enum DisablePersonErrorCode {
    PERSON_ALREADY_DISABLED
    PERSON_NOT_FOUND
  }

  # --- second factor ---

  type PrepareOtpResponse {
    ok: Boolean!
    result: PrepareOtpResult
  }

  type PrepareOtpResult {
    otpUri: String!
    otpSecret: String!
  }

  type ConfirmOtpResponse {
    ok: Boolean!
    errors: [ConfirmOtpError!]! @deprecated
    error: ConfirmOtpError
  }

  type ConfirmOtpError {
    code: ConfirmOtpErrorCode!
    developerMessage: String!
    endUserMessage: String @deprecated
  }

  enum ConfirmOtpErrorCode {
    INVALID_OTP_TOKEN
    NOT_PREPARED
  }

  type DisableOtpResponse {
    ok: Boolean!
    errors: [DisableOtpError!]! @deprecated
    error: DisableOtpError
  }

  type DisableOtpError {
    code: DisableOtpErrorCode!
    developerMessage: String!
    endUserMessage: String @deprecated
  }

  enum DisableOtpErrorCode {
    OTP_NOT_ACTIVE
  }

  # --- password reset ---

  enum CheckResetPasswordTokenCode {
    REQUEST_NOT_FOUND
    TOKEN_NOT_FOUND
    TOKEN_INVALID
    TOKEN_USED
    TOKEN_EXPIRED
  }

  type CreatePasswordResetRequestResponse {
    ok: Boolean!
    errors: [CreatePasswordResetRequestError!]! @deprecated
    error: CreatePasswordResetRequestError
  }

  type CreatePasswordResetRequestError {
    code: CreatePasswordResetRequestErrorCode!
    developerMessage: String!
    endUserMessage: String @deprecated
  }

  enum CreatePasswordResetRequestErrorCode {
    PERSON_NOT_FOUND
  }

  input CreateResetPasswordRequestOptions {
    mailProject: String
    mailVariant: String
  }

  type ResetPasswordResponse {
    ok: Boolean!
    errors: [ResetPasswordError!]! @deprecated
    error: ResetPasswordError
  }

  type ResetPasswordError {
    code: ResetPasswordErrorCode!
    developerMessage: String!
    endUserMessage: String @deprecated
  }

  enum ResetPasswordErrorCode {
    TOKEN_NOT_FOUND
    TOKEN_INVALID
    TOKEN_USED
    TOKEN_EXPIRED
    PASSWORD_TOO_WEAK
  }

  # --- API keys ---

  type CreateApiKeyResponse {
    ok: Boolean!
    errors: [CreateApiKeyError!]! @deprecated
    error: CreateApiKeyError
    result: CreateApiKeyResult
  }

  type CreateApiKeyError {
    code: CreateApiKeyErrorCode!
    developerMessage: String!
    membershipValidation: [MembershipValidationError!]
    endUserMessage: String @deprecated
  }

  enum CreateApiKeyErrorCode {
    PROJECT_NOT_FOUND
    INVALID_MEMBERSHIP
    VARIABLE_NOT_FOUND @deprecated
    ROLE_NOT_FOUND @deprecated
    VARIABLE_EMPTY @deprecated
  }

  type CreateApiKeyResult {
    apiKey: ApiKeyWithToken!
  }

  type DisableApiKeyResponse {
    ok: Boolean!
    errors: [DisableApiKeyError!]! @deprecated
    error: DisableApiKeyError
  }

  type DisableApiKeyError {
    code: DisableApiKeyErrorCode!
    developerMessage: String!
    endUserMessage: String @deprecated
  }

  enum DisableApiKeyErrorCode {
    KEY_NOT_FOUND
  }
`;

/** Built once, when the module loads. */
export const tenantSchema: GraphQLSchema = buildSchema(TENANT_SDL);
