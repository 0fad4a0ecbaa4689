/**
 * The baseline: bare cdktf stacks holding N terraform_data resources each (cdktf's own
 * DataResource, validations skipped), synthesized in one process. argv: outdir n1 n2 …
 */
import { App, DataResource, TerraformStack } from 'cdktf';

const [outdir, ...counts] = process.argv.slice(2);
const app = new App({ outdir, skipValidation: true });
counts.forEach((n, s) => {
  const stack = new TerraformStack(app, `bare${s}`);
  let previous: DataResource | undefined;
  for (let i = 0; i < Number(n); i++) {
    const r: DataResource = new DataResource(stack, `r${i}`, { triggersReplace: { i: String(i) }, dependsOn: previous ? [previous] : [] });
    previous = r;
  }
});
app.synth();
