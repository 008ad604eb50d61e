/**
 * The pages of the studio, in navigation order. Adding a page is one entry here: its id is
 * its hash (`#/<id>`), its label a translation key, its component the page itself.
 */
import type { Component } from 'svelte';
import DashboardPage from '../dashboard/DashboardPage.svelte';
import type { MessageKey } from '../lib/i18n.svelte';
import SettingsPage from '../settings/SettingsPage.svelte';
import type { IconName } from './icons';

/** One page of the left navigation. */
export interface NavItem {
  id: string;
  label: MessageKey;
  icon: IconName;
  page: Component;
}

/** Every page, top to bottom. */
export const NAV: readonly NavItem[] = [
  { id: 'dashboard', label: 'nav.dashboard', icon: 'dashboard', page: DashboardPage },
  { id: 'settings', label: 'nav.settings', icon: 'settings', page: SettingsPage },
];
