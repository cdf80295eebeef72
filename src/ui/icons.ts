import { raw, type SafeHtml } from './html.js';

/** Decorative icons: the meaning is always in the words beside them (WCAG 1.4.1). */
const svg = (body: string, cls: string): SafeHtml =>
  raw(`<svg class="icon ${cls}" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">${body}</svg>`);

export const icons = {
  normal: () => svg('<path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="2"/>', 'icon-normal'),
  high: () => svg('<path d="M8 2l6 11H2z" fill="currentColor"/>', 'icon-high'),
  low: () => svg('<path d="M8 14L2 3h12z" fill="currentColor"/>', 'icon-low'),
  abnormal: () => svg('<rect x="2" y="2" width="12" height="12" rx="2" fill="currentColor"/><path d="M8 4v5M8 11v1" stroke="#fff" stroke-width="2"/>', 'icon-abnormal'),
  critical: () => svg('<path d="M8 1l7 14H1z" fill="currentColor"/><path d="M8 6v4M8 12v1" stroke="#fff" stroke-width="2"/>', 'icon-critical'),
  info: () => svg('<circle cx="8" cy="8" r="7" fill="currentColor"/><path d="M8 7v5M8 4v1" stroke="#fff" stroke-width="2"/>', 'icon-info'),
  clock: () => svg('<circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M8 4v4l3 2" fill="none" stroke="currentColor" stroke-width="1.5"/>', 'icon-clock'),
  check: () => svg('<path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="2"/>', 'icon-check'),
  warning: () => svg('<path d="M8 1l7 14H1z" fill="currentColor"/><path d="M8 6v4M8 12v1" stroke="#fff" stroke-width="2"/>', 'icon-warning'),
  lock: () => svg('<rect x="3" y="7" width="10" height="8" rx="1" fill="currentColor"/><path d="M5 7V5a3 3 0 016 0v2" fill="none" stroke="currentColor" stroke-width="1.5"/>', 'icon-lock'),
  unread: () => svg('<circle cx="8" cy="8" r="5" fill="currentColor"/>', 'icon-unread'),
};
