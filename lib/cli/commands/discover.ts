/** `ucrollout discover`: the inventory of a live cluster, read from its publisher. Reads only. */
import { loadResolveMap, resolveMapPath } from '../../drivers/resolve';
import { discoverCluster } from '../../day2/discover';
import { DEFAULT_CREDENTIALS, checkEnvName, checkName, checkFqdn } from '../../model';
import { parseCommandArgs } from '../args';
import { CliError } from '../errors';

const USAGE = `usage: ucrollout discover --publisher FQDN --out FILE [--name CLUSTER]
                          [--username-env VAR --password-env VAR | --credentials-file FILE]
                          [--resolve FILE] [--known-hosts FILE] [--insecure-first-contact]

Reads a live CUCM / IM and Presence cluster from its publisher over the admin CLI, as a plan
step connects (credentials, host key pins, resolve map), and writes an inventory that plan,
lint and status accept: the nodes and their roles ('show network cluster'), each node's
activated services ('utils service list') and release, the cluster security mode, and the
identity certificates per purpose with their distribution, commented with issuer and expiry.
A CA-signed certificate whose CA chain the node's trust store holds is declared, its public
files written to discovered/ beside the inventory. Nothing on any node is changed.

  --publisher FQDN          the CUCM publisher
  --out FILE                the inventory to write (YAML)
  --name CLUSTER            the cluster's name (default: the publisher's host name)
  --username-env VAR        variable holding the platform admin user (default ${DEFAULT_CREDENTIALS.usernameEnv}); written to the inventory
  --password-env VAR        variable holding its password (default ${DEFAULT_CREDENTIALS.passwordEnv})
  --credentials-file FILE   JSON {"username", "password"} read when the variables are unset
  --resolve FILE            the digital twin's ready file (default: $UCROLLOUT_RESOLVE)
  --known-hosts FILE        SSH host key pins (known_hosts lines); written as the cluster's knownHostsFile
  --insecure-first-contact  accept the key of a node with no pin, record it in FILE.known_hosts (written
                            as knownHostsFile); check each fingerprint on the node's console

exit codes: 0 written, 1 a node could not be read, 2 usage`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('discover', {
    args,
    options: {
      publisher: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      'username-env': { type: 'string' },
      'password-env': { type: 'string' },
      'credentials-file': { type: 'string' },
      resolve: { type: 'string' },
      'known-hosts': { type: 'string', multiple: true },
      'insecure-first-contact': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!values.publisher) throw new CliError(`--publisher is required\n${USAGE}`);
  if (!values.out) throw new CliError(`--out is required\n${USAGE}`);
  const problem =
    checkFqdn('--publisher', values.publisher) ??
    (values.name !== undefined ? checkName('--name', values.name) : undefined) ??
    (values['username-env'] !== undefined ? checkEnvName('--username-env', values['username-env']) : undefined) ??
    (values['password-env'] !== undefined ? checkEnvName('--password-env', values['password-env']) : undefined);
  if (problem) throw new CliError(problem);
  const resolveFile = resolveMapPath(values.resolve);
  const insecure = values['insecure-first-contact'] || process.env.UCROLLOUT_INSECURE_FIRST_CONTACT === '1';
  const found = await discoverCluster({
    publisher: values.publisher,
    out: values.out,
    clusterName: values.name,
    credentials: {
      usernameEnv: values['username-env'] ?? DEFAULT_CREDENTIALS.usernameEnv,
      passwordEnv: values['password-env'] ?? DEFAULT_CREDENTIALS.passwordEnv,
      ...(values['credentials-file'] ? { file: values['credentials-file'] } : {}),
    },
    resolveMap: resolveFile ? loadResolveMap(resolveFile) : undefined,
    knownHosts: values['known-hosts'],
    insecureFirstContact: insecure,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const declared = found.certificates.filter((c) => c.file).length;
  process.stdout.write(
    `${found.name}: ${found.nodes.length} node(s), security mode ${found.securityMode}, ${found.certificates.length} identity certificate(s) found, ${declared} declared → ${values.out}\n`,
  );
  return 0;
}
