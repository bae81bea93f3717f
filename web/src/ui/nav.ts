/** A link of the header's navigation or of the account menu, as an area names it. */

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
  /** A page the server renders (the help center): a plain link that loads it. */
  external?: boolean;
}
