/** An identity provider's RS256 signing key, as the JWK pair its JWKS publishes and it signs with. */
import { generateKeyPairSync } from "node:crypto";

export function rsaKey(kid: string) {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    publicJwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" },
    privateJwk: { ...privateKey.export({ format: "jwk" }), kid, alg: "RS256" },
  };
}
