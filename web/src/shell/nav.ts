/**
 * The pages of the studio, in navigation order. Adding a page is one entry here: its id is
 * its hash (`#/<id>`), its label a translation key, its component the page itself, or a
 * loader for a page whose code should download only when it is first opened.
 */
import type { Component } from 'svelte';
import DashboardPage from '../dashboard/DashboardPage.svelte';
import type { MessageKey } from '../lib/i18n.svelte';
import SettingsPage from '../settings/SettingsPage.svelte';
import type { IconName } from './icons';

/** One page of the left navigation: `page` is the component, or `load` fetches it on first visit. */
export type NavItem = {
  id: string;
  label: MessageKey;
  icon: IconName;
} & ({ page: Component; load?: never } | { load: () => Promise<{ default: Component }>; page?: never });

/** Every page, top to bottom. */
export const NAV: readonly NavItem[] = [
  { id: 'dashboard', label: 'nav.dashboard', icon: 'dashboard', page: DashboardPage },
  // The markdown renderer and highlighter come with the Studio page.
  { id: 'studio', label: 'nav.studio', icon: 'chat', load: () => import('../studio/StudioPage.svelte') },
  { id: 'workflows', label: 'nav.workflows', icon: 'workflow', load: () => import('../workflows/WorkflowsPage.svelte') },
  { id: 'lsp', label: 'nav.lsp', icon: 'code', load: () => import('../lsp/LspPage.svelte') },
  { id: 'mcp', label: 'nav.mcp', icon: 'plug', load: () => import('../mcp/McpPage.svelte') },
  { id: 'skills', label: 'nav.skills', icon: 'book', load: () => import('../skills/SkillsPage.svelte') },
  // xterm.js is most of the studio's weight: it downloads with the Terminals page.
  { id: 'terminals', label: 'nav.terminals', icon: 'terminal', load: () => import('../terminal/TerminalsPage.svelte') },
  { id: 'settings', label: 'nav.settings', icon: 'settings', page: SettingsPage },
];
