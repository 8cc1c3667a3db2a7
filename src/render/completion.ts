// Shell completion scripts for bash, zsh and fish, generated from a plain
// description of the commands and options (commands/completion.ts builds it
// from the commander program, so commands added later are included). Process
// names and pids, user names and sysctl keys and values are completed at TAB
// time by the hidden command `oomctl __complete targets|users|sysctl [KEY]`,
// which prints "VALUE<TAB>DESCRIPTION" lines. After `run [--]` the command is
// one from PATH and its arguments complete as for that command (as sudo's).

/** 'user': a user name of the root's /etc/passwd, asked at TAB time. */
export type ValueKind = 'none' | 'file' | 'dir' | 'choices' | 'user' | 'any';

export interface OptionSpec {
  /** e.g. ["-n", "--limit"] */
  flags: string[];
  description: string;
  value: ValueKind;
  choices: string[];
}

/**
 * 'command': one of oomctl's commands (help); 'program': a command from PATH
 * and then its own arguments (run); 'sysctl': KEY or KEY=VALUE.
 */
export type ArgKind = 'target' | 'command' | 'program' | 'sysctl' | 'choices' | 'any';

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  choices: string[];
  variadic: boolean;
}

export interface CommandSpec {
  name: string;
  aliases: string[];
  description: string;
  options: OptionSpec[];
  args: ArgSpec[];
}

