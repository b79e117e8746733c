import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.ts';

interface DeployK8sFlags {
  values?: string;
  plan?: string;
  out: string;
}

/** `agentload deploy k8s`: Kubernetes manifests of the reference stack and a k6-operator TestRun. */
export function register(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const deploy = program.command('deploy').description('Render deployment manifests for the reference stack');
  deploy
    .command('k8s')
    .description(
      'Render Kubernetes manifests from deploy/k8s/values.yaml, a --values file and a capacity plan',
    )
    .option('--values <file>', 'YAML values laid over deploy/k8s/values.yaml')
    .option('--plan <file>', 'plan.json from `agentload plan --out`: fills replicas, limits, server settings')
    .option('--out <dir>', 'where to write the manifests', 'deploy/k8s/manifests')
    .action((flags: DeployK8sFlags) =>
      run(async () => {
        const [{ loadValues }, { readPlan, valuesFromPlan }, { writeManifests }] = await Promise.all([
          import('../../../deploy/k8s/values.ts'),
          import('../../../deploy/k8s/plan-values.ts'),
          import('../../../deploy/k8s/render.ts'),
        ]);
        const overlay = flags.plan === undefined ? null : valuesFromPlan(await readPlan(flags.plan));
        const values = await loadValues(flags.values, ...(overlay ? [overlay] : []));
        if (overlay) process.stderr.write(`from the plan: ${JSON.stringify(overlay)}\n`);
        for (const file of await writeManifests(values, flags.out)) process.stderr.write(`wrote ${file}\n`);
        return ExitCode.ok;
      }),
    );
}
