/** How each kind of terminal is shown: its icon and the translation of its name. */
import type { TerminalKind } from '$wire/terminal';
import type { MessageKey } from '../lib/i18n.svelte';
import type { IconName } from '../shell/icons';

/** The icon of a terminal kind (tabs, menu). */
export const KIND_ICONS: Record<TerminalKind, IconName> = {
  local: 'terminal',
  wsl: 'layers',
  ssh: 'server',
};

/** The name of a terminal kind. */
export const KIND_LABELS: Record<TerminalKind, MessageKey> = {
  local: 'terminals.kind_local',
  wsl: 'terminals.kind_wsl',
  ssh: 'terminals.kind_ssh',
};
