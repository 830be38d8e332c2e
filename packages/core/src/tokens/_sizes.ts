/**
 * The sizes of Privacy Pass tokens and their parts (TOK-*), apart from the library that makes them, so the
 * wire schemas can use them without importing it.
 * @internal
 */
/** TOK-2: the Privacy Pass token type Comrad uses: 0x0002, blind RSA (2048-bit), publicly verifiable. */
export const TOKEN_TYPE = 0x0002;
/** RFC 9578: the client's random nonce in each token; what the Operator burns (TOK-8). */
export const TOKEN_NONCE_BYTES = 32;
/** RFC 9578: SHA-256 of the issuer's public key (the token key id). */
export const TOKEN_KEY_ID_BYTES = 32;
/** RFC 9578 `Nk` of type 0x0002: an RSA-2048 signature. */
export const TOKEN_AUTHENTICATOR_BYTES = 256;
/** The authenticator input: type, nonce, challenge digest, key id — what the authenticator signs. */
export const TOKEN_INPUT_BYTES = 2 + TOKEN_NONCE_BYTES + 32 + TOKEN_KEY_ID_BYTES;
/** A whole token on the wire (TOK-6): 354 bytes. */
export const TOKEN_BYTES = TOKEN_INPUT_BYTES + TOKEN_AUTHENTICATOR_BYTES;
/** A token request (RFC 9578 §6.1): type, truncated key id, blinded message. */
export const TOKEN_REQUEST_BYTES = 3 + TOKEN_AUTHENTICATOR_BYTES;
/** A token response (RFC 9578 §6.2): the blind signature. */
export const TOKEN_RESPONSE_BYTES = TOKEN_AUTHENTICATOR_BYTES;
/** TOK-5: the issuer name in every Comrad token challenge. */
export const TOKEN_ISSUER_NAME = 'comrad';
/** A token key on the wire: an RSA-2048 SubjectPublicKeyInfo with the RSASSA-PSS OID (about 342 bytes). */
export const TOKEN_KEY_BOUNDS = { min: 256, max: 1024 } as const;
