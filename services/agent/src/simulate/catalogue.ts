/** The small cast of users, groups, hosts, addresses and applications simulated sessions use. */
import type { Random } from '../random';

export const USERS = [
  { name: 'alice', groups: ['developers', 'vpn-users'] },
  { name: 'bob', groups: ['ops', 'admins'] },
  { name: 'carol', groups: ['finance'] },
  { name: 'dave', groups: ['helpdesk'] },
  { name: 'erin', groups: ['developers'] },
  { name: 'frank', groups: ['contractors'] },
  { name: 'grace', groups: ['ops'] },
  { name: 'heidi', groups: ['finance', 'approvers'] },
  { name: 'ivan', groups: ['contractors', 'vpn-users'] },
  { name: 'judy', groups: ['admins'] },
] as const;

export const DESKTOP_HOSTS = ['vdi-lnx-01', 'vdi-lnx-02', 'vdi-lnx-03', 'rds-ws-07'] as const;
export const TERMINAL_HOSTS = [
  'srv-web-01',
  'srv-web-02',
  'db-prod-01',
  'bastion-01',
  'build-03',
] as const;

export function clientAddress(random: Random): string {
  switch (random.int(0, 3)) {
    case 0:
      return `192.168.${random.int(0, 3)}.${random.int(2, 250)}`;
    case 1:
      return `2001:db8:${random.int(1, 0xffff).toString(16)}::${random.int(1, 0xfff).toString(16)}`;
    default:
      return `10.20.${random.int(0, 40)}.${random.int(2, 250)}`;
  }
}

export const DESKTOP_APPS = [
  {
    name: 'firefox',
    path: '/usr/lib/firefox/firefox',
    titles: [
      'Inbox - Outlook Web - Mozilla Firefox',
      'Jira - Sprint board - Mozilla Firefox',
      'Grafana - Ingest - Mozilla Firefox',
    ],
  },
  {
    name: 'libreoffice-calc',
    path: '/usr/lib/libreoffice/program/soffice.bin',
    titles: ['Q3-forecast.xlsx - LibreOffice Calc', 'payroll-march.ods - LibreOffice Calc'],
  },
  {
    name: 'code',
    path: '/usr/share/code/code',
    titles: ['main.ts - billing - Visual Studio Code', 'README.md - infra - Visual Studio Code'],
  },
  {
    name: 'gnome-terminal',
    path: '/usr/bin/gnome-terminal',
    titles: ['user@vdi: ~/projects', 'user@vdi: /var/log'],
  },
  {
    name: 'thunderbird',
    path: '/usr/bin/thunderbird',
    titles: ['Inbox - Mozilla Thunderbird', 'Write: Quarterly numbers - Thunderbird'],
  },
  { name: 'nautilus', path: '/usr/bin/nautilus', titles: ['Downloads', 'USB DRIVE'] },
] as const;
