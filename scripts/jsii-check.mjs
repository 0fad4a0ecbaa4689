// Compiles the construct library with jsii in a scratch folder, proving the public API
// (constructs/index.ts) is jsii-compatible. Run: npm run jsii
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'ucr-jsii-'));
try {
  for (const dir of ['constructs', 'lib']) cpSync(join(root, dir), join(work, dir), { recursive: true, filter: (p) => !p.endsWith('.md') });
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'));
  cpSync(join(root, 'README.md'), join(work, 'README.md'));
  const pkg = {
    name: 'uc-cert-rollout',
    version: '0.0.0',
    author: { name: 'uc-cert-rollout developers', email: 'dev@uc-cert-rollout.invalid', roles: ['author'] },
    license: 'Apache-2.0',
    repository: { type: 'git', url: 'https://example.invalid/uc-cert-rollout.git' },
    main: 'constructs/index.js',
    types: 'constructs/index.d.ts',
    peerDependencies: { cdktf: '0.21.0', constructs: '^10.4.2' },
    devDependencies: { cdktf: '0.21.0', constructs: '10.4.2' },
    dependencies: { '@cdktf/provider-null': '11.0.1', '@peculiar/x509': '2.2.0', 'reflect-metadata': '0.2.2', yaml: '2.9.1', ssh2: '1.17.0' },
    bundledDependencies: ['@peculiar/x509', 'reflect-metadata', 'yaml', 'ssh2'],
    jsii: {
      outdir: 'dist',
      targets: { python: { distName: 'uc-cert-rollout', module: 'uc_cert_rollout' } },
      // Our own tsconfig: lib/pki uses WebCrypto's DOM types, which jsii's generated config lacks.
      tsconfig: 'tsconfig.jsii.json',
      validateTsconfig: 'minimal',
    },
  };
  writeFileSync(join(work, 'package.json'), JSON.stringify(pkg, null, 2));
  const tsconfig = {
    compilerOptions: {
      target: 'ES2020', module: 'commonjs', lib: ['ES2022', 'DOM'], types: ['node'], strict: true, declaration: true,
      experimentalDecorators: true, inlineSourceMap: true, inlineSources: true, esModuleInterop: true, skipLibCheck: true,
      resolveJsonModule: true, composite: false, incremental: false, stripInternal: false, noEmitOnError: true,
    },
    include: ['constructs/**/*.ts', 'lib/**/*.ts'],
  };
  writeFileSync(join(work, 'tsconfig.jsii.json'), JSON.stringify(tsconfig, null, 2));
  execFileSync(join(root, 'node_modules', '.bin', 'jsii'), ['--silence-warnings=reserved-word', '--fail-on-warnings'], {
    cwd: work,
    stdio: 'inherit',
    env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' },
  });
  console.log('jsii: the construct API compiles');
} finally {
  rmSync(work, { recursive: true, force: true });
}
