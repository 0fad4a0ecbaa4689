/** Twins of the CAs the issuers talk to (lib/issuers), on loopback HTTPS: AD CS web enrollment and the Vault PKI sign endpoint. */
export * from './adcs-twin';
export * from './vault-twin';
export * from './loopback-tls';
export * from './twin-signing';
