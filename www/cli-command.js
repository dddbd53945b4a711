// The command line for the setup on screen: `slam-lab <what> --scenario S [--dataset F] ... [--config
// FILE]`, with the config file written by the same shell snippet, so a copied command runs as it is.

/** The config file the snippets write. */
export const CONFIG_FILE = 'slam-lab-config.json';

/**
 * `{config, args, json, snippet}` for `slam-lab <command> ...` on the setup on screen: `extra` are the
 * command's own arguments (e.g. ['--vary', 'labeled=25,50', '--seeds', '2']), placed before --config.
 */
export function cliCommand(app, command, extra) {
  const config = app.requestOverrides();
  const args = [command, '--scenario', app.state.scenario];
  if (app.csv) args.push('--dataset', app.csv.name);
  args.push(...extra);
  const hasConfig = Object.keys(config).length > 0;
  if (hasConfig) args.push('--config', CONFIG_FILE);
  const json = JSON.stringify(config, null, 2);
  const line = ['slam-lab', ...args.map(quote)].join(' ');
  const snippet = hasConfig ? `cat > ${CONFIG_FILE} <<'EOF'\n${json}\nEOF\n${line}` : line;
  return { config, args, json, snippet };
}

/** A shell word: plain when it is safe, else in single quotes. */
export function quote(word) {
  return /^[A-Za-z0-9_./=,:-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
