// Where the kubelet's config file is, from its command line. Apart from
// kubelet-config.ts so that `top` can tell whether a kubelet is configured
// without loading the YAML parser.

/** kubeadm's and most distributions' --config (the kubelet has no default path of its own). */
export const KUBELET_CONFIG_PATH = '/var/lib/kubelet/config.yaml';

/** The kubelet's --config file from its command line, when given as --config=F or --config F. */
export function kubeletConfigPathFromArgs(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--config=')) return a.slice('--config='.length);
    if (a === '--config') return argv[i + 1];
  }
  return undefined;
}