export interface CompletionSpec {
  program: string;
  globalOptions: OptionSpec[];
  commands: CommandSpec[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Only plain words reach a script unquoted: names of commands, flags and choices. */
const WORD = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;
const FLAG = /^--?[A-Za-z0-9][A-Za-z0-9_-]*$/;

function words(list: readonly string[]): string[] {
  return list.filter((w) => WORD.test(w));
}

function sanitizeSpec(spec: CompletionSpec): CompletionSpec {
  const opt = (o: OptionSpec): OptionSpec => ({ ...o, flags: o.flags.filter((f) => FLAG.test(f)), choices: words(o.choices) });
  return {
    program: WORD.test(spec.program) ? spec.program : 'oomctl',
    globalOptions: spec.globalOptions.map(opt).filter((o) => o.flags.length > 0),
    commands: spec.commands
      .filter((c) => WORD.test(c.name))
      .map((c) => ({ ...c, aliases: words(c.aliases), options: c.options.map(opt).filter((o) => o.flags.length > 0), args: c.args.map((a) => ({ ...a, choices: words(a.choices) })) })),
  };
}

/** A single-quoted word for bash and zsh. */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A single-quoted word for fish (which escapes \ and ' inside quotes). */
function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** One line of help text, without control characters. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}

/** Options that take a value, so the word after them is not a command or argument. */
function valueFlags(spec: CompletionSpec): string[] {
  const all = [...spec.globalOptions, ...spec.commands.flatMap((c) => c.options)];
  return [...new Set(all.filter((o) => o.value !== 'none').flatMap((o) => o.flags))].sort();
}

function commandNames(spec: CompletionSpec): string[] {
  return spec.commands.flatMap((c) => [c.name, ...c.aliases]);
}

// ---------------------------------------------------------------- bash

function bashValueCases(options: readonly OptionSpec[], indent: string): string[] {
  const out: string[] = [];
  for (const o of options) {
    if (o.value === 'none') continue;
    const pat = o.flags.join('|');
    if (o.value === 'choices') out.push(`${indent}${pat}) __oomctl_reply_words ${shQuote(o.choices.join(' '))}; return;;`);
    else if (o.value === 'dir') out.push(`${indent}${pat}) __oomctl_reply_files -d; return;;`);
    else if (o.value === 'file') out.push(`${indent}${pat}) __oomctl_reply_files -f; return;;`);
    else if (o.value === 'user') out.push(`${indent}${pat}) __oomctl_reply_complete users; return;;`);
    else out.push(`${indent}${pat}) return;;`);
  }
  return out;
}

function bashArgLines(c: CommandSpec | undefined, spec: CompletionSpec, indent: string): string[] {
  const out: string[] = [];
  const args = c?.args ?? [];
  if (args.length === 0) return out;
  out.push(`${indent}case "$npos" in`);
  args.forEach((a, i) => {
    const pat = a.variadic && i === args.length - 1 ? '*' : String(i);
    const body = a.kind === 'target' ? '__oomctl_reply_complete targets'
      : a.kind === 'command' ? `__oomctl_reply_words ${shQuote(commandNames(spec).join(' '))}`
      : a.kind === 'program' ? '__oomctl_reply_files -c'
      : a.kind === 'sysctl' ? '__oomctl_reply_sysctl'
      : a.kind === 'choices' ? `__oomctl_reply_words ${shQuote(a.choices.join(' '))}`
      : ':';
    out.push(`${indent}  ${pat}) ${body};;`);
  });
  out.push(`${indent}esac`);
  return out;
}

// Long (~99 lines): mostly the bash script as one template, kept readable as the script it prints.
export function renderBashCompletion(input: CompletionSpec): string {
  const spec = sanitizeSpec(input);
  const p = spec.program;
  const globals = spec.globalOptions.flatMap((o) => o.flags);
  const L: string[] = [];
  L.push(
    `# bash completion for ${p}, generated by \`${p} completion bash\`.`,
    `# Load it with: source <(${p} completion bash)`,
    `# or install it: ${p} completion bash > /etc/bash_completion.d/${p}`,
    '',
    '__oomctl_reply_words() {',
    '  local w',
    '  COMPREPLY=()',
    '  for w in $1; do [[ "$w" == "$cur"* ]] && COMPREPLY+=("$w"); done',
    '}',
    '',
    '__oomctl_reply_files() {',
    '  compopt -o filenames 2>/dev/null',
    '  mapfile -t COMPREPLY < <(compgen "$1" -- "$cur")',
    '}',
    '',
    '# Process names and pids, users, sysctl values: from the program itself (same --root).',
    '__oomctl_reply_complete() {',
    '  local line value',
    '  COMPREPLY=()',
    '  while IFS= read -r line; do',
    "    value=\"${line%%$'\\t'*}\"",
    '    [[ "$value" == "$cur"* ]] && COMPREPLY+=("$(printf \'%q\' "$value")")',
    `  done < <(command "\${COMP_WORDS[0]:-${p}}" \${root:+--root "$root"} __complete "$@" 2>/dev/null)`,
    '}',
    '',
    '# KEY, or after KEY= the values of KEY (bash may split the word at "=").',
    '__oomctl_reply_sysctl() {',
    '  local key="" pre=""',
    '  if [[ "${COMP_WORDS[COMP_CWORD]}" == "=" ]]; then key="${COMP_WORDS[COMP_CWORD-1]}"',
    '  elif [[ "${COMP_WORDS[COMP_CWORD-1]}" == "=" ]] && (( COMP_CWORD > 1 )); then key="${COMP_WORDS[COMP_CWORD-2]}"',
    '  elif [[ "$cur" == *=* ]]; then key="${cur%%=*}"; pre="$key="; cur="${cur#*=}"',
    '  fi',
    '  if [[ -z "$key" ]]; then __oomctl_reply_complete sysctl; return; fi',
    '  __oomctl_reply_complete sysctl "$key"',
    '  [[ -n "$pre" ]] && COMPREPLY=("${COMPREPLY[@]/#/$pre}")',
    '}',
    '',
    '# The arguments of the command run: as that command completes them (bash-completion\'s',
    '# _command_offset, as sudo and env do), else file names.',
    '__oomctl_reply_program_args() {',
    '  if declare -F _command_offset >/dev/null; then _command_offset "$argi"; else __oomctl_reply_files -f; fi',
    '}',
    '',
    '_oomctl() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" root="" i w npos=0 argi="" dd=""',
    '  (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  # --opt=value: bash splits the word at "=" (COMP_WORDBREAKS); the value completes as after "--opt ".',
    '  if [[ "$cur" == "=" ]]; then cur=""; elif [[ "$prev" == "=" ]] && (( COMP_CWORD > 1 )); then prev="${COMP_WORDS[COMP_CWORD-2]}"; fi',
    '  for (( i = 1; i < COMP_CWORD; i++ )); do',
    '    w="${COMP_WORDS[i]}"',
    '    # After "--" every word is an argument; argi: the first argument (run: the command it runs).',
    '    if [[ -n "$dd" ]]; then [[ -z "$argi" ]] && argi=$i; continue; fi',
    '    case "$w" in',
    '      --root) [[ "${COMP_WORDS[i+1]}" == "=" ]] && (( i++ )); root="${COMP_WORDS[i+1]}"; (( i++ ));;',
  );
  const vf = valueFlags(spec).filter((f) => f !== '--root');
  if (vf.length > 0) L.push(`      ${vf.join('|')}) [[ "\${COMP_WORDS[i+1]}" == "=" ]] && (( i++ )); (( i++ ));;`);
  L.push(
    '      --) [[ -n "$cmd" ]] && dd=$i;;',
    '      -*) ;;',
    '      *) if [[ -z "$cmd" ]]; then cmd="$w"; else [[ -z "$argi" ]] && argi=$i; (( npos++ )); fi;;',
    '    esac',
    '  done',
    '  case "$prev" in',
    ...bashValueCases(spec.globalOptions, '    '),
    '  esac',
    '  case "$cmd" in',
    '    "")',
    `      if [[ "$cur" == -* ]]; then __oomctl_reply_words ${shQuote(globals.join(' '))}`,
    `      else __oomctl_reply_words ${shQuote(commandNames(spec).join(' '))}; fi;;`,
  );
  for (const c of spec.commands) {
    L.push(`    ${[c.name, ...c.aliases].join('|')})`);
    if (c.args.some((a) => a.kind === 'program')) {
      L.push('      if [[ -n "$argi" ]]; then __oomctl_reply_program_args; return; fi');
      L.push('      if [[ -n "$dd" ]]; then __oomctl_reply_files -c; return; fi');
    }
    const cases = bashValueCases(c.options, '        ');
    if (cases.length > 0) L.push('      case "$prev" in', ...cases, '      esac');
    const opts = [...c.options.flatMap((o) => o.flags), ...globals];
    L.push(`      if [[ "$cur" == -* ]]; then __oomctl_reply_words ${shQuote(opts.join(' '))}; return; fi`);
    L.push(...bashArgLines(c, spec, '      '));
    L.push('      ;;');
  }
  L.push(
    '  esac',
    '}',
    '',
    `complete -F _oomctl ${p}`,
    '',
  );
  return L.join('\n');
}

// ---------------------------------------------------------------- zsh

function zshDescribeItems(items: ReadonlyArray<readonly [string, string]>): string {
  return items.map(([v, d]) => shQuote(`${v.replace(/:/g, '\\:')}:${oneLine(d).replace(/:/g, '\\:')}`)).join(' ');
}

function zshOptionItems(options: readonly OptionSpec[]): Array<[string, string]> {
  return options.flatMap((o) => o.flags.map((f): [string, string] => [f, o.description]));
}

function zshValueCases(options: readonly OptionSpec[], indent: string): string[] {
  const out: string[] = [];
  for (const o of options) {
    if (o.value === 'none') continue;
    const pat = o.flags.join('|');
    if (o.value === 'choices') out.push(`${indent}${pat}) compadd -- ${o.choices.join(' ')}; return;;`);
    else if (o.value === 'dir') out.push(`${indent}${pat}) _files -/; return;;`);
    else if (o.value === 'file') out.push(`${indent}${pat}) _files; return;;`);
    else if (o.value === 'user') out.push(`${indent}${pat}) __oomctl_complete users; return;;`);
    else out.push(`${indent}${pat}) return;;`);
  }
  return out;
}

// Long (~113 lines): mostly the zsh script as one template, kept readable as the script it prints.
export function renderZshCompletion(input: CompletionSpec): string {
  const spec = sanitizeSpec(input);
  const p = spec.program;
  const globalItems = zshOptionItems(spec.globalOptions);
  const L: string[] = [];
  L.push(
    `#compdef ${p}`,
    `# zsh completion for ${p}, generated by \`${p} completion zsh\`.`,
    `# Load it with: source <(${p} completion zsh)   (after compinit)`,
    `# or install it as _${p} in a folder of $fpath.`,
    '',
    '# Process names and pids, users, sysctl values: from the program itself (same --root).',
    '__oomctl_complete() {',
    '  local -a lines values rootopt',
    '  local line',
    '  [[ -n $root ]] && rootopt=(--root "$root")',
    `  lines=("\${(@f)$(command "\${words[1]:-${p}}" $rootopt __complete "$@" 2>/dev/null)}")`,
    "  for line in $lines; do [[ -n $line ]] && values+=(\"${line%%$'\\t'*}\"); done",
    '  compadd -a values',
    '}',
    '',
    '# KEY, or after KEY= the values of KEY.',
    '__oomctl_sysctl() {',
    '  if [[ $cur == *=* ]]; then',
    '    local key=${cur%%=*}',
    "    compset -P '*='",
    '    __oomctl_complete sysctl "$key"',
    '  else',
    '    __oomctl_complete sysctl',
    '  fi',
    '}',
    '',
    '_oomctl() {',
    '  local cur=$words[CURRENT] prev=$words[CURRENT-1] cmd= root= w',
    '  local -i i npos=0 argi=0 dd=0',
    '  local -a items',
    '  # --opt=value: the value completes as after "--opt ", with "--opt=" kept in front.',
    '  if [[ $cur == --*=* ]]; then',
    '    prev=${cur%%=*}',
    "    compset -P '*='",
    '    cur=${cur#*=}',
    '  fi',
    '  for (( i = 2; i < CURRENT; i++ )); do',
    '    w=$words[i]',
    '    # After "--" every word is an argument; argi: the first argument (run: the command it runs).',
    '    if (( dd )); then (( argi )) || argi=$i; continue; fi',
    '    case $w in',
    '      --root) root=$words[i+1]; (( i++ ));;',
    '      --root=*) root=${w#--root=};;',
  );
  const vf = valueFlags(spec).filter((f) => f !== '--root');
  if (vf.length > 0) L.push(`      ${vf.join('|')}) (( i++ ));;`);
  L.push(
    '      --) [[ -n $cmd ]] && dd=$i;;',
    '      -*) ;;',
    '      *) if [[ -z $cmd ]]; then cmd=$w; else (( argi )) || argi=$i; (( npos++ )); fi;;',
    '    esac',
    '  done',
    '  case $prev in',
    ...zshValueCases(spec.globalOptions, '    '),
    '  esac',
    '  case $cmd in',
    "    '')",
    '      if [[ $cur == -* ]]; then',
    `        items=(${zshDescribeItems(globalItems)})`,
    "        _describe -t options 'option' items",
    '      else',
    `        items=(${zshDescribeItems(spec.commands.flatMap((c) => [c.name, ...c.aliases].map((n): [string, string] => [n, c.description])))})`,
    `        _describe -t commands '${p} command' items`,
    '      fi;;',
  );
  for (const c of spec.commands) {
    L.push(`    ${[c.name, ...c.aliases].join('|')})`);
    if (c.args.some((a) => a.kind === 'program')) {
      // As sudo's completion: the words from the command run on complete as for that command.
      L.push('      if (( argi )); then shift $(( argi - 1 )) words; (( CURRENT -= argi - 1 )); _normal; return; fi');
      L.push('      if (( dd )); then _command_names -e; return; fi');
    }
    const cases = zshValueCases(c.options, '        ');
    if (cases.length > 0) L.push('      case $prev in', ...cases, '      esac');
    L.push(
      '      if [[ $cur == -* ]]; then',
      `        items=(${zshDescribeItems([...zshOptionItems(c.options), ...globalItems])})`,
      "        _describe -t options 'option' items",
      '        return',
      '      fi',
    );
    if (c.args.length > 0) {
      L.push('      case $npos in');
      c.args.forEach((a, i) => {
        const pat = a.variadic && i === c.args.length - 1 ? '*' : String(i);
        const body = a.kind === 'target' ? '__oomctl_complete targets'
          : a.kind === 'command' ? `compadd -- ${commandNames(spec).join(' ')}`
          : a.kind === 'program' ? '_command_names -e'
          : a.kind === 'sysctl' ? '__oomctl_sysctl'
          : a.kind === 'choices' ? `compadd -- ${a.choices.join(' ')}`
          : ':';
        L.push(`        ${pat}) ${body};;`);
      });
      L.push('      esac');
    }
    L.push('      ;;');
  }
  L.push(
    '  esac',
    '}',
    '',
    '# Autoloaded from $fpath: run; sourced: register.',
    `if [[ "\${funcstack[1]}" == _${p} ]]; then _oomctl "$@"; else compdef _oomctl ${p}; fi`,
    '',
  );
  return L.join('\n');
}

// ---------------------------------------------------------------- fish

function fishOptionLine(p: string, condition: string | undefined, o: OptionSpec): string {
  const parts = [`complete -c ${p}`];
  if (condition) parts.push(`-n ${fishQuote(condition)}`);
  for (const f of o.flags) parts.push(f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`);
  if (o.value === 'choices') parts.push(`-x -a ${fishQuote(o.choices.join(' '))}`);
  else if (o.value === 'dir') parts.push(`-x -a ${fishQuote('(__fish_complete_directories (commandline -ct))')}`);
  else if (o.value === 'file') parts.push('-r -F');
  else if (o.value === 'user') parts.push(`-x -a ${fishQuote('(__oomctl_complete users)')}`);
  else if (o.value === 'any') parts.push('-x');
  if (o.description) parts.push(`-d ${fishQuote(oneLine(o.description))}`);
  return parts.join(' ');
}

// Long (~136 lines): mostly the fish script as one template, kept readable as the script it prints.
export function renderFishCompletion(input: CompletionSpec): string {
  const spec = sanitizeSpec(input);
  const p = spec.program;
  const vf = valueFlags(spec);
  const L: string[] = [];
  L.push(
    `# fish completion for ${p}, generated by \`${p} completion fish\`.`,
    `# Load it with: ${p} completion fish | source`,
    `# or install it: ${p} completion fish > ~/.config/fish/completions/${p}.fish`,
    '',
    '# The command word, the count of arguments after it (skipping option values), and the',
    '# index (in commandline -opc) of the first argument, 0 if none: run\'s command.',
    'function __oomctl_parse',
    '    set -l tokens (commandline -opc)',
    '    set -e tokens[1]',
    '    set -l cmd',
    '    set -l npos 0',
    '    set -l skip 0',
    '    set -l dd 0',
    '    set -l argi 0',
    '    set -l idx 1',
    '    for t in $tokens',
    '        set idx (math $idx + 1)',
    '        if test $dd = 1',
    '            test $argi = 0; and set argi $idx',
    '            continue',
    '        end',
    '        if test $skip = 1',
    '            set skip 0',
    '            continue',
    '        end',
    '        if test "$t" = "--"; and test -n "$cmd"',
    '            set dd 1',
    '            continue',
    '        end',
    '        switch $t',
    `            case ${vf.length > 0 ? vf.join(' ') : '--root'}`,
    '                set skip 1',
    "            case '-*'",
    "            case '*'",
    '                if test -z "$cmd"',
    '                    set cmd $t',
    '                else',
    '                    test $argi = 0; and set argi $idx',
    '                    set npos (math $npos + 1)',
    '                end',
    '        end',
    '    end',
    '    echo $cmd',
    '    echo $npos',
    '    echo $argi',
    '    echo $dd',
    'end',
    '',
    'function __oomctl_no_command',
    '    set -l r (__oomctl_parse)',
    '    test -z "$r[1]"',
    'end',
    '',
    '# __oomctl_using CMD [N]: the command is CMD (and N arguments precede the cursor).',
    'function __oomctl_using',
    '    set -l r (__oomctl_parse)',
    '    test "$r[1]" = "$argv[1]"; or return 1',
    '    test (count $argv) -lt 2; and return 0',
    '    test "$argv[2]" = "*"; or test "$r[2]" = "$argv[2]"',
    'end',
    '',
    '# run [OPTIONS] [--] CMD ARGS: a command from PATH, then what completes for CMD (as sudo\'s).',
    'function __oomctl_program',
    '    set -l r (__oomctl_parse)',
    '    if test "$r[3]" = 0',
    '        __fish_complete_command',
    '    else',
    '        set -l tokens (commandline -opc)',
    "        complete -C (string join ' ' -- (string escape -- $tokens[$r[3]..-1]) (commandline -ct))",
    '    end',
    'end',
    '',
    '# __oomctl_before_program CMD: the command is CMD (run) and its own options still apply.',
    'function __oomctl_before_program',
    '    set -l r (__oomctl_parse)',
    '    test "$r[1]" = "$argv[1]"; and test "$r[3]" = 0; and test "$r[4]" = 0',
    'end',
    '',
    '# KEY, or after KEY= the values of KEY.',
    'function __oomctl_sysctl',
    '    set -l cur (commandline -ct)',
    "    if string match -q -- '*=*' $cur",
    '        set -l key (string split -m1 = -- $cur)[1]',
    '        for line in (__oomctl_complete sysctl $key)',
    '            echo "$key=$line"',
    '        end',
    '    else',
    '        __oomctl_complete sysctl',
    '    end',
    'end',
    '',
    '# Process names and pids, users, sysctl values: from the program itself (same --root).',
    'function __oomctl_complete',
    '    set -l tokens (commandline -opc)',
    '    set -l root',
    '    set -l i (contains -i -- --root $tokens)',
    '    and test (count $tokens) -gt $i',
    '    and set root --root $tokens[(math $i + 1)]',
    '    for t in $tokens',
    "        string match -q -- '--root=*' $t; and set root --root (string replace -- '--root=' '' $t)",
    '    end',
    `    command $tokens[1] $root __complete $argv 2>/dev/null`,
    'end',
    '',
    `complete -c ${p} -f`,
  );
  for (const o of spec.globalOptions) L.push(fishOptionLine(p, undefined, o));
  for (const c of spec.commands) {
    for (const n of [c.name, ...c.aliases]) {
      L.push(`complete -c ${p} -n __oomctl_no_command -a ${n} -d ${fishQuote(oneLine(c.description))}`);
    }
  }
  for (const c of spec.commands) {
    const program = c.args.some((a) => a.kind === 'program');
    for (const n of [c.name, ...c.aliases]) {
      for (const o of c.options) L.push(fishOptionLine(p, program ? `__oomctl_before_program ${n}` : `__oomctl_using ${n}`, o));
      c.args.forEach((a, i) => {
        const pos = a.variadic && i === c.args.length - 1 ? '"*"' : String(i);
        const cond = `__oomctl_using ${n} ${pos}`;
        if (a.kind === 'target') L.push(`complete -c ${p} -n ${fishQuote(cond)} -a ${fishQuote('(__oomctl_complete targets)')}`);
        else if (a.kind === 'program') L.push(`complete -c ${p} -n ${fishQuote(`__oomctl_using ${n}`)} -a ${fishQuote('(__oomctl_program)')}`);
        else if (a.kind === 'sysctl') L.push(`complete -c ${p} -n ${fishQuote(cond)} -a ${fishQuote('(__oomctl_sysctl)')}`);
        else if (a.kind === 'command') L.push(`complete -c ${p} -n ${fishQuote(cond)} -a ${fishQuote(commandNames(spec).join(' '))}`);
        else if (a.kind === 'choices') L.push(`complete -c ${p} -n ${fishQuote(cond)} -a ${fishQuote(a.choices.join(' '))}`);
      });
    }
  }
  L.push('');
  return L.join('\n');
}

export function renderCompletion(shell: Shell, spec: CompletionSpec): string {
  switch (shell) {
    case 'bash': return renderBashCompletion(spec);
    case 'zsh': return renderZshCompletion(spec);
    case 'fish': return renderFishCompletion(spec);
  }
}
