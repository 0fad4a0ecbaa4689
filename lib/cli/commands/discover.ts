/** `ucrollout discover`: the inventory of a live cluster, read from its publisher. Reads only. */
import { loadResolveMap, resolveMapPath } from '../../drivers/resolve';
import { discoverCms } from '../../day2/cms-discover';
import { discoverCluster } from '../../day2/discover';
import { DEFAULT_CREDENTIALS, checkEnvName, checkName, checkFqdn } from '../../model';
import { parseCommandArgs } from '../args';
import { CliError } from '../errors';

const USAGE = `usage: ucrollout discover (--publisher FQDN | --cms FQDN,… | both) --out FILE [--name CLUSTER] [--cms-name CLUSTER]
                          [--username-env VAR --password-env VAR | --credentials-file FILE]
                          [--resolve FILE] [--known-hosts FILE] [--insecure-first-contact]

Reads a live CUCM / IM and Presence cluster from its publisher over the admin CLI, as a plan
step connects (credentials, host key pins, resolve map), and writes an inventory that plan,
lint and status accept: the nodes and their roles ('show network cluster'), each node's
activated services ('utils service list') and release, the cluster security mode, and the
identity certificates per purpose with their distribution, commented with issuer and expiry.
A CA-signed certificate whose CA chain the node's trust store holds is declared, its public
files written to discovered/ beside the inventory. Nothing on any node is changed.

With --cms, it reads each Meeting Server over the MMP the same way ('pki list', each service's
status, 'pki inspect' of the certificate in use, 'xmpp', 'database cluster status') and writes a
cmsClusters entry: the servers, their services, port overrides and database roles, the XMPP
domain; what the servers cannot give (clusterFqdn, joinUrl, the key and CA of a CA-signed
certificate in use) is written as a comment to complete.

  --publisher FQDN          the CUCM publisher
  --cms FQDN,…              the Meeting Servers of one deployment (comma separated; repeatable)
  --cms-name CLUSTER        the Meeting Server cluster's name (default: --name without --publisher,
                            else the first server's host name)
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

function problemOf(values: { cms?: string[] }): string | undefined {
  for (const fqdn of cmsServers(values)) {
    const p = checkFqdn('--cms', fqdn);
    if (p) return p;
  }
  return undefined;
}

function cmsServers(values: { cms?: string[] }): string[] {
  return (values.cms ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('discover', {
    args,
    options: {
      publisher: { type: 'string' },
      cms: { type: 'string', multiple: true },
      'cms-name': { type: 'string' },
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
  const cms = cmsServers(values);
  if (!values.publisher && cms.length === 0) throw new CliError(`--publisher or --cms is required\n${USAGE}`);
  if (!values.out) throw new CliError(`--out is required\n${USAGE}`);
  const problem =
    (values.publisher ? checkFqdn('--publisher', values.publisher) : undefined) ??
    problemOf(values) ??
    (values['cms-name'] !== undefined ? checkName('--cms-name', values['cms-name']) : undefined) ??
    (values.name !== undefined ? checkName('--name', values.name) : undefined) ??
    (values['username-env'] !== undefined ? checkEnvName('--username-env', values['username-env']) : undefined) ??
    (values['password-env'] !== undefined ? checkEnvName('--password-env', values['password-env']) : undefined);
  if (problem) throw new CliError(problem);
  const resolveFile = resolveMapPath(values.resolve);
  const insecure = values['insecure-first-contact'] || process.env.UCROLLOUT_INSECURE_FIRST_CONTACT === '1';
  const credentials = {
    usernameEnv: values['username-env'] ?? DEFAULT_CREDENTIALS.usernameEnv,
    passwordEnv: values['password-env'] ?? DEFAULT_CREDENTIALS.passwordEnv,
    ...(values['credentials-file'] ? { file: values['credentials-file'] } : {}),
  };
  const common = {
    out: values.out,
    credentials,
    resolveMap: resolveFile ? loadResolveMap(resolveFile) : undefined,
    knownHosts: values['known-hosts'],
    insecureFirstContact: insecure,
    log: (line: string) => process.stderr.write(`${line}\n`),
  };
  if (values.publisher) {
    const found = await discoverCluster({ ...common, publisher: values.publisher, clusterName: values.name });
    const declared = found.certificates.filter((c) => c.file).length;
    process.stdout.write(
      `${found.name}: ${found.nodes.length} node(s), security mode ${found.securityMode}, ${found.certificates.length} identity certificate(s) found, ${declared} declared → ${values.out}\n`,
    );
  }
  if (cms.length > 0) {
    const found = await discoverCms({ ...common, servers: cms, clusterName: values['cms-name'] ?? (values.publisher ? undefined : values.name), append: !!values.publisher });
    const services = found.servers.reduce((n, s) => n + s.services.length, 0);
    process.stdout.write(`${found.name}: ${found.servers.length} Meeting Server(s), ${services} service(s) with a certificate, version ${found.version} → ${values.out}\n`);
  }
  return 0;
}
