/** The one place a declaration becomes its issuer. */
import { AcmeIssuer } from './acme';
import { AdcsIssuer } from './adcs';
import { CommandIssuer } from './command';
import { Issuer } from './issuer';
import { LabIssuer } from './lab';
import { IssuerDecl } from './types';
import { VaultIssuer } from './vault';

export function createIssuer(decl: IssuerDecl): Issuer {
  switch (decl.kind) {
    case 'acme':
      return new AcmeIssuer(decl);
    case 'adcs':
      return new AdcsIssuer(decl);
    case 'vault':
      return new VaultIssuer(decl);
    case 'command':
      return new CommandIssuer(decl);
    case 'lab':
      return new LabIssuer(decl);
  }
}
